package network

import (
	"math"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/sim"
)

// offloadPath: a per-packet send cost on the source, a per-packet softirq
// cost on the receiver, small per-byte costs on both.
func offloadPath(send, recv float64) datapath.CostedPath {
	S, D := datapath.Src, datapath.Dst
	return datapath.CostedPath{InterHost: true, Steps: []datapath.CostedStep{
		step(datapath.TCP, S, datapath.Send, send, 0.01),
		step(datapath.NIC, D, datapath.Softirq, recv, 0.01),
	}}
}

// tcpData is a data segment as the transport sends it.
func tcpData(n *Network, seq int64) *Packet {
	p := n.Alloc()
	p.Flags, p.Seq, p.Len, p.IPBytes = FlagACK, seq, 1448, 1500
	return p
}

func offloadNet(t *testing.T, offloads bool, path datapath.CostedPath) (*sim.Engine, *Network, *Route, *sink) {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Offloads = offloads
	return setupWith(t, cfg, path)
}

// TestGSOBatchesOneSend: 100 segments sent at once on one core cross the
// send-side stages as ceil(100 x 1500 / 65536) = 3 super-packets: per-packet
// cycles three times, per-byte cycles on every byte; without offloads, a
// hundred times. Pure ACKs and UDP datagrams are never batched.
func TestGSOBatchesOneSend(t *testing.T) {
	t.Parallel()
	const send, pb = 2400.0, 0.01
	for _, c := range []struct {
		offloads bool
		heads    float64
	}{{false, 100}, {true, 3}} {
		e, n, r, s := offloadNet(t, c.offloads, offloadPath(send, 0))
		for i := range 100 {
			n.Send(r, tcpData(n, int64(i)*1448), 0, 0)
		}
		e.Run()
		a := n.Accounting()
		if got := a.Crossings[0][datapath.TCP]; got != c.heads {
			t.Errorf("offloads %v: %v send-side crossings, want %v", c.offloads, got, c.heads)
		}
		want := c.heads*send + 100*1500*pb
		if got := a.Cycles[0][datapath.TCP]; got < want-1e-6 || got > want+1e-6 {
			t.Errorf("offloads %v: %v send-side cycles, want %v", c.offloads, got, want)
		}
		// each job's service rounded to the picosecond as the network does:
		// heads pay per-packet and per-byte cycles, batched packets per-byte only
		ps := 1000 / 2.4
		head := sim.Time(send*ps + pb*ps*1500 + 0.5)
		tail := sim.Time(pb*ps*1500 + 0.5)
		wantBusy := sim.Time(c.heads)*head + sim.Time(100-c.heads)*tail
		if busy := n.Nodes[0].Cores[0].BusyTime(); busy != wantBusy {
			t.Errorf("offloads %v: send core busy %v, want %v", c.offloads, busy, wantBusy)
		}
		if s.got != 100 {
			t.Errorf("offloads %v: %d of 100 delivered", c.offloads, s.got)
		}
		if err := n.Conservation(); err != nil {
			t.Error(err)
		}
	}
	// pure ACKs: one crossing each
	e, n, r, _ := offloadNet(t, true, offloadPath(send, 0))
	for range 10 {
		p := n.Alloc()
		p.Flags, p.IPBytes = FlagACK, 52
		n.Send(r, p, 0, 0)
	}
	e.Run()
	if got := n.Accounting().Crossings[0][datapath.TCP]; got != 10 {
		t.Errorf("pure ACKs: %v crossings, want 10", got)
	}
}

// dataAt sends one data segment when it runs.
type dataAt struct {
	n   *Network
	r   *Route
	seq int64
}

func (d *dataAt) Handle(e *sim.Engine, _ uint64) { d.n.Send(d.r, tcpData(d.n, d.seq), 0, e.Now()) }

// TestGROMergesWhatWaits: segments arriving every 1.2 us (10 Gbit/s) at a
// receive core that needs 5 us per packet. Without offloads the core
// falls behind by 3.8 us a packet; with GRO the packets that arrive while
// a super-packet waits join it (up to 64 KiB: 43 packets of 1500 bytes),
// so the core keeps up (about four packets per super-packet: those that
// arrive during the previous one's 5 us), pays its per-packet cycles once
// per super-packet and ends a few super-packets after the last arrival,
// where without GRO it ends 1.5 ms later.
func TestGROMergesWhatWaits(t *testing.T) {
	t.Parallel()
	const recv, k = 12000.0, 400 // 5 us at 2.4 GHz
	var heads [2]float64
	var end [2]sim.Time
	for i, offloads := range []bool{false, true} {
		e, n, r, s := offloadNet(t, offloads, offloadPath(0, recv))
		for j := range k {
			// one send per 1.2 us: no GSO batch spans two
			e.Schedule(sim.Time(j)*1200*sim.Nanosecond, &dataAt{n: n, r: r, seq: int64(j) * 1448}, 0)
		}
		e.Run()
		if s.got != k {
			t.Fatalf("offloads %v: %d of %d delivered", offloads, s.got, k)
		}
		a := n.Accounting()
		heads[i] = a.Crossings[1][datapath.NIC]
		end[i] = s.last
		want := heads[i]*recv + k*1500*0.01
		if got := a.Cycles[1][datapath.NIC]; got < want-1e-6 || got > want+1e-6 {
			t.Errorf("offloads %v: %v receive cycles, want %v for %v crossings", offloads, got, want, heads[i])
		}
		if err := n.Conservation(); err != nil {
			t.Error(err)
		}
	}
	if heads[0] != k {
		t.Errorf("without offloads: %v receive crossings, want %d", heads[0], k)
	}
	// super-packets of at most 43 packets, so at least 400/43 of them
	if heads[1] < k/43 || heads[1] > k/4 {
		t.Errorf("with GRO: %v super-packets for %d packets, want between %d and %d", heads[1], k, k/43, k/4)
	}
	lastArrival := sim.Time(k-1)*1200*sim.Nanosecond + 1538*800 + DefaultConfig().LinkDelay
	if end[0] < lastArrival+300*sim.Microsecond {
		t.Errorf("without offloads the core should lag far behind: last delivery %v, last arrival %v", end[0], lastArrival)
	}
	if end[1] > lastArrival+10*5*sim.Microsecond {
		t.Errorf("with GRO the core should keep up: last delivery %v, last arrival %v", end[1], lastArrival)
	}
}

// TestTSOQdiscCountsSuperPackets: with offloads the transmit queue's
// limit counts super-packets (skbs), as a qdisc does: 300 segments sent at
// once (5 super-packets) all enter a queue of 10, where without offloads
// only 11 would (the queue's 10 and one that left it while the sender's
// per-byte work went on).
func TestTSOQdiscCountsSuperPackets(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		offloads bool
		dropped  uint64
	}{{false, 289}, {true, 0}} {
		e := sim.NewEngine()
		cfg := DefaultConfig()
		cfg.Offloads, cfg.QdiscLen = c.offloads, 10
		n, err := New(e, cfg)
		if err != nil {
			t.Fatal(err)
		}
		s := &sink{n: n}
		r, err := n.NewRoute(RouteSpec{Path: offloadPath(0, 0), Src: 0, Dst: 1, To: s})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 300 {
			n.Send(r, tcpData(n, int64(i)*1448), 0, 0)
		}
		e.Run()
		if st := n.Stats(); st.DropQdisc != c.dropped || s.got != 300-int(c.dropped) {
			t.Errorf("offloads %v: %d dropped, %d delivered; want %d dropped", c.offloads, st.DropQdisc, s.got, c.dropped)
		}
		if err := n.Conservation(); err != nil {
			t.Error(err)
		}
	}
}

// TestGROIdleCoreMergesNothing: segments that find their receive core
// idle (2 us apart, 1 us of softirq work each) are processed one by one,
// with or without offloads: GRO merges only what waits.
func TestGROIdleCoreMergesNothing(t *testing.T) {
	t.Parallel()
	const k = 200
	for _, offloads := range []bool{false, true} {
		e, n, r, s := offloadNet(t, offloads, offloadPath(0, 2400))
		for j := range k {
			e.Schedule(sim.Time(j)*2*sim.Microsecond, &dataAt{n: n, r: r, seq: int64(j) * 1448}, 0)
		}
		e.Run()
		if got := n.Accounting().Crossings[1][datapath.NIC]; got != k || s.got != k {
			t.Errorf("offloads %v: %v receive crossings and %d delivered, want %d of each", offloads, got, s.got, k)
		}
	}
}

// TestOffloadAccountingWithJitter: with offloads and CPU jitter together,
// the accounted cycles of every node are the cycles its cores ran (busy
// time x frequency, within the 1 ps rounding of each job), whether a job
// carried per-packet costs (a head) or per-byte costs only (batched).
func TestOffloadAccountingWithJitter(t *testing.T) {
	t.Parallel()
	e := sim.NewEngine()
	cfg := DefaultConfig()
	cfg.Offloads, cfg.CPUJitter, cfg.Streams = true, 0.3, sim.Streams{Seed: 4}
	n, err := New(e, cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := &sink{n: n}
	r, err := n.NewRoute(RouteSpec{Path: offloadPath(3000, 6000), Src: 0, Dst: 1, FlowKey: 3, RecvCore: 2, To: s})
	if err != nil {
		t.Fatal(err)
	}
	jobs := 0
	for j := range 300 { // bursts of 10 every 20 us: GSO batches, GRO merges behind a busy core
		for k := range 10 {
			e.Schedule(sim.Time(j)*20*sim.Microsecond, &dataAt{n: n, r: r, seq: int64(10*j+k) * 1448}, 0)
			jobs += 2
		}
	}
	e.Run()
	if s.got != 3000 {
		t.Fatalf("%d of 3000 delivered", s.got)
	}
	a := n.Accounting()
	heads := a.Crossings[0][datapath.TCP] + a.Crossings[1][datapath.NIC]
	if heads >= 6000 || heads <= 600 {
		t.Errorf("%v super-packets on the two sides for 3000 packets: want batching on both", heads)
	}
	for node := range 2 {
		ran := a.Busy[node].Seconds() * cfg.GHz * 1e9
		if d := math.Abs(a.NodeCycles(node) - ran); d > 0.0024*float64(jobs) {
			t.Errorf("node %d: accounted %.1f cycles, ran %.1f", node, a.NodeCycles(node), ran)
		}
	}
}
