package network

import (
	"math"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/sim"
)

// TestFragmentCosts: an outer packet over the underlay MTU costs the
// sending core FragmentCycles and the receiving core ReassembleCycles on
// top of its second frame's pass through the outer steps, exactly: it is
// delivered that much later than with both at 0, an unfragmented packet
// not at all, and the accounting books them to ip_forward on the sender
// and ip_rcv on the receiver, in the contexts that ran them.
func TestFragmentCosts(t *testing.T) {
	t.Parallel()
	const frag, reasm = 1000.0, 2000.0
	deliver := func(fragCycles, reasmCycles float64, ipBytes int32) (sim.Time, Accounting) {
		t.Helper()
		cfg := DefaultConfig()
		cfg.FragmentCycles, cfg.ReassembleCycles = fragCycles, reasmCycles
		e, n, r, s := setupWith(t, cfg, overlay())
		p := n.Alloc()
		p.IPBytes = ipBytes
		n.Send(r, p, 0, 0)
		e.Run()
		if s.got != 1 {
			t.Fatalf("delivered %d, want 1", s.got)
		}
		if err := n.Conservation(); err != nil {
			t.Error(err)
		}
		return s.last, n.Accounting()
	}
	// 1480 + 50 bytes of encapsulation > 1500: two frames
	with, a := deliver(frag, reasm, 1480)
	without, b := deliver(0, 0, 1480)
	if d, want := with-without, sim.Cycles(frag, 2.4)+sim.Cycles(reasm, 2.4); d < want-2 || d > want+2 {
		t.Errorf("fragmented packet delivered %v later with the costs, want %v", d, want)
	}
	if d := a.Cycles[0][datapath.IPForward] - b.Cycles[0][datapath.IPForward]; math.Abs(d-frag) > 1e-9 {
		t.Errorf("sender's ip_forward +%v cycles, want %v", d, frag)
	}
	if d := a.Cycles[1][datapath.IPRcv] - b.Cycles[1][datapath.IPRcv]; math.Abs(d-reasm) > 1e-9 {
		t.Errorf("receiver's ip_rcv +%v cycles, want %v", d, reasm)
	}
	if d := a.Context[0][datapath.Send] - b.Context[0][datapath.Send]; math.Abs(d-frag) > 1e-9 {
		t.Errorf("sender's send context +%v cycles, want %v", d, frag)
	}
	if d := a.Context[1][datapath.Softirq] - b.Context[1][datapath.Softirq]; math.Abs(d-reasm) > 1e-9 {
		t.Errorf("receiver's softirq context +%v cycles, want %v", d, reasm)
	}
	for node := range 2 {
		if d := a.NodeCycles(node) - b.NodeCycles(node); math.Abs(d-[2]float64{frag, reasm}[node]) > 1e-9 {
			t.Errorf("node %d: +%v cycles in all, want only the fragmentation's", node, d)
		}
	}
	// 1400 + 50 fits: no fragment, no cost
	with, _ = deliver(frag, reasm, 1400)
	without, _ = deliver(0, 0, 1400)
	if with != without {
		t.Errorf("an unfragmented packet delivered at %v with the costs, %v without", with, without)
	}
}

// TestFragmentAccountingWithJitter: with CPU jitter, the accounted
// cycles of each node, fragmentation and reassembly included, are the
// cycles its cores ran (busy time x frequency, within each job's 1 ps
// rounding).
func TestFragmentAccountingWithJitter(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	cfg.CPUJitter, cfg.Streams = 0.3, sim.Streams{Seed: 5}
	cfg.FragmentCycles, cfg.ReassembleCycles = 1500, 1700
	e, n, r, s := setupWith(t, cfg, overlay())
	const pkts = 200
	for i := range pkts {
		p := n.Alloc()
		p.IPBytes = 1000 + int32(i%2)*480 // every other one fragments
		n.Send(r, p, 0, e.Now())
		e.Run()
	}
	if s.got != pkts {
		t.Fatalf("delivered %d of %d", s.got, pkts)
	}
	a := n.Accounting()
	if a.Cycles[0][datapath.IPForward] <= 0 || a.Cycles[1][datapath.IPRcv] <= 0 {
		t.Errorf("fragmentation %v, reassembly %v cycles: want both booked", a.Cycles[0][datapath.IPForward], a.Cycles[1][datapath.IPRcv])
	}
	for node := range 2 {
		ran := a.Busy[node].Seconds() * cfg.GHz * 1e9
		if d := math.Abs(a.NodeCycles(node) - ran); d > 0.0024*float64(5*pkts) {
			t.Errorf("node %d: accounted %.1f cycles, ran %.1f", node, a.NodeCycles(node), ran)
		}
	}
}

// TestFragmentsDefeatOffloads: with offloads, a path whose full-sized
// packets fragment (datapath.CostedPath.Fragments) has its super-packets
// cut in software before the outer steps and none of its frames merged
// by GRO, so every packet pays the outer steps and the receiving stages
// on its own, where the same path without fragments batches on both
// sides.
func TestFragmentsDefeatOffloads(t *testing.T) {
	t.Parallel()
	S, D := datapath.Src, datapath.Dst
	path := datapath.CostedPath{InterHost: true, EncapBytes: 50, Steps: []datapath.CostedStep{
		step(datapath.TCP, S, datapath.Send, 3000, 0.01),
		step(datapath.VXLAN, S, datapath.Send, 500, 0),
		step(datapath.NIC, S, datapath.Send, 200, 0),
		step(datapath.NIC, D, datapath.Softirq, 6000, 0.01),
		step(datapath.VXLAN, D, datapath.Softirq, 500, 0),
		step(datapath.TCP, D, datapath.Softirq, 1000, 0.01),
	}}
	cfg := DefaultConfig()
	cfg.Offloads = true
	if cfg.CutsSegments(path) || !cfg.MergesFrames(path) {
		t.Fatal("a VXLAN path with every offload: want no software cut and GRO merging")
	}
	frag := path
	frag.Fragments = true
	if !cfg.CutsSegments(frag) || cfg.MergesFrames(frag) {
		t.Fatal("a fragmenting path: want a software cut and no GRO merging")
	}
	const k = 400
	crossings := func(p datapath.CostedPath, ipBytes int32) (send, outer, recv float64) {
		t.Helper()
		e, n, r, s := setupWith(t, cfg, p)
		for j := range k { // sent at once: GSO batches; they arrive back to back: GRO merges behind a busy core
			d := tcpData(n, int64(j)*1448)
			d.IPBytes = ipBytes
			n.Send(r, d, 0, 0)
		}
		e.Run()
		if s.got != k {
			t.Fatalf("delivered %d of %d", s.got, k)
		}
		a := n.Accounting()
		return a.Crossings[0][datapath.TCP], a.Crossings[0][datapath.NIC], a.Crossings[1][datapath.TCP]
	}
	send, outer, recv := crossings(path, 1450)
	if send >= k/4 || outer >= k/4 || recv >= k/2 {
		t.Errorf("without fragments: %v TCP, %v outer NIC crossings sending, %v TCP receiving for %d packets: want batching", send, outer, recv, k)
	}
	send, outer, recv = crossings(frag, 1500) // 1500 + 50 > 1500: two frames each
	if send >= k/4 || outer != 2*k || recv != k {
		t.Errorf("fragmenting: %v TCP, %v outer NIC crossings sending, %v TCP receiving for %d packets: want the TCP step batched, two outer crossings a packet, every packet received alone", send, outer, recv, k)
	}
}
