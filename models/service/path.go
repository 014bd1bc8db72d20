package service

import "github.com/cnisim/cnisim/models/datapath"

// stageKind is the stage the Service's work is accounted to.
func (p *Plan) stageKind() datapath.Kind {
	switch p.Structure.Proxy {
	case EBPFTC, EBPFSocket:
		return datapath.EBPF
	}
	return datapath.Netfilter
}

// Forward returns the path toward the Service for a connection whose
// first packet pays first cycles: base with one step added on the client's
// node, whose RuleCycles (charged to connection-opening packets only: the
// SYN and its retransmissions) are first and whose Cycles are the
// per-packet cost. The step sits where the translation runs: at
// connect() (the first, send-context step) for ebpf-socket, else at the
// first softirq step of the client's node (the pod's packet entering the
// host: PREROUTING, or tc ingress of the pod's veth), or after its last
// step. base is not modified.
func (p *Plan) Forward(base datapath.CostedPath, first float64) datapath.CostedPath {
	if p.Structure.Proxy == None || len(base.Steps) == 0 {
		return base
	}
	fwd, _ := p.PacketCycles()
	at := 0
	if !p.Structure.AtConnect {
		at = -1
		last := 0
		for i, s := range base.Steps {
			if s.Side != datapath.Src {
				break
			}
			last = i
			if at < 0 && s.Context == datapath.Softirq {
				at = i + 1
			}
		}
		if at < 0 {
			at = last + 1
		}
	}
	ref := base.Steps[max(at-1, 0)]
	st := datapath.CostedStep{Step: datapath.Step{Kind: p.stageKind(), Side: datapath.Src, Context: ref.Context, Count: 1},
		Cycles: fwd, RuleCycles: first}
	return insert(base, at, st)
}

// Reverse returns the path back from the endpoint with the reverse
// translation's per-packet cost on the client's node (after the first
// step there), or base when the mode translates nothing per packet.
func (p *Plan) Reverse(base datapath.CostedPath) datapath.CostedPath {
	_, rev := p.PacketCycles()
	if rev == 0 {
		return base
	}
	at := -1
	for i, s := range base.Steps {
		if s.Side == datapath.Dst {
			at = i + 1
			break
		}
	}
	if at < 0 {
		return base
	}
	ref := base.Steps[at-1]
	st := datapath.CostedStep{Step: datapath.Step{Kind: p.stageKind(), Side: datapath.Dst, Context: ref.Context, Count: 1}, Cycles: rev}
	return insert(base, at, st)
}

func insert(base datapath.CostedPath, at int, st datapath.CostedStep) datapath.CostedPath {
	out := base
	out.Steps = make([]datapath.CostedStep, 0, len(base.Steps)+1)
	out.Steps = append(out.Steps, base.Steps[:at]...)
	out.Steps = append(out.Steps, st)
	out.Steps = append(out.Steps, base.Steps[at:]...)
	return out
}
