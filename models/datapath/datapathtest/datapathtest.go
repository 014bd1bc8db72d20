// Package datapathtest builds the small costed paths that the network,
// transport and workload tests share.
package datapathtest

import "github.com/cnisim/cnisim/models/datapath"

// Step is one crossing of a stage kind on a side, in a context, at the
// given cycles per packet and per byte.
func Step(k datapath.Kind, side datapath.Side, ctx datapath.Context, cycles, perByte float64) datapath.CostedStep {
	return datapath.CostedStep{Step: datapath.Step{Kind: k, Side: side, Context: ctx, Count: 1}, Cycles: cycles, CyclesPerByte: perByte}
}

// HostPath is a node-to-node path with cheap costs scaled by scale:
// tcp+nic on send (500 cycles), nic+tcp in softirq (500), the copy in the
// receiving process (100 + 0.1 per byte).
func HostPath(scale float64) datapath.CostedPath {
	return datapath.CostedPath{InterHost: true, Steps: []datapath.CostedStep{
		Step(datapath.TCP, datapath.Src, datapath.Send, 300*scale, 0),
		Step(datapath.NIC, datapath.Src, datapath.Send, 200*scale, 0),
		Step(datapath.NIC, datapath.Dst, datapath.Softirq, 200*scale, 0),
		Step(datapath.TCP, datapath.Dst, datapath.Softirq, 300*scale, 0),
		Step(datapath.SocketCopy, datapath.Dst, datapath.Recv, 100*scale, 0.1*scale),
	}}
}

// AppPath is HostPath(1) with the application's calls and wake-ups:
// syscall and sched steps of syscall and sched cycles in the sender's
// context and in the reader's (datapath/calls.go).
func AppPath(syscall, sched float64) datapath.CostedPath {
	p := HostPath(1)
	steps := []datapath.CostedStep{Step(datapath.Syscall, datapath.Src, datapath.Send, syscall, 0),
		Step(datapath.Sched, datapath.Src, datapath.Send, sched, 0)} // the writer's wake-ups
	steps = append(steps, p.Steps[:4]...)
	steps = append(steps,
		Step(datapath.Sched, datapath.Dst, datapath.Recv, sched, 0),
		Step(datapath.Syscall, datapath.Dst, datapath.Recv, syscall, 0),
		p.Steps[4])
	p.Steps = steps
	return p
}
