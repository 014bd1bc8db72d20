package datapath

// Crossings is how often each stage kind is crossed on one node: Data per
// data packet, Ack per pure ACK, Write per send call, Read per read call,
// Wake per wake-up (calls.go). It is the one definition of "crossings" that
// profiles, `calibrate perf`, `calibrate fit` and the simulator share
// (DESIGN 4, "Costs that predict real kernels"): the simulator sends an
// ACK back through the same graph in the reverse direction and charges
// every per-packet step of that route except the copy to the application
// (Recv context), which only data pays; the per-call and per-wake-up steps
// are paid by the application's calls and wake-ups, never by a packet.
type Crossings struct {
	Data  [NumKinds]float64
	Ack   [NumKinds]float64
	Write [NumKinds]float64
	Read  [NumKinds]float64
	Wake  [NumKinds]float64
	// WriterWake is kept apart from Wake so that a capture's counted
	// wake-ups (Rates.Wakeups) keep pricing the reader's alone unless the
	// writer's are counted too (Rates.WriterWakeups).
	WriterWake [NumKinds]float64
}

// NodeCrossings returns the crossings of a path on one node: the one node of
// an intra-host path (node is ignored), or the Src or Dst node of an
// inter-host path. On the Dst node a data packet crosses the Dst steps and
// an ACK, travelling back, the Src steps; on the Src node the other way
// round. Calls and wake-ups happen where their step runs: a send call on
// the Src node, a read call and the reader's wake-up on the Dst node.
func (p Path) NodeCrossings(node Side) Crossings {
	var c Crossings
	for _, s := range p.Steps {
		n := float64(s.Count)
		dataHere := !p.InterHost || s.Side == node
		ackHere := !p.InterHost || s.Side != node
		switch StepPer(s.Kind, s.Context) {
		case PerWrite:
			if dataHere {
				c.Write[s.Kind] += n
			}
			continue
		case PerRead:
			if dataHere {
				c.Read[s.Kind] += n
			}
			continue
		case PerWake:
			if dataHere {
				c.Wake[s.Kind] += n
			}
			continue
		case PerWriterWake:
			if dataHere {
				c.WriterWake[s.Kind] += n
			}
			continue
		}
		if dataHere {
			c.Data[s.Kind] += n
		}
		if ackHere && s.Context != Recv {
			c.Ack[s.Kind] += n
		}
	}
	return c
}

// Rates are the events per data packet on a node that crossings multiply:
// pure ACKs, send calls, read calls, wake-ups of the reader and of the
// writer.
type Rates struct {
	Acks, Writes, Reads, Wakeups float64
	WriterWakeups                float64
}

// OnePerPacket are the call rates assumed when none were measured: one
// send call, one read call and one wake-up of the reader per data packet
// and none of the writer (what the per-packet graphs charged before calls
// were modelled, and what the simulator does for a 1-byte RR or an
// unpaced datagram per call).
func OnePerPacket(acks float64) Rates { return Rates{Acks: acks, Writes: 1, Reads: 1, Wakeups: 1} }

// PerData returns the crossings of kind k per data packet when acksPerData
// pure ACKs accompany each data packet and calls and wake-ups are one per
// data packet (OnePerPacket).
func (c Crossings) PerData(k Kind, acksPerData float64) float64 {
	return c.At(k, OnePerPacket(acksPerData))
}

// At returns the crossings of kind k per data packet at rates r:
// Data + Acks x Ack + Writes x Write + Reads x Read + Wakeups x Wake +
// WriterWakeups x WriterWake.
func (c Crossings) At(k Kind, r Rates) float64 {
	return c.Data[k] + r.Acks*c.Ack[k] + c.Calls(k, r)
}

// Calls returns the crossings of kind k per call or wake-up (its Write,
// Read, Wake and WriterWake parts), at rates r per data packet.
func (c Crossings) Calls(k Kind, r Rates) float64 {
	return r.Writes*c.Write[k] + r.Reads*c.Read[k] + r.Wakeups*c.Wake[k] + r.WriterWakeups*c.WriterWake[k]
}
