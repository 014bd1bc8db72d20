package tcp

import (
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

func step(k datapath.Kind, side datapath.Side, ctx datapath.Context, cycles, perByte float64) datapath.CostedStep {
	return datapath.CostedStep{Step: datapath.Step{Kind: k, Side: side, Context: ctx, Count: 1}, Cycles: cycles, CyclesPerByte: perByte}
}

// hostPath is a node-to-node path with cheap costs: tcp+nic on send,
// nic+tcp in softirq, the copy in the receiving process.
func hostPath(scale float64) datapath.CostedPath {
	return datapath.CostedPath{InterHost: true, Steps: []datapath.CostedStep{
		step(datapath.TCP, datapath.Src, datapath.Send, 300*scale, 0),
		step(datapath.NIC, datapath.Src, datapath.Send, 200*scale, 0),
		step(datapath.NIC, datapath.Dst, datapath.Softirq, 200*scale, 0),
		step(datapath.TCP, datapath.Dst, datapath.Softirq, 300*scale, 0),
		step(datapath.SocketCopy, datapath.Dst, datapath.Recv, 100*scale, 0.1*scale),
	}}
}

type rig struct {
	e    *sim.Engine
	n    *network.Network
	c    *Conn
	cfg  network.Config
	path datapath.CostedPath
}

func newRig(t testing.TB, cfg network.Config, path datapath.CostedPath, podMTU int, opt Options) *rig {
	t.Helper()
	e := sim.NewEngine()
	n, err := network.New(e, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := 1
	if !path.InterHost {
		srv = 0
	}
	c, err := Dial(n, Side{Node: 0, Core: 0}, Side{Node: srv, Core: 1}, path, path, podMTU, 1, opt)
	if err != nil {
		t.Fatal(err)
	}
	return &rig{e: e, n: n, c: c, cfg: cfg, path: path}
}

func (r *rig) conserve(t testing.TB) {
	t.Helper()
	if err := r.n.Conservation(); err != nil {
		t.Error(err)
	}
}
