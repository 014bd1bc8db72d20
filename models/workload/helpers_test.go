package workload

import (
	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

func step(k datapath.Kind, side datapath.Side, ctx datapath.Context, cycles, perByte float64) datapath.CostedStep {
	return datapath.CostedStep{Step: datapath.Step{Kind: k, Side: side, Context: ctx, Count: 1}, Cycles: cycles, CyclesPerByte: perByte}
}

// hostPath: tcp+nic on send, nic+tcp in softirq, the copy on receive.
func hostPath(scale float64) datapath.CostedPath {
	return datapath.CostedPath{InterHost: true, Steps: []datapath.CostedStep{
		step(datapath.TCP, datapath.Src, datapath.Send, 300*scale, 0),
		step(datapath.NIC, datapath.Src, datapath.Send, 200*scale, 0),
		step(datapath.NIC, datapath.Dst, datapath.Softirq, 200*scale, 0),
		step(datapath.TCP, datapath.Dst, datapath.Softirq, 300*scale, 0),
		step(datapath.SocketCopy, datapath.Dst, datapath.Recv, 100*scale, 0.1*scale),
	}}
}

func baseConfig(kind string) Config {
	return Config{
		Cluster: network.DefaultConfig(), Placement: datapath.Inter,
		Forward: hostPath(1), Reverse: hostPath(1), PodMTU: 1500,
		Duration: 300 * sim.Millisecond, Warmup: 50 * sim.Millisecond,
		Seed: 1, Workload: Workload{Kind: kind},
	}
}
