package network

import (
	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/sim"
)

// Accounting is the "virtual perf" of a run (DESIGN 2, "Statistics"):
// per node, the cycles spent in each stage kind and how many times each
// kind was crossed (a fragmented outer packet crosses its outer steps
// twice), plus the node's busy time.
type Accounting struct {
	Cycles    [][datapath.NumKinds]float64 // [node][kind]
	Crossings [][datapath.NumKinds]float64 // [node][kind]
	Busy      []sim.Time                   // [node] core busy time accepted so far
	// Context is Cycles by the context that ran them: [node][Send,
	// Softirq, Daemon, Recv] (datapath.Context), for CPU per context.
	Context [][4]float64
}

// Accounting multiplies the per-segment counters out into cycles per kind
// per node. Take two and Sub them to delete a warm-up period.
func (n *Network) Accounting() Accounting {
	a := Accounting{
		Cycles:    make([][datapath.NumKinds]float64, len(n.Nodes)),
		Crossings: make([][datapath.NumKinds]float64, len(n.Nodes)),
		Busy:      make([]sim.Time, len(n.Nodes)),
		Context:   make([][4]float64, len(n.Nodes)),
	}
	for _, r := range n.routes {
		for i := range r.segs {
			a.add(&r.segs[i])
		}
		a.add(&r.recv)
	}
	for i := range n.retired.Cycles { // routes handed back (retire.go)
		for k := range n.retired.Cycles[i] {
			a.Cycles[i][k] += n.retired.Cycles[i][k]
			a.Crossings[i][k] += n.retired.Crossings[i][k]
		}
		for c := range n.retired.Context[i] {
			a.Context[i][c] += n.retired.Context[i][c]
		}
	}
	for i := range n.Nodes {
		for c := range n.Nodes[i].Cores {
			a.Busy[i] += n.Nodes[i].Cores[c].BusyTime()
		}
	}
	return a
}

func (a *Accounting) add(s *segment) {
	for j, st := range s.steps {
		pk, jpk := float64(s.pkts-s.batched), s.jPkts // crossings: one per super-packet
		switch datapath.StepPer(st.Kind, st.Context) {
		case datapath.PerWrite, datapath.PerRead: // one per call
			pk, jpk = float64(s.calls), s.jCalls
		case datapath.PerWake, datapath.PerWriterWake: // one per wake-up
			pk, jpk = float64(s.wakes), s.jWakes
		default:
			if s.outer[j] {
				pk += float64(s.frags)
				jpk += s.jFrags
				// cut by software GSO: batched packets crossed them too
				pk += float64(s.splitPkts + s.splitFrags)
				jpk += s.jSplit + s.jSplitFrags
			} else if s.cut[j] {
				// cut by a device without GSO: batched packets crossed them
				pk += float64(s.splitPkts)
				jpk += s.jSplit
			}
		}
		c := float64(st.Count)
		a.Crossings[s.node][st.Kind] += pk * c
		// the cycles run: calibrated cycles times the jitter factors
		// (the j* sums are 0 without jitter), rules for the packets that
		// walked them
		cyc := (pk+jpk)*st.Cycles + (float64(s.bytes)+s.jBytes)*st.CyclesPerByte
		if datapath.StepPer(st.Kind, st.Context) != datapath.PerPacket {
			cyc = (pk + jpk) * st.Cycles // per call or wake-up only (compile)
		}
		if st.RuleCycles != 0 {
			cyc += (float64(s.rulePkts) + s.jRules) * st.RuleCycles
		}
		a.Cycles[s.node][st.Kind] += c * cyc
		a.Context[s.node][s.ctx] += c * cyc
	}
	if s.fragCycles != 0 {
		// fragmenting (ip_do_fragment under ip_output: ip_forward in a
		// perf capture) or reassembling (ip_defrag under
		// ip_local_deliver: ip_rcv) every fragmented packet (frag.go)
		cyc := (float64(s.frags+s.splitFrags) + s.jFrags + s.jSplitFrags) * s.fragCycles
		a.Cycles[s.node][s.fragKind] += cyc
		a.Context[s.node][s.ctx] += cyc
	}
	if s.frameCycles != 0 {
		// GRO's per-frame work and software GSO's per-segment work are
		// the device layer's in a perf capture (calibration/perf:
		// dev_gro_receive, *_gro_receive -> netdev; skb_segment runs
		// under validate_xmit_skb -> netdev)
		cyc := (float64(s.batched+s.cutHeads) + s.jFrame) * s.frameCycles
		a.Cycles[s.node][datapath.Netdev] += cyc
		a.Context[s.node][s.ctx] += cyc
	}
}

// Sub returns a - b (the accounting of the interval between two snapshots).
func (a Accounting) Sub(b Accounting) Accounting {
	d := Accounting{
		Cycles:    make([][datapath.NumKinds]float64, len(a.Cycles)),
		Crossings: make([][datapath.NumKinds]float64, len(a.Cycles)),
		Busy:      make([]sim.Time, len(a.Busy)),
		Context:   make([][4]float64, len(a.Cycles)),
	}
	for i := range a.Cycles {
		for c := range a.Context[i] {
			d.Context[i][c] = a.Context[i][c] - b.Context[i][c]
		}
		for k := range a.Cycles[i] {
			d.Cycles[i][k] = a.Cycles[i][k] - b.Cycles[i][k]
			d.Crossings[i][k] = a.Crossings[i][k] - b.Crossings[i][k]
		}
		d.Busy[i] = a.Busy[i] - b.Busy[i]
	}
	return d
}

// NodeCycles returns the total cycles accounted on node i.
func (a Accounting) NodeCycles(i int) float64 {
	var t float64
	for _, c := range a.Cycles[i] {
		t += c
	}
	return t
}
