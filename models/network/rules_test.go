package network

import (
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/sim"
)

// rulesPath: netfilter on both nodes, 100 base cycles and 4800 cycles of
// conntrack-guarded rules (100 iptables rules x 48 cycles, models/cni).
func rulesPath() datapath.CostedPath {
	p := datapath.CostedPath{InterHost: true, Steps: []datapath.CostedStep{
		step(datapath.Netfilter, datapath.Src, datapath.Send, 100, 0),
		step(datapath.Netfilter, datapath.Dst, datapath.Softirq, 100, 0),
	}}
	p.Steps[0].RuleCycles, p.Steps[1].RuleCycles = 4800, 4800
	return p
}

// TestConntrackRules: the first packet of a direction and every SYN walk
// the rules on each node; other packets pay only the base cost; the
// accounting charges exactly what ran.
func TestConntrackRules(t *testing.T) {
	t.Parallel()
	e, n, r, s := setup(t, rulesPath())
	base := 2*sim.Cycles(100, 2.4) + sim.Time(1038*800) + 5*sim.Microsecond
	rules := 2 * sim.Cycles(4800, 2.4)
	for i, c := range []struct {
		flags uint8
		want  sim.Time // one-way time
	}{
		{0, base + rules},                 // first datagram of the flow
		{0, base},                         // established
		{FlagACK, base},                   // a TCP data packet
		{FlagSYN, base + rules},           // a SYN (or a retransmitted one)
		{FlagSYN | FlagACK, base + rules}, // a SYN-ACK
		{0, base},
	} {
		p := n.Alloc()
		p.IPBytes, p.Flags = 1000, c.flags
		at := s.last + 100*sim.Microsecond // every core idle again
		n.Send(r, p, 0, at)
		e.Run()
		if d := s.last - at - c.want; d < -2 || d > 2 {
			t.Errorf("packet %d (flags %#x): %v one way, want %v", i, c.flags, s.last-at, c.want)
		}
	}
	a := n.Accounting()
	for node := 0; node < 2; node++ {
		if got, want := a.Cycles[node][datapath.Netfilter], 6*100.0+3*4800; got != want {
			t.Errorf("node %d: netfilter %v cycles, want %v (3 packets walked the rules)", node, got, want)
		}
	}
}

// TestRulesMonotone: more conntrack-guarded rules never make an opening
// packet faster, nor change an established one.
func TestRulesMonotone(t *testing.T) {
	t.Parallel()
	prevOpen, prevData := sim.Time(-1), sim.Time(-1)
	for _, rc := range []float64{0, 48, 480, 4800, 48000} {
		p := rulesPath()
		p.Steps[0].RuleCycles, p.Steps[1].RuleCycles = rc, rc
		e, n, r, s := setup(t, p)
		var times [2]sim.Time
		for i := range times {
			pk := n.Alloc()
			pk.IPBytes = 1000
			at := s.last + 100*sim.Microsecond // every core idle again
			n.Send(r, pk, 0, at)
			e.Run()
			times[i] = s.last - at
		}
		if times[0] < prevOpen || prevData >= 0 && times[1] != prevData {
			t.Errorf("%g rule cycles: opening %v (before %v), established %v (before %v)", rc, times[0], prevOpen, times[1], prevData)
		}
		prevOpen, prevData = times[0], times[1]
	}
}

// TestRulesRecvRejected: rules belong to the kernel path, not the copy.
func TestRulesRecvRejected(t *testing.T) {
	t.Parallel()
	e := sim.NewEngine()
	n, _ := New(e, DefaultConfig())
	p := rulesPath()
	p.Steps = append(p.Steps, step(datapath.SocketCopy, datapath.Dst, datapath.Recv, 0, 0))
	p.Steps[2].RuleCycles = 1
	if _, err := n.NewRoute(RouteSpec{Path: p, Src: 0, Dst: 1, To: &sink{}}); err == nil {
		t.Error("rule cycles on a recv step accepted")
	}
}
