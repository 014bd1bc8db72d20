package network

import (
	"math"

	"testing"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/sim"
)

// TestPathNoGROGetsNone: a path that arrives through a device without GRO
// (CostedPath.NoGRO: ESP, a user-space tunnel) is received packet by
// packet even by a NIC with GRO and a saturated core that merges the same
// packets otherwise.
func TestPathNoGROGetsNone(t *testing.T) {
	t.Parallel()
	const recv, k = 12000.0, 400
	for _, noGRO := range []bool{false, true} {
		cfg := DefaultConfig()
		cfg.Offloads = true
		path := offloadPath(0, recv)
		path.NoGRO = noGRO
		e, n, r, s := setupWith(t, cfg, path)
		dataEvery(e, n, r, k, 1200*sim.Nanosecond)
		e.Run()
		if s.got != k {
			t.Fatalf("path no GRO %v: %d of %d delivered", noGRO, s.got, k)
		}
		heads := n.Accounting().Crossings[1][datapath.NIC]
		if noGRO && heads != k || !noGRO && heads > k/4 {
			t.Errorf("path no GRO %v: %v receive crossings for %d packets", noGRO, heads, k)
		}
	}
}

// TestDeviceGSOCut: 100 segments sent at once form 3 super-packets; a
// device without GSO on the sending side (CostedPath.GSOCut: here an ESP
// encrypt step) makes software GSO cut them there, so that step and every
// later one run per MTU-sized packet (100 crossings, 100 x its cycles)
// while the steps before it still run per super-packet (3); the core runs
// exactly what the accounting says. Without offloads everything is per
// packet; with the cut ignored (a device that could carry them) the
// encrypt step too runs per super-packet.
func TestDeviceGSOCut(t *testing.T) {
	t.Parallel()
	S, D := datapath.Src, datapath.Dst
	esp := datapath.CostedPath{InterHost: true, EncapBytes: 37, Steps: []datapath.CostedStep{
		step(datapath.TCP, S, datapath.Send, 240, 0.01),
		step(datapath.Veth, S, datapath.Send, 100, 0),
		step(datapath.Encrypt, S, datapath.Send, 900, 10),
		step(datapath.Netdev, S, datapath.Send, 60, 0),
		step(datapath.NIC, S, datapath.Send, 120, 0),
		step(datapath.NIC, D, datapath.Softirq, 120, 0),
	}}
	for _, tc := range []struct {
		name                     string
		offloads                 bool
		cut                      int
		tcp, veth, enc, dev, nic float64 // send-side crossings
	}{
		{"no offloads", false, 3, 100, 100, 100, 100, 100},
		{"esp cuts", true, 3, 3, 3, 100, 100, 100},
		{"carried whole", true, 0, 3, 3, 3, 3, 3},
	} {
		cfg := DefaultConfig()
		cfg.Offloads = tc.offloads
		path := esp
		path.GSOCut = tc.cut
		e, n, r, s := setupWith(t, cfg, path)
		for i := range 100 {
			p := tcpData(n, int64(i)*1448)
			p.IPBytes = 1400
			n.Send(r, p, 0, 0)
		}
		e.Run()
		if s.got != 100 {
			t.Fatalf("%s: %d of 100 delivered", tc.name, s.got)
		}
		a := n.Accounting()
		got := [5]float64{a.Crossings[0][datapath.TCP], a.Crossings[0][datapath.Veth], a.Crossings[0][datapath.Encrypt], a.Crossings[0][datapath.Netdev], a.Crossings[0][datapath.NIC]}
		if want := [5]float64{tc.tcp, tc.veth, tc.enc, tc.dev, tc.nic}; got != want {
			t.Errorf("%s: send-side crossings tcp, veth, encrypt, netdev, nic = %v, want %v", tc.name, got, want)
		}
		if want := tc.enc*900 + 100*1400*10; a.Cycles[0][datapath.Encrypt] != want {
			t.Errorf("%s: encrypt cycles %v, want %v", tc.name, a.Cycles[0][datapath.Encrypt], want)
		}
		if busy, cyc := n.Nodes[0].Cores[0].BusyTime().Seconds()*2.4e9, a.NodeCycles(0); busy < cyc-1 || busy > cyc+1 {
			t.Errorf("%s: send core busy %.1f cycles, accounted %.1f", tc.name, busy, cyc)
		}
	}
}

// TestLateGRO: a path whose decapsulating device merges on its own NAPI
// after its step (CostedPath.GROFrom: WireGuard decrypts every packet,
// then GROs) has the receiving steps up to that device run per packet,
// and only the steps after it per super-packet, on the same saturated
// receiver whose GRO merges at the NIC otherwise; the receiving core runs
// exactly what the accounting says.
func TestLateGRO(t *testing.T) {
	t.Parallel()
	S, D := datapath.Src, datapath.Dst
	const k = 400
	for _, late := range []bool{false, true} {
		cfg := DefaultConfig()
		cfg.Offloads = true
		path := datapath.CostedPath{InterHost: true, Steps: []datapath.CostedStep{
			step(datapath.TCP, S, datapath.Send, 0, 0.01),
			step(datapath.NIC, D, datapath.Softirq, 4000, 0.01),
			step(datapath.Encrypt, D, datapath.Softirq, 4000, 1),
			step(datapath.TCP, D, datapath.Softirq, 4000, 0.01),
		}}
		if late {
			path.GROFrom = 4 // the step after encrypt
		}
		e, n, r, s := setupWith(t, cfg, path)
		dataEvery(e, n, r, k, 1200*sim.Nanosecond)
		e.Run()
		if s.got != k {
			t.Fatalf("late %v: %d of %d delivered", late, s.got, k)
		}
		a := n.Accounting()
		nic, enc, tcp := a.Crossings[1][datapath.NIC], a.Crossings[1][datapath.Encrypt], a.Crossings[1][datapath.TCP]
		t.Logf("late GRO %v: receive crossings nic %v encrypt %v tcp %v", late, nic, enc, tcp)
		if tcp > k/4 {
			t.Errorf("late GRO %v: %v tcp crossings for %d packets: GRO merged nothing", late, tcp, k)
		}
		if late && (nic != k || enc != k) || !late && (nic != tcp || enc != tcp) {
			t.Errorf("late GRO %v: nic %v, encrypt %v, tcp %v crossings", late, nic, enc, tcp)
		}
		busy, cyc := 0.0, a.NodeCycles(1)
		for c := range n.Nodes[1].Cores {
			busy += n.Nodes[1].Cores[c].BusyTime().Seconds() * 2.4e9
		}
		if busy < cyc-1 || busy > cyc+1 {
			t.Errorf("late GRO %v: receiver busy %.1f cycles, accounted %.1f", late, busy, cyc)
		}
	}
}

// TestGROFrameCycles: with GRO, every frame merged behind a super-packet's
// head costs the receiving core Config.GROFrameCycles more, exactly (the
// same arrivals, a saturated receiver, with and without the cost), and the
// accounting books it to netdev, so that the core's busy time is still
// what the accounting says. A tunnel's extra (CostedPath.GROFrameExtra)
// adds to it, and a cost of 0 turns both off.
func TestGROFrameCycles(t *testing.T) {
	t.Parallel()
	S, D := datapath.Src, datapath.Dst
	const k = 400
	var merged [2]float64
	var busy, netdev [2]float64
	for i, frame := range []float64{0, 536} {
		cfg := DefaultConfig()
		cfg.Offloads, cfg.GROFrameCycles = true, frame
		path := datapath.CostedPath{InterHost: true, Steps: []datapath.CostedStep{
			step(datapath.TCP, S, datapath.Send, 0, 0.01),
			step(datapath.NIC, D, datapath.Softirq, 4000, 0.01),
			step(datapath.TCP, D, datapath.Softirq, 4000, 0.01),
		}}
		path.GROFrameExtra = 100 // off with frame 0
		e, n, r, s := setupWith(t, cfg, path)
		dataEvery(e, n, r, k, 1200*sim.Nanosecond)
		e.Run()
		if s.got != k {
			t.Fatalf("frame cycles %v: %d of %d delivered", frame, s.got, k)
		}
		a := n.Accounting()
		merged[i] = k - a.Crossings[1][datapath.TCP]
		netdev[i] = a.Cycles[1][datapath.Netdev]
		for c := range n.Nodes[1].Cores {
			busy[i] += n.Nodes[1].Cores[c].BusyTime().Seconds() * 2.4e9
		}
		if cyc := a.NodeCycles(1); busy[i] < cyc-1 || busy[i] > cyc+1 {
			t.Errorf("frame cycles %v: receiver busy %.1f cycles, accounted %.1f", frame, busy[i], cyc)
		}
	}
	if merged[0] < k/2 || merged[1] < k/2 {
		t.Fatalf("merged %v of %d frames: the receiver was not saturated", merged, k)
	}
	// a costlier frame keeps the core busier, so GRO merges at least as much
	if merged[1] < merged[0] {
		t.Errorf("merged %v frames without the cost, %v with it", merged[0], merged[1])
	}
	if netdev[0] != 0 || netdev[1] != merged[1]*636 {
		t.Errorf("netdev cycles %v, want 0 and %v merged x (536 + 100)", netdev, merged[1])
	}
	// the stages cost the same per super-packet; the frames add the rest
	if d := busy[1] - busy[0]; merged[1] == merged[0] && (d < merged[1]*636-1 || d > merged[1]*636+1) {
		t.Errorf("receiver busy %.1f cycles more with the cost, want %v merged x 636", d, merged[1])
	}
}

// TestGSOSegmentCycles: where software GSO cuts super-packets (here a NIC
// without TSO), every segment cut behind a head costs the sending core
// Config.GSOSegmentCycles more, exactly, booked to netdev; a path the NIC
// segments pays nothing, and a cost of 0 turns it off.
func TestGSOSegmentCycles(t *testing.T) {
	t.Parallel()
	S, D := datapath.Src, datapath.Dst
	path := datapath.CostedPath{InterHost: true, Steps: []datapath.CostedStep{
		step(datapath.TCP, S, datapath.Send, 2400, 0.01),
		step(datapath.NIC, S, datapath.Send, 600, 0),
		step(datapath.NIC, D, datapath.Softirq, 100, 0),
	}}
	const k, seg = 100, 450.0
	ps := 1000 / 2.4
	run := func(path datapath.CostedPath, nic string, cycles float64) (busy sim.Time, netdev float64) {
		cfg := DefaultConfig()
		cfg.Offloads, cfg.GSOSegmentCycles = true, cycles
		var err error
		if cfg.NICOffloads, err = ParseNICOffloads(nic); err != nil {
			t.Fatal(err)
		}
		e, n, r, s := setupWith(t, cfg, path)
		for i := range k {
			n.Send(r, tcpData(n, int64(i)*1448), 0, 0)
		}
		e.Run()
		if s.got != k {
			t.Fatalf("%q, %v cycles: %d of %d delivered", nic, cycles, s.got, k)
		}
		a := n.Accounting()
		busy = n.Nodes[0].Cores[0].BusyTime()
		if cyc := a.NodeCycles(0); math.Abs(busy.Seconds()*2.4e9-cyc) > 1 {
			t.Errorf("%q, %v cycles: sender busy %.1f cycles, accounted %.1f", nic, cycles, busy.Seconds()*2.4e9, cyc)
		}
		return busy, a.Cycles[0][datapath.Netdev]
	}
	const heads = 3 // ceil(100 x 1500 / 65536) super-packets
	// each batched segment's job: per-byte, the NIC step again (cut), and
	// the segmentation; the first behind each head carries the head's
	// segmentation too (software GSO makes every segment anew, the head's
	// included: k segments cut, each costing g)
	tail := func(g float64) sim.Time { return sim.Time(0.01*1500*ps + 600*ps + g*ps + 0.5) }
	first := func(g float64) sim.Time { return sim.Time(0.01*1500*ps + 600*ps + 2*g*ps + 0.5) }
	for _, c := range []struct {
		nic    string
		cycles float64
		netdev float64
		first  sim.Time
		tail   sim.Time
	}{
		{"gro", seg, k * seg, first(seg), tail(seg)}, // no TSO: software GSO, every segment at its cost
		{"gro", 0, 0, tail(0), tail(0)},
	} {
		busy, netdev := run(path, c.nic, c.cycles)
		if netdev != c.netdev {
			t.Errorf("%q, %v cycles: netdev %v, want %v", c.nic, c.cycles, netdev, c.netdev)
		}
		head := sim.Time((2400+600)*ps + 0.01*1500*ps + 0.5)
		if want := heads*head + heads*c.first + (k-2*heads)*c.tail; busy != want {
			t.Errorf("%q, %v cycles: sender busy %v, want %v", c.nic, c.cycles, busy, want)
		}
	}
	// the NIC segments (TSO): no software GSO, no cost
	if _, netdev := run(path, "all", seg); netdev != 0 {
		t.Errorf("with TSO: netdev %v, want 0", netdev)
	}
	// a tunnel's encapsulated super-packets cut in the NIC's stead cost
	// the tunnel's extra too; a device that cuts (GSOCut) cuts the inner
	// packet at the plain cost
	for _, c := range []struct {
		name   string
		gsoCut int
		nic    string
		want   float64
	}{
		{"VXLAN, NIC without tunnel segmentation", 0, "tso,gro", k * (seg + 100)},
		{"VXLAN, NIC able", 0, "all", 0},
		{"a device without GSO", 2, "all", k * seg},
	} {
		vx := datapath.CostedPath{InterHost: true, GSOCut: c.gsoCut, GSOSegmentExtra: 100, Steps: []datapath.CostedStep{
			step(datapath.TCP, S, datapath.Send, 2400, 0.01),
			step(datapath.VXLAN, S, datapath.Send, 800, 0),
			step(datapath.NIC, S, datapath.Send, 600, 0),
			step(datapath.VXLAN, D, datapath.Softirq, 100, 0),
		}}
		if _, got := run(vx, c.nic, seg); got != c.want {
			t.Errorf("%s: netdev %v, want %v", c.name, got, c.want)
		}
	}
}
