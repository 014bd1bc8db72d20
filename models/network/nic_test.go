package network

import (
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/sim"
)

// orderSink records the order and times of deliveries by packet Seq.
type orderSink struct {
	n    *Network
	seqs []int64
	at   []sim.Time
}

func (s *orderSink) Deliver(p *Packet, at sim.Time) {
	s.seqs = append(s.seqs, p.Seq)
	s.at = append(s.at, at)
	s.n.Free(p)
}

// sendAt is an event that sends one packet on a route from a core.
type sendAt struct {
	n    *Network
	r    *Route
	core int
	seq  int64
}

func (s *sendAt) Handle(e *sim.Engine, _ uint64) {
	p := s.n.Alloc()
	p.IPBytes = 1000
	p.Seq = s.seq
	s.n.Send(s.r, p, s.core, e.Now())
}

// sendPath has one send-side step of the given cycles and a free receive side.
func sendPath(cycles float64) datapath.CostedPath {
	return datapath.CostedPath{InterHost: true, Steps: []datapath.CostedStep{
		step(datapath.TCP, datapath.Src, datapath.Send, cycles, 0),
		step(datapath.TCP, datapath.Dst, datapath.Softirq, 0, 0),
	}}
}

// TestNICArrivalOrder: two cores of one node feed its NIC; the packet
// whose send-side stages end first enters the queue first, whichever was
// sent first, within one event and across events (an expensive send at 0
// that reaches the NIC at 1 us, a cheap one sent at 0.5 us that reaches it
// at 0.6 us). Departures are the closed form of a FIFO in arrival order:
// 1038 wire bytes at 10 Gbit/s take 830.4 ns.
func TestNICArrivalOrder(t *testing.T) {
	t.Parallel()
	const ser = sim.Time(1038 * 800)
	delay := 5 * sim.Microsecond
	for _, tc := range []struct {
		name  string
		cheap sim.Time // when the cheap packet (0.1 us of send stages) is sent
		want  []sim.Time
	}{
		// cheap at NIC 100 ns, done 930.4 ns; expensive at 1000 ns
		{"same event", 0, []sim.Time{100*sim.Nanosecond + ser, sim.Microsecond + ser}},
		// cheap at NIC 600 ns; expensive at 1000 ns waits until 1430.4 ns
		{"later event", 500 * sim.Nanosecond, []sim.Time{600*sim.Nanosecond + ser, 600*sim.Nanosecond + 2*ser}},
	} {
		e := sim.NewEngine()
		n, err := New(e, DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		s := &orderSink{n: n}
		slow, err := n.NewRoute(RouteSpec{Path: sendPath(2400), Src: 0, Dst: 1, RecvCore: 0, To: s}) // 1 us at 2.4 GHz
		if err != nil {
			t.Fatal(err)
		}
		fast, err := n.NewRoute(RouteSpec{Path: sendPath(240), Src: 0, Dst: 1, RecvCore: 0, To: s}) // 0.1 us
		if err != nil {
			t.Fatal(err)
		}
		e.Schedule(0, &sendAt{n: n, r: slow, core: 0, seq: 1}, 0)
		e.Schedule(tc.cheap, &sendAt{n: n, r: fast, core: 1, seq: 2}, 0)
		e.Run()
		if len(s.seqs) != 2 || s.seqs[0] != 2 || s.seqs[1] != 1 {
			t.Fatalf("%s: delivered %v, want the cheap packet (2) before the expensive one (1)", tc.name, s.seqs)
		}
		for i, w := range tc.want {
			if d := s.at[i] - (w + delay); d < -1 || d > 1 {
				t.Errorf("%s: packet %d delivered at %v, want %v", tc.name, s.seqs[i], s.at[i], w+delay)
			}
		}
		if e.Executed() > 5 {
			t.Errorf("%s: %d events, want at most 5 (two sends, two arrivals, at most one NIC wake-up)", tc.name, e.Executed())
		}
		if err := n.Conservation(); err != nil {
			t.Error(err)
		}
	}
}

// TestNICDropOrder: the qdisc limit applies in arrival order: with a
// one-packet queue, a packet arriving while another is being serialised
// drops, even when its send started first.
func TestNICDropOrder(t *testing.T) {
	t.Parallel()
	e := sim.NewEngine()
	cfg := DefaultConfig()
	cfg.QdiscLen = 1
	n, _ := New(e, cfg)
	s := &orderSink{n: n}
	slow, _ := n.NewRoute(RouteSpec{Path: sendPath(2400), Src: 0, Dst: 1, RecvCore: 0, To: s})
	fast, _ := n.NewRoute(RouteSpec{Path: sendPath(240), Src: 0, Dst: 1, RecvCore: 0, To: s})
	// slow reaches the NIC at 1 us, fast at 0.6 us and is on the wire until 1.43 us
	e.Schedule(0, &sendAt{n: n, r: slow, core: 0, seq: 1}, 0)
	e.Schedule(500*sim.Nanosecond, &sendAt{n: n, r: fast, core: 1, seq: 2}, 0)
	e.Run()
	if len(s.seqs) != 1 || s.seqs[0] != 2 || n.Stats().DropQdisc != 1 {
		t.Errorf("delivered %v with %+v, want only the cheap packet and one qdisc drop", s.seqs, n.Stats())
	}
	if err := n.Conservation(); err != nil {
		t.Error(err)
	}
}
