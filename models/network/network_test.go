package network

import (
	"maps"
	"math"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/datapath/datapathtest"
	"github.com/cnisim/cnisim/sim"
)

// shared test paths (models/datapath/datapathtest)
var (
	step = datapathtest.Step
)

// overlay: two send-context steps, a wire, a softirq run with a daemon in
// the middle (Flannel-UDP-like), then the copy.
func overlay() datapath.CostedPath {
	S, D := datapath.Src, datapath.Dst
	return datapath.CostedPath{InterHost: true, EncapBytes: 50, Steps: []datapath.CostedStep{
		step(datapath.TCP, S, datapath.Send, 240, 0),
		step(datapath.VXLAN, S, datapath.Send, 480, 0),
		step(datapath.NIC, S, datapath.Send, 120, 0),
		step(datapath.NIC, D, datapath.Softirq, 120, 0),
		step(datapath.Userspace, D, datapath.Daemon, 2400, 1),
		step(datapath.Bridge, D, datapath.Softirq, 240, 0),
		step(datapath.TCP, D, datapath.Softirq, 240, 0),
		step(datapath.SocketCopy, D, datapath.Recv, 24, 0.5),
	}}
}

type sink struct {
	n    *Network
	got  int
	last sim.Time
}

func (s *sink) Deliver(p *Packet, at sim.Time) {
	s.got++
	s.last = at
	s.n.Free(p)
}

func setup(t *testing.T, path datapath.CostedPath) (*sim.Engine, *Network, *Route, *sink) {
	t.Helper()
	return setupWith(t, DefaultConfig(), path)
}

// setupWith is setup on a given cluster configuration.
func setupWith(t *testing.T, cfg Config, path datapath.CostedPath) (*sim.Engine, *Network, *Route, *sink) {
	t.Helper()
	e := sim.NewEngine()
	n, err := New(e, cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := &sink{n: n}
	r, err := n.NewRoute(RouteSpec{Path: path, Src: 0, Dst: 1, FlowKey: 7, RecvCore: 2, To: s})
	if err != nil {
		t.Fatal(err)
	}
	return e, n, r, s
}

// TestSegments: consecutive steps with one side and context form one job;
// the events per packet are one per contention point reached from another
// node or core: the first receiving core (RSS) and the daemon core (the
// NIC queue takes packets in arrival order without events: nic.go); the
// daemon's write to the tunnel continues in softirq on the daemon's own
// core (its backlog) inline.
func TestSegments(t *testing.T) {
	t.Parallel()
	e, n, r, s := setup(t, overlay())
	var kinds []string
	for _, sg := range r.segs {
		if sg.wire {
			kinds = append(kinds, "wire")
			continue
		}
		kinds = append(kinds, sg.ctx.String())
	}
	if got := strings.Join(kinds, ","); got != "send,wire,softirq,daemon,softirq" {
		t.Errorf("segments %s", got)
	}
	p := n.Alloc()
	p.IPBytes = 1000
	n.Send(r, p, 0, 0)
	e.Run()
	if s.got != 1 || e.Executed() != 2 {
		t.Errorf("delivered %d with %d events, want 1 with 2", s.got, e.Executed())
	}
	// closed form: send 840 cycles, wire 1088 bytes at 10G, delay, softirq
	// 120, daemon 2400 + 1000, softirq 480 cycles at 2.4 GHz
	want := sim.Cycles(840, 2.4) + sim.Time(1088*800) + 5*sim.Microsecond + sim.Cycles(120, 2.4) + sim.Cycles(3400, 2.4) + sim.Cycles(480, 2.4)
	if d := s.last - want; d < -2 || d > 2 {
		t.Errorf("delivered at %v, want %v", s.last, want)
	}
	if err := n.Conservation(); err != nil {
		t.Error(err)
	}
}

// TestAccounting: cycles per kind per node are the per-segment counters
// multiplied out; a fragmented packet runs its outer stages twice.
func TestAccounting(t *testing.T) {
	t.Parallel()
	e, n, r, _ := setup(t, overlay())
	for i := 0; i < 10; i++ {
		p := n.Alloc()
		p.IPBytes = 1000
		if i >= 5 {
			p.IPBytes = 1480 // + 50 encap > 1500: fragments
		}
		n.Send(r, p, 0, e.Now())
		e.Run()
	}
	r.Recv(Read{Pkts: 10, Bytes: 12400, Payload: 10 * 1188, Size: 1 << 17}, e.Now())
	a := n.Accounting()
	check := func(node int, k datapath.Kind, cycles, crossings float64) {
		t.Helper()
		if math.Abs(a.Cycles[node][k]-cycles) > 1e-6 || a.Crossings[node][k] != crossings {
			t.Errorf("node %d %s: %.1f cycles %.0f crossings, want %.1f %.0f", node, k, a.Cycles[node][k], a.Crossings[node][k], cycles, crossings)
		}
	}
	check(0, datapath.TCP, 2400, 10)
	check(0, datapath.VXLAN, 4800, 10)
	check(0, datapath.NIC, 120*15, 15) // outer: after the encapsulation
	check(1, datapath.NIC, 120*15, 15) // outer: before the decapsulation
	check(1, datapath.Userspace, 24000+12400, 10)
	check(1, datapath.SocketCopy, 240+0.5*12400, 10)
	if n.Nodes[0].TxFrames != 15 {
		t.Errorf("frames %d, want 15", n.Nodes[0].TxFrames)
	}
}

// TestQdiscDrops: a burst beyond the transmit queue drops the excess,
// counted; sent = delivered + dropped.
func TestQdiscDrops(t *testing.T) {
	t.Parallel()
	e, n, r, s := setup(t, datapath.CostedPath{InterHost: true})
	for i := 0; i < 1500; i++ {
		p := n.Alloc()
		p.IPBytes = 1500
		n.Send(r, p, 0, 0)
	}
	e.Run()
	st := n.Stats()
	if st.DropQdisc != 500 || s.got != 1000 {
		t.Errorf("%+v delivered %d; want 500 qdisc drops (txqueuelen 1000)", st, s.got)
	}
	if err := n.Conservation(); err != nil {
		t.Error(err)
	}
}

// TestValidate names the bad field.
func TestValidate(t *testing.T) {
	t.Parallel()
	c := DefaultConfig()
	c.QdiscLen = 0
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "network.Config.QdiscLen") {
		t.Errorf("got %v", err)
	}
	e := sim.NewEngine()
	n, _ := New(e, DefaultConfig())
	bad := overlay()
	bad.Steps[0].Side = datapath.Dst
	if _, err := n.NewRoute(RouteSpec{Path: bad, Src: 0, Dst: 1, To: &sink{}}); err == nil {
		t.Error("a src step after a dst step must be rejected")
	}
}

// A packet sent ahead of the clock (a sender reacting when an ACK's
// processing on another core ends) books its core then; a packet sent
// earlier on the same, idle core runs at once, not behind the booking.
func TestSendAheadLeavesCoreIdle(t *testing.T) {
	t.Parallel()
	e, n, r, s := setup(t, datapathtest.HostPath(1))
	ahead := n.Alloc()
	ahead.IPBytes = 1500
	n.Send(r, ahead, 0, sim.Millisecond) // booked on core 0 at 1 ms
	p := n.Alloc()
	p.IPBytes = 1500
	n.Send(r, p, 0, 0) // core 0 idles until then
	e.RunUntil(500 * sim.Microsecond)
	if s.got != 1 || s.last >= 100*sim.Microsecond {
		t.Fatalf("the packet sent at 0: %d delivered by 500us, the last at %v; want it in tens of us", s.got, s.last)
	}
	half := n.CoresBusy(e.Now()) // one packet's work: the other's is booked after 1 ms
	e.RunUntil(10 * sim.Millisecond)
	if s.got != 2 || s.last < sim.Millisecond {
		t.Fatalf("%d delivered, the last at %v; want 2, after 1ms", s.got, s.last)
	}
	if all := n.CoresBusy(e.Now()); half <= 0 || 2*half != all {
		t.Fatalf("CoresBusy %v by 500us and %v in all; want half of it (two equal packets)", half, all)
	}
}

// TestRxRingFollowsBacklog: a receive ring's buffer grows with the
// packets actually waiting for the softirq core, not to the ring's bound:
// 1,000 packets from a 10 Gbit/s wire into a core that needs a quarter of
// a frame's time each keep it at its first 64 slots (retiring only at the
// bound let it grow to 1,024).
func TestRxRingFollowsBacklog(t *testing.T) {
	t.Parallel()
	e, n, r, s := setup(t, overlay())
	for range 1000 {
		p := n.Alloc()
		p.IPBytes = 1500
		n.Send(r, p, 0, 0)
	}
	e.Run()
	if s.got != 1000 {
		t.Fatalf("delivered %d of 1000", s.got)
	}
	rx := &n.Nodes[1].rx[r.rssCore]
	if len(rx.t) > 64 {
		t.Errorf("receive ring buffer %d slots for a backlog of a few packets, want 64", len(rx.t))
	}
}

// TestRSSByNodes: a path whose outer header shows only the two nodes
// (RSSByNodes: IP-in-IP, GRE, ESP, a user-space tunnel) puts every flow
// between the same two nodes on one receive core, the one its first flow
// hashed to; the reverse direction and other pairs have their own, and a
// path with flow entropy spreads flows by their keys.
func TestRSSByNodes(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	cfg.Nodes = 3
	n, err := New(sim.NewEngine(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	byNodes := datapathtest.HostPath(1)
	byNodes.RSSByNodes = true
	byFlow := datapathtest.HostPath(1)
	core := func(p datapath.CostedPath, src, dst int, key uint64) int {
		t.Helper()
		r, err := n.NewRoute(RouteSpec{Path: p, Src: src, Dst: dst, FlowKey: key, RecvCore: 0, To: &sink{n: n}})
		if err != nil {
			t.Fatal(err)
		}
		return r.RSSCore()
	}
	// two keys that hash to different cores
	k1, k2 := uint64(1), uint64(2)
	for mix(k2)%uint64(cfg.CoresPerNode) == mix(k1)%uint64(cfg.CoresPerNode) {
		k2++
	}
	if a, b := core(byFlow, 0, 1, k1), core(byFlow, 0, 1, k2); a == b {
		t.Errorf("by flow: keys %d and %d both on core %d", k1, k2, a)
	}
	first := core(byNodes, 0, 1, k1)
	if want := int(mix(k1) % uint64(cfg.CoresPerNode)); first != want {
		t.Errorf("by nodes: the pair's first flow on core %d, want its own hash's %d", first, want)
	}
	for key := uint64(100); key < 120; key++ {
		if c := core(byNodes, 0, 1, key); c != first {
			t.Fatalf("by nodes: flow %d on core %d, the pair's flows on %d", key, c, first)
		}
	}
	if c := core(byNodes, 1, 0, k2); c != int(mix(k2)%uint64(cfg.CoresPerNode)) {
		t.Errorf("by nodes: the reverse direction's first flow on core %d, want its own hash's", c)
	}
	if c := core(byNodes, 0, 2, k2); c != int(mix(k2)%uint64(cfg.CoresPerNode)) {
		t.Errorf("by nodes: another pair's first flow on core %d, want its own hash's", c)
	}
}

// TestRSSInner: NICs that hash a tunnel's inner header (Config.RSSInner)
// spread an IP-in-IP or GRE path (RSSInner) by flow again, and leave a
// path whose inner header they cannot read (ESP: RSSByNodes alone) on the
// node pair's core.
func TestRSSInner(t *testing.T) {
	t.Parallel()
	for _, inner := range []bool{false, true} {
		cfg := DefaultConfig()
		cfg.RSSInner = inner
		n, err := New(sim.NewEngine(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		ipip := datapathtest.HostPath(1)
		ipip.RSSByNodes, ipip.RSSInner = true, true
		esp := datapathtest.HostPath(1)
		esp.RSSByNodes = true
		cores := func(p datapath.CostedPath) map[int]bool {
			seen := map[int]bool{}
			for key := uint64(1); key <= 40; key++ {
				r, err := n.NewRoute(RouteSpec{Path: p, Src: 0, Dst: 1, FlowKey: key, RecvCore: 0, To: &sink{n: n}})
				if err != nil {
					t.Fatal(err)
				}
				seen[r.RSSCore()] = true
			}
			return seen
		}
		// 40 flows on 10 cores: all on one with probability 10^-39
		if got, want := len(cores(ipip)) > 1, inner; got != want {
			t.Errorf("rss_inner %v: IP-in-IP's 40 flows on %d cores, want spread %v", inner, len(cores(ipip)), want)
		}
		if got := len(cores(esp)); got != 1 {
			t.Errorf("rss_inner %v: ESP's 40 flows on %d cores, want the pair's one", inner, got)
		}
	}
}

// TestRPS: with RPS (Config.RPS), an IP-in-IP or GRE path whose flows RSS
// puts on their node pair's core keeps its receiving NIC step there and
// runs the rest of its receiving stack on its inner flow's core: two
// flows between the same nodes share the NIC step's core and split the
// stack's. Without RPS, or on a path RSS spreads anyway, nothing moves.
func TestRPS(t *testing.T) {
	t.Parallel()
	S, D := datapath.Src, datapath.Dst
	const nicCycles, tcpCycles = 300, 2000
	path := datapath.CostedPath{InterHost: true, RSSByNodes: true, RSSInner: true, Steps: []datapath.CostedStep{
		step(datapath.TCP, S, datapath.Send, 0, 0),
		step(datapath.NIC, D, datapath.Softirq, nicCycles, 0),
		step(datapath.TCP, D, datapath.Softirq, tcpCycles, 0),
	}}
	cores := DefaultConfig().CoresPerNode
	// two flow keys whose own hashes pick different cores
	k1, k2 := uint64(1), uint64(2)
	for mix(k2)%uint64(cores) == mix(k1)%uint64(cores) {
		k2++
	}
	for _, tc := range []struct {
		name      string
		rps, flow bool // RPS on; a path RSS spreads by flow anyway
		steered   bool
	}{
		{"rps", true, false, true},
		{"no rps", false, false, false},
		{"rps, spread by flow", true, true, false},
	} {
		cfg := DefaultConfig()
		cfg.RPS = tc.rps
		e := sim.NewEngine()
		n, err := New(e, cfg)
		if err != nil {
			t.Fatal(err)
		}
		p := path
		p.RSSByNodes, p.RSSInner = !tc.flow, !tc.flow
		for _, key := range []uint64{k1, k2} {
			r, err := n.NewRoute(RouteSpec{Path: p, Src: 0, Dst: 1, FlowKey: key, RecvCore: 0, To: &sink{n: n}})
			if err != nil {
				t.Fatal(err)
			}
			n.Send(r, tcpData(n, 0), 0, 0)
		}
		e.Run()
		busy := map[int]float64{}
		for c := range n.Nodes[1].Cores {
			if b := n.Nodes[1].Cores[c].BusyTime().Seconds() * 2.4e9; b > 0.5 {
				busy[c] = math.Round(b)
			}
		}
		pair := int(mix(k1) % uint64(cores)) // the pair's core: its first flow's
		var want map[int]float64
		switch {
		case tc.steered: // the NIC steps on the pair's core, each stack on its flow's
			want = map[int]float64{pair: 2 * nicCycles}
			want[int(mix(k2)%uint64(cores))] += tcpCycles
			want[pair] += tcpCycles
		case tc.flow: // each flow on its own core
			want = map[int]float64{pair: nicCycles + tcpCycles, int(mix(k2) % uint64(cores)): nicCycles + tcpCycles}
		default: // both on the pair's core
			want = map[int]float64{pair: 2 * (nicCycles + tcpCycles)}
		}
		if !maps.Equal(busy, want) {
			t.Errorf("%s: receiving cores busy %v cycles, want %v", tc.name, busy, want)
		}
	}
}
