package tcp

import (
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/datapath/datapathtest"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// shared test paths (models/datapath/datapathtest)
var (
	step     = datapathtest.Step
	hostPath = datapathtest.HostPath
)

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
