package network

import (
	"fmt"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/sim"
)

// segment is a run of consecutive steps with the same side and context:
// one job on one core. The wire crossing is a segment of its own.
type segment struct {
	// The fields advance reads and writes for every packet come first, in
	// two cache lines (a fabric's hops find them out of the cache).
	wire     bool
	firstDst bool // first segment on the receiving side: always an event
	fromRx   bool // first receiving segment of an inter-host route: the receive ring
	afterRPS bool // first segment after the receiving NIC's step, steered by RPS (Config.RPS)
	pick     corePick
	// tracked: a packet of this direction has walked the segment's rules,
	// so the node's conntrack has the flow and accepts its packets early
	tracked bool
	// split: GSO cuts super-packets in software before this segment's
	// outer steps (NICOffloads) or its cut steps (a device without GSO
	// before them: CostedPath.GSOCut), or, on the receiving side, GRO
	// merges only after them (CostedPath.GROFrom), so a batched packet
	// pays them
	split bool
	// noGRO: the receive ring's GRO merges nothing of this route (the
	// NIC lacks gro, or the path arrives through a device without it)
	noGRO bool
	ctx   datapath.Context
	// onDst: the segment runs on the route's destination node (else its
	// source); NewRoute binds node and nd from it, so that one compiled
	// path serves every node pair
	onDst bool
	// gsoCut: software GSO cuts super-packets here (frameCycles is its
	// per-segment cost); cutHead: the last packet through was a
	// super-packet's head, whose own cut is charged with its first
	// follower (skb_segment makes every segment anew, the head's too,
	// and a lone packet is not cut)
	gsoCut, cutHead bool
	nd              *Node    // resolved by NewRoute
	fixed           sim.Time // service of an unfragmented packet before its per-byte part, rounded as service

	// service time in picoseconds: psPkt + psOuter (+ psFrag if fragmented) + psByte x IP bytes
	// (+ psRule for a connection-opening packet) + psCall x the packet's
	// calls + psWake if it woke the writer (datapath/calls.go)
	psByte, psCall, psWake float64

	// accounting: multiplied out by Accounting. rulePkts walked the rules;
	// the j* sums are sum(f-1) over jittered jobs (factor f) of the
	// corresponding counts, so cycles are those actually run.
	pkts, bytes   uint64
	calls, wakes  uint64 // application calls and wake-ups paid here
	frags         uint64
	batched       uint64 // packets behind the head of a super-packet
	psRule, psPkt float64
	psOuter       float64
	// psCut: the part of psPkt of the steps at or after CostedPath.GSOCut
	// that are not outer: what a batched packet of a split segment pays
	// besides psOuter
	psCut float64
	// frameCycles (psFrame in picoseconds): with GRO, what each frame
	// merged behind a super-packet's head costs the receiving core
	// (Config.GROFrameCycles; the first receiving segment only); with
	// software GSO, what each segment it cuts costs the sending core
	// (Config.GSOSegmentCycles; the first sending segment the cut
	// reaches), the head's charged with the first segment behind it
	// (cutHeads counts them); jFrame the jitter's sum(f-1) over those
	// charges
	frameCycles, psFrame, jFrame float64
	cutHeads                     uint64

	node                          int
	rulePkts                      uint64
	splitPkts, splitFrags         uint64 // batched packets that paid the outer steps (split)
	jSplit, jSplitFrags           float64
	jPkts, jFrags, jBytes, jRules float64
	jCalls, jWakes                float64

	steps []datapath.CostedStep
	outer []bool // per step: runs on the outer packet (twice when fragmented)
	cut   []bool // per step: at or after the GSO cut, not outer (per packet when split)

	// psFrag is what a fragmented packet pays here on top: its second
	// frame through the outer steps (psOuter) and, in the first segment
	// with outer steps on each side, fragCycles (the sending node's
	// fragmentation or the receiving node's reassembly, frag.go), which
	// the accounting books to fragKind
	psFrag     float64
	fragCycles float64
	fragKind   datapath.Kind
}

// corePick says which core runs a segment.
type corePick uint8

const (
	pickCurrent corePick = iota // softirq on the backlog of the core that ran the previous segment
	pickSend                    // the sending application's core
	pickDaemon                  // the encapsulation daemon's core
	pickRSS                     // NET_RX on the core RSS picks for the route
	pickRPS                     // the backlog of the core RPS picks for the route's inner flow (Config.RPS)
)

func (s *segment) service(p *Packet, opens bool) sim.Time {
	if s.psByte == 0 && !p.frag && !opens && !s.paysCall(p) {
		return s.fixed
	}
	t := s.psPkt + s.psOuter + s.psByte*float64(p.IPBytes) + s.callPS(p)
	if p.frag {
		t += s.psFrag
	}
	if opens {
		t += s.psRule
	}
	return sim.Time(t + 0.5)
}

// paysCall reports whether p pays per-call or per-wake-up steps here.
func (s *segment) paysCall(p *Packet) bool {
	return s.psCall+s.psWake != 0 && (p.Calls != 0 || p.Wake)
}

// callPS is the per-call and per-wake-up time p pays here.
func (s *segment) callPS(p *Packet) float64 {
	t := float64(p.Calls) * s.psCall
	if p.Wake {
		t += s.psWake
	}
	return t
}

// countCalls counts p's calls and wake-up for the segment's accounting
// (only its per-call and per-wake-up steps read them).
func (s *segment) countCalls(p *Packet) {
	s.calls += uint64(p.Calls)
	if p.Wake {
		s.wakes++
	}
}

// opens reports whether p walks the segment's conntrack-guarded rules: a
// TCP SYN or SYN-ACK (retransmissions too), or any first packet of the
// direction on this node (the first datagram of a UDP flow). Later packets
// match the conntrack entry and are accepted before the rules.
func (s *segment) opens(p *Packet) bool {
	if p.Flags&FlagSYN != 0 || !s.tracked {
		s.tracked = true
		return true
	}
	return false
}

// serviceSlow is a job's service time with conntrack-guarded rules, CPU
// jitter or a batched packet (offload.go), counted for the accounting; out
// of line so that advance stays small for the common case (none).
//
//go:noinline
func (n *Network) serviceSlow(s *segment, p *Packet) sim.Time {
	var svc sim.Time
	opens := false
	head := false  // p carries its super-packet head's software GSO cut
	if p.batched { // its super-packet's head paid the per-packet costs, not its calls
		// a frame GRO merged still cost the driver's and GRO's per-frame
		// work, a segment software GSO cut its segmentation
		t := s.psByte*float64(p.IPBytes) + s.callPS(p) + s.psFrame
		if head = s.cutHead; head {
			t += s.psFrame
			s.cutHead = false
			s.cutHeads++
		}
		if s.split { // cut by software GSO: the outer (and cut) steps per packet
			t += s.psOuter + s.psCut
			if p.frag {
				t += s.psFrag
			}
		}
		svc = sim.Time(t + 0.5)
	} else {
		s.cutHead = s.gsoCut // a head, cut if a segment follows it
		if opens = s.psRule != 0 && s.opens(p); opens {
			s.rulePkts++
		}
		svc = s.service(p, opens)
	}
	if n.jit.on && svc > 0 {
		f := n.jit.factor(s.node)
		svc = sim.Time(float64(svc)*f + 0.5)
		s.jitter(p, opens, f)
		if head {
			s.jFrame += f - 1
		}
	}
	return svc
}

// jitter records a job's jitter factor f for the accounting.
func (s *segment) jitter(p *Packet, opens bool, f float64) {
	d := f - 1
	s.jBytes += d * float64(p.IPBytes)
	if s.psCall+s.psWake != 0 {
		s.jCalls += d * float64(p.Calls)
		if p.Wake {
			s.jWakes += d
		}
	}
	if p.batched {
		if s.split {
			s.jSplit += d
			if p.frag {
				s.jSplitFrags += d
			}
		}
		if s.psFrame != 0 {
			s.jFrame += d
		}
		return // no other per-packet part was scaled
	}
	s.jPkts += d
	if p.frag {
		s.jFrags += d
	}
	if opens {
		s.jRules += d
	}
}

// encapKinds mark where the outer packet begins (send) and ends (receive).
func isEncap(k datapath.Kind) bool {
	switch k {
	case datapath.VXLAN, datapath.Geneve, datapath.IPIP, datapath.GRE, datapath.Userspace, datapath.Encrypt:
		return true
	}
	return false
}

// compile splits a path into segments (the Recv-context steps apart) and
// marks the steps that handle the outer packet: on the sending side those
// after the last encapsulation step, on the receiving side those before the
// first one; without an encapsulation step only the NIC steps. With rps,
// the receiving side's steps after its NIC step start a segment of their
// own (afterRPS), which RPS moves to the inner flow's core.
func compile(path datapath.CostedPath, src, dst int, ghz float64, rps bool) (segs []segment, recv segment, err error) {
	outer := make([]bool, len(path.Steps))
	lastSrcEncap, firstDstEncap := -1, -1
	for i, st := range path.Steps {
		if st.Count < 0 || st.Cycles < 0 || st.CyclesPerByte < 0 || st.RuleCycles < 0 {
			return nil, recv, fmt.Errorf("step %d (%s): negative count or cost", i, st.Kind)
		}
		if st.RuleCycles > 0 && st.Context == datapath.Recv {
			return nil, recv, fmt.Errorf("step %d (%s): rule cycles in the recv context (policy rules run in the kernel's send or softirq path)", i, st.Kind)
		}
		if i > 0 && st.Side == datapath.Src && path.Steps[i-1].Side == datapath.Dst {
			return nil, recv, fmt.Errorf("step %d (%s): a src step after a dst step; steps must run src first", i, st.Kind)
		}
		if st.Context == datapath.Recv && st.Side != datapath.Dst {
			return nil, recv, fmt.Errorf("step %d (%s): recv context on the src side", i, st.Kind)
		}
		if isEncap(st.Kind) {
			if st.Side == datapath.Src {
				lastSrcEncap = i
			} else if firstDstEncap < 0 {
				firstDstEncap = i
			}
		}
	}
	for i, st := range path.Steps {
		switch {
		case lastSrcEncap < 0 && firstDstEncap < 0:
			outer[i] = st.Kind == datapath.NIC
		case st.Side == datapath.Src:
			outer[i] = lastSrcEncap >= 0 && i > lastSrcEncap
		default:
			outer[i] = firstDstEncap >= 0 && i < firstDstEncap
		}
	}
	ps := 1000 / ghz // picoseconds per cycle
	add := func(s *segment, i int) {
		st := path.Steps[i]
		c := float64(st.Count)
		s.steps = append(s.steps, st)
		s.outer = append(s.outer, outer[i])
		cut := !outer[i] && (path.GSOCut > 0 && i >= path.GSOCut-1 && st.Side == datapath.Src ||
			path.GROFrom > 0 && i < path.GROFrom-1 && st.Side == datapath.Dst && st.Context != datapath.Recv)
		s.cut = append(s.cut, cut)
		// per-call and per-wake-up steps cost per crossing only: the bytes
		// a call moves are socket_copy's (a per-byte cost on them is unused)
		switch datapath.StepPer(st.Kind, st.Context) {
		case datapath.PerWrite, datapath.PerRead:
			s.psCall += c * st.Cycles * ps
			return
		case datapath.PerWake, datapath.PerWriterWake:
			s.psWake += c * st.Cycles * ps
			return
		}
		if outer[i] {
			s.psOuter += c * st.Cycles * ps
		} else {
			s.psPkt += c * st.Cycles * ps
			if cut {
				s.psCut += c * st.Cycles * ps
			}
		}
		s.psByte += c * st.CyclesPerByte * ps
		s.psRule += c * st.RuleCycles * ps
	}
	recv.node = dst
	recv.onDst = true
	recv.ctx = datapath.Recv
	wired, seenDst, steer := false, false, false
	for i, st := range path.Steps {
		if st.Context == datapath.Recv {
			add(&recv, i)
			continue
		}
		node := src
		if st.Side == datapath.Dst {
			node = dst
			if path.InterHost && !wired {
				segs = append(segs, segment{wire: true, node: src})
				wired = true
			}
		}
		first := st.Side == datapath.Dst && !seenDst
		if n := len(segs); n == 0 || first || steer || segs[n-1].wire || segs[n-1].ctx != st.Context || segs[n-1].node != node || segs[n-1].steps[len(segs[n-1].steps)-1].Side != st.Side {
			segs = append(segs, segment{ctx: st.Context, node: node, onDst: st.Side == datapath.Dst, firstDst: first, afterRPS: steer})
		}
		steer = rps && path.InterHost && st.Side == datapath.Dst && st.Kind == datapath.NIC
		if st.Side == datapath.Dst {
			seenDst = true
		}
		add(&segs[len(segs)-1], i)
	}
	if path.InterHost && !wired {
		segs = append(segs, segment{wire: true, node: src})
	}
	if !seenDst {
		// The receiving side always starts with an event (causality, and no
		// unbounded recursion between two endpoints on one core).
		segs = append(segs, segment{ctx: datapath.Softirq, node: dst, onDst: true, firstDst: true})
	}
	return segs, recv, nil
}
