package datapath

// Crossings is how often packets cross each stage kind on one node: Data
// per data packet, Ack per pure ACK. It is the one definition of
// "crossings" that profiles, `calibrate perf`, `calibrate fit` and the
// simulator share (DESIGN 4, "Costs that predict real kernels"): the
// simulator sends an ACK back through the same graph in the reverse
// direction and charges every step of that route except the copy to the
// application (Recv context), which only data pays.
type Crossings struct {
	Data [NumKinds]float64
	Ack  [NumKinds]float64
}

// NodeCrossings returns the crossings of a path on one node: the one node of
// an intra-host path (node is ignored), or the Src or Dst node of an
// inter-host path. On the Dst node a data packet crosses the Dst steps and
// an ACK, travelling back, the Src steps; on the Src node the other way
// round.
func (p Path) NodeCrossings(node Side) Crossings {
	var c Crossings
	for _, s := range p.Steps {
		n := float64(s.Count)
		dataHere := !p.InterHost || s.Side == node
		ackHere := !p.InterHost || s.Side != node
		if dataHere {
			c.Data[s.Kind] += n
		}
		if ackHere && s.Context != Recv {
			c.Ack[s.Kind] += n
		}
	}
	return c
}

// PerData returns the crossings of kind k per data packet when acksPerData
// pure ACKs accompany each data packet: Data[k] + acksPerData x Ack[k].
func (c Crossings) PerData(k Kind, acksPerData float64) float64 {
	return c.Data[k] + acksPerData*c.Ack[k]
}
