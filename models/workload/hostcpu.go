package workload

import (
	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
)

// ContextCores are the cores a node's stages kept busy, by the context
// that ran them, as `mpstat` splits a node's CPU: %soft (softirq), %sys of
// the application's threads (process: the send path and the copy to the
// reader, calls and wake-ups included) and the user-space encapsulation
// daemon's (daemon).
type ContextCores struct {
	Softirq, Process, Daemon float64
}

// hostCPU fills the per-node CPU figures over a measured span of seconds:
// cores per context from the accounting's cycles at ghz, and busy cycles
// per payload byte the applications read (bytes > 0).
func (r *Result) hostCPU(a network.Accounting, span, ghz, bytes float64) {
	if span <= 0 {
		return
	}
	hz := ghz * 1e9
	r.CoresByContext = make([]ContextCores, len(a.Context))
	r.CyclesPerByte = make([]float64, len(a.Context))
	for i, c := range a.Context {
		r.CoresByContext[i] = ContextCores{
			Softirq: c[datapath.Softirq] / hz / span,
			Process: (c[datapath.Send] + c[datapath.Recv]) / hz / span,
			Daemon:  c[datapath.Daemon] / hz / span,
		}
		if bytes > 0 {
			r.CyclesPerByte[i] = a.Busy[i].Seconds() * hz / bytes
		}
	}
}
