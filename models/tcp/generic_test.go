package tcp

import (
	"math"
	"testing"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/models/cni"
	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// The generic kernel stages cost nothing in the paper profile, and they
// add no per-packet work either: the route folds consecutive steps of one
// context into one job, so a bulk transfer over a built-in graph runs the
// same events, delivers the same bytes and accounts the same cycles per
// node with and without them (what keeps every reproduced figure as it
// was; deterministic, unlike a wall-clock benchmark on a shared machine).
func TestGenericStagesAddNoWork(t *testing.T) {
	t.Parallel()
	prof, err := calibration.Builtin("paper")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ plugin, mode string }{{"flannel", "vxlan"}, {"cilium", "native"}, {"weave", "sleeve"}} {
		m, err := cni.Builtin(c.plugin)
		if err != nil {
			t.Fatal(err)
		}
		full, err := m.Path(c.mode, datapath.Inter, cni.PathOptions{}, prof)
		if err != nil {
			t.Fatal(err)
		}
		paper := full
		paper.Steps = nil
		for _, s := range full.Steps {
			if s.Kind < datapath.Netdev {
				paper.Steps = append(paper.Steps, s)
			}
		}
		if len(paper.Steps) == len(full.Steps) {
			t.Fatalf("%s/%s: no generic steps", c.plugin, c.mode)
		}
		podMTU, _ := m.PodMTU(c.mode, 1500, cni.PathOptions{})
		type outcome struct {
			events   uint64
			received int64
			cycles   [2]float64
		}
		runOn := func(p datapath.CostedPath) outcome {
			cfg := network.DefaultConfig()
			cfg.CPUJitter = 0.05 // jitter draws follow jobs: a new job would shift them
			r := newRig(t, cfg, p, podMTU, Options{})
			r.c.Connect(0)
			r.c.Client.Write(0, math.MaxInt64/2)
			r.e.RunUntil(200 * sim.Millisecond)
			a := r.n.Accounting()
			var o outcome
			o.events, o.received = r.e.Executed(), r.c.Server.Received()
			for n := range 2 {
				for _, v := range a.Cycles[n] {
					o.cycles[n] += v
				}
			}
			return o
		}
		got, want := runOn(full), runOn(paper)
		if got.events != want.events || got.received != want.received ||
			math.Abs(got.cycles[0]-want.cycles[0]) > 1e-6*want.cycles[0] || math.Abs(got.cycles[1]-want.cycles[1]) > 1e-6*want.cycles[1] {
			t.Errorf("%s/%s: with the generic stages %+v, without %+v", c.plugin, c.mode, got, want)
		}
	}
}
