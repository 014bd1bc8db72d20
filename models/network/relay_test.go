package network

import (
	"math"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/sim"
)

// relayPaths: a direct path 0 -> 2 (send 500 cycles, receive 500 and the
// copy) and its relayed form through node 1, which receives (nic, ip_rcv,
// netfilter: 700 cycles) and forwards (fib, ip_forward, nic: 600 cycles).
func relayPaths() (direct, leg1, leg2 datapath.CostedPath) {
	S, D := datapath.Src, datapath.Dst
	send := []datapath.CostedStep{
		step(datapath.TCP, S, datapath.Send, 300, 0),
		step(datapath.NIC, S, datapath.Send, 200, 0),
	}
	recv := []datapath.CostedStep{
		step(datapath.NIC, D, datapath.Softirq, 200, 0),
		step(datapath.TCP, D, datapath.Softirq, 300, 0),
		step(datapath.SocketCopy, D, datapath.Recv, 100, 0.1),
	}
	in := []datapath.CostedStep{
		step(datapath.NIC, D, datapath.Softirq, 200, 0),
		step(datapath.IPRcv, D, datapath.Softirq, 150, 0),
		step(datapath.Netfilter, D, datapath.Softirq, 350, 0.5),
	}
	out := []datapath.CostedStep{
		step(datapath.FIB, S, datapath.Softirq, 200, 0),
		step(datapath.IPForward, S, datapath.Softirq, 250, 0),
		step(datapath.NIC, S, datapath.Softirq, 150, 0),
	}
	cat := func(a, b []datapath.CostedStep) []datapath.CostedStep {
		return append(append([]datapath.CostedStep{}, a...), b...)
	}
	return datapath.CostedPath{InterHost: true, Steps: cat(send, recv)},
		datapath.CostedPath{InterHost: true, Steps: cat(send, in)},
		datapath.CostedPath{InterHost: true, Steps: cat(out, recv)}
}

// TestRelayClosedForm: at jitter 0 on idle cores a relayed packet arrives
// later than a direct one by exactly the relay node's stage costs (its
// receive and forward steps, per-byte parts included) plus one more wire
// crossing (serialisation and propagation). The relay node's cores and
// NIC carry that work: its accounting holds exactly those cycles, and
// packets are conserved on both legs (each leg counts a send and a
// delivery).
func TestRelayClosedForm(t *testing.T) {
	t.Parallel()
	direct, leg1, leg2 := relayPaths()
	cfg := DefaultConfig()
	cfg.Nodes = 3
	const ip = 1000
	deliver := func(spec RouteSpec) (*Network, *sink, *Route) {
		e := sim.NewEngine()
		n, err := New(e, cfg)
		if err != nil {
			t.Fatal(err)
		}
		s := &sink{n: n}
		spec.To = s
		r, err := n.NewRoute(spec)
		if err != nil {
			t.Fatal(err)
		}
		p := n.Alloc()
		p.IPBytes = ip
		n.Send(r, p, 0, 0)
		e.Run()
		if s.got != 1 {
			t.Fatalf("delivered %d packets, want 1", s.got)
		}
		if err := n.Conservation(); err != nil {
			t.Error(err)
		}
		return n, s, r
	}
	_, d, _ := deliver(RouteSpec{Path: direct, Src: 0, Dst: 2, FlowKey: 3, RecvCore: 1})
	n, v, r := deliver(RouteSpec{Path: leg1, Src: 0, Dst: 2, FlowKey: 3, RecvCore: 1, Via: &Via{Node: 1, Path: leg2}})
	if r.Next() == nil || r.Dst() != 1 || r.Next().Src() != 1 || r.Next().Dst() != 2 {
		t.Fatalf("legs %d -> %d -> %d", r.Src(), r.Dst(), r.Next().Dst())
	}
	relayCycles := 0.0
	for _, st := range append(leg1.Steps[2:], leg2.Steps[:3]...) {
		relayCycles += st.Cycles + st.CyclesPerByte*ip
	}
	wire := float64(ip+cfg.FrameOverhead)*8/cfg.LinkGbps*1e3 + float64(cfg.LinkDelay) // ps
	want := relayCycles/cfg.GHz*1e3 + wire
	if got := float64(v.last - d.last); math.Abs(got-want) > 1 {
		t.Errorf("relayed packet %v later than direct, want the relay's stages and a wire, %.0f ps", sim.Time(got), want)
	}
	a := n.Accounting()
	var onRelay float64
	for k := range a.Cycles[1] {
		onRelay += a.Cycles[1][k]
	}
	if math.Abs(onRelay-relayCycles) > 1e-6 {
		t.Errorf("relay node accounted %.1f cycles, want %.1f", onRelay, relayCycles)
	}
	if s := n.Stats(); s.Sent != 2 || s.Delivered != 2 {
		t.Errorf("sent %d delivered %d, want 2 and 2 (one per leg)", s.Sent, s.Delivered)
	}
	if n.Nodes[1].TxFrames != 1 || n.Nodes[0].TxFrames != 1 || n.Nodes[1].RxPackets != 1 || n.Nodes[2].RxPackets != 1 {
		t.Errorf("frames: node 0 tx %d, node 1 rx %d tx %d, node 2 rx %d; want one each", n.Nodes[0].TxFrames, n.Nodes[1].RxPackets, n.Nodes[1].TxFrames, n.Nodes[2].RxPackets)
	}
}

// TestRelayRetire: a retired relayed route folds both legs together, only
// once nothing is in flight on either (a packet between the legs keeps
// both), and the accounting is unchanged by the fold.
func TestRelayRetire(t *testing.T) {
	t.Parallel()
	_, leg1, leg2 := relayPaths()
	cfg := DefaultConfig()
	cfg.Nodes = 3
	e := sim.NewEngine()
	n, err := New(e, cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := &sink{n: n}
	r, err := n.NewRoute(RouteSpec{Path: leg1, Src: 0, Dst: 2, RecvCore: 1, To: s, Via: &Via{Node: 1, Path: leg2}})
	if err != nil {
		t.Fatal(err)
	}
	r2 := r.Next()
	p := n.Alloc()
	p.IPBytes = 100
	n.Send(r, p, 0, 0)
	n.Retire(r)
	for e.Step() {
		n.sweep()
		inFirst := r.sent != r.delivered+r.dropped
		if (r.Folds() > 0 || r2.Folds() > 0) && s.got == 0 {
			t.Fatalf("folded with a packet in flight (on the first leg: %v)", inFirst)
		}
	}
	before := n.Accounting()
	n.sweep()
	if r.Folds() != 1 || r2.Folds() != 1 || s.got != 1 {
		t.Errorf("folds %d %d, delivered %d: want both legs folded once after delivery", r.Folds(), r2.Folds(), s.got)
	}
	after := n.Accounting()
	for i := range before.Cycles {
		if before.Cycles[i] != after.Cycles[i] {
			t.Errorf("node %d accounting changed by the fold", i)
		}
	}
	if _, err := n.NewRoute(RouteSpec{Path: leg1, Src: 0, Dst: 2, RecvCore: 1, To: s, Via: &Via{Node: 2, Path: leg2}}); err == nil {
		t.Error("relay through the destination accepted")
	}
}
