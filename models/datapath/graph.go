package datapath

import "fmt"

// Path is a component graph for one direction of a flow: the ordered steps
// from the sending socket to the receiving socket (DESIGN 2, "Datapath
// graphs"). Inter-host paths run their Src steps, cross the wire, then run
// their Dst steps; intra-host paths never touch a NIC.
type Path struct {
	Steps      []Step
	InterHost  bool
	Encap      Encap // the tunnel (EncapNone for native routing)
	EncapBytes int   // bytes added on the wire: tunnel plus encryption
	OuterDF    bool  // oversize outer packets are dropped, not fragmented
}

// Counts returns the crossings per packet of every stage kind on each side
// (index with Src and Dst). For intra-host paths both sides are one node.
func (p Path) Counts() [2][NumKinds]float64 {
	var c [2][NumKinds]float64
	for _, s := range p.Steps {
		c[s.Side][s.Kind] += float64(s.Count)
	}
	return c
}

// Validate checks the path's shape: non-empty, known kinds and contexts,
// positive counts, Src steps before Dst steps, the final copy to the
// application on Dst, and a NIC on both sides of an inter-host path.
func (p Path) Validate() error {
	if len(p.Steps) == 0 {
		return fmt.Errorf("empty path")
	}
	seenDst := false
	var nic [2]bool
	for i, s := range p.Steps {
		switch {
		case int(s.Kind) >= NumKinds:
			return fmt.Errorf("step %d: unknown stage kind %d", i+1, s.Kind)
		case s.Side > Dst:
			return fmt.Errorf("step %d: unknown side %d", i+1, s.Side)
		case s.Context > Recv:
			return fmt.Errorf("step %d: unknown context %d", i+1, s.Context)
		case s.Count < 1:
			return fmt.Errorf("step %d (%s): count %d, want at least 1", i+1, s.Kind, s.Count)
		case s.Side == Src && seenDst:
			return fmt.Errorf("step %d (%s): a src step after dst steps; steps run from the sending socket to the receiving socket", i+1, s.Kind)
		case s.Context == Recv && s.Side != Dst:
			return fmt.Errorf("step %d (%s): context recv runs on the receiving side, want side dst", i+1, s.Kind)
		}
		seenDst = seenDst || s.Side == Dst
		if s.Kind == NIC {
			nic[s.Side] = true
		}
	}
	if p.InterHost && !(nic[Src] && nic[Dst]) {
		return fmt.Errorf("inter-host path needs a nic step on both src and dst (the wire crossing)")
	}
	if !p.InterHost && (nic[Src] || nic[Dst]) {
		return fmt.Errorf("intra-host path has a nic step; packets between pods on one node never reach the NIC")
	}
	return nil
}

// CyclesFor is the cost of the step (all Count crossings) for a packet of
// bytes of an established flow; a connection-opening packet adds
// Count x RuleCycles.
func (s CostedStep) CyclesFor(bytes int) float64 {
	return float64(s.Count) * (s.Cycles + s.CyclesPerByte*float64(bytes))
}

// CyclesOn sums the cycles of the steps that run on one side in one
// context for a packet of bytes.
func (p CostedPath) CyclesOn(side Side, ctx Context, bytes int) float64 {
	var c float64
	for _, s := range p.Steps {
		if s.Side == side && s.Context == ctx {
			c += s.CyclesFor(bytes)
		}
	}
	return c
}

// ByKind sums the cycles per stage kind on one side for a packet of bytes:
// the per-stage CPP breakdown of paper Fig. 4/5 for that node.
func (p CostedPath) ByKind(side Side, bytes int) [NumKinds]float64 {
	var c [NumKinds]float64
	for _, s := range p.Steps {
		if s.Side == side {
			c[s.Kind] += s.CyclesFor(bytes)
		}
	}
	return c
}
