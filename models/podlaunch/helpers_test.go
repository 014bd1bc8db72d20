package podlaunch

import (
	"time"

	"github.com/cnisim/cnisim/sim"
)

var testProv = Provenance{Provenance: "assumed", Source: "test"}

func det(d time.Duration) *StageSpec {
	return &StageSpec{Dist: "deterministic", Mean: &DurationParam{Value: Duration{d}, Provenance: testProv}}
}

// detCluster returns cluster parameters whose stages are deterministic
// (zero unless given) and limits all unlimited except the scheduler (1).
func detCluster(d map[Stage]time.Duration) *ClusterParams {
	c := &ClusterParams{Stage: map[string]*StageSpec{}}
	for _, s := range clusterStages {
		c.Stage[s.String()] = det(d[s])
	}
	f := func(v float64) *FloatParam { return &FloatParam{Value: v, Provenance: testProv} }
	i := func(v int) *IntParam { return &IntParam{Value: v, Provenance: testProv} }
	c.Limits = LimitParams{
		APIQPS: f(0), APIBurst: i(1), APIInflight: i(0), SchedulerParallelism: i(1),
		BindQPS: f(0), BindBurst: i(1), KubeletWorkers: i(0), KubeletQPS: f(0), KubeletBurst: i(1),
	}
	return c
}

// detPlugin returns a CNI plugin with deterministic sub-steps.
func detPlugin(scope, policy string, d map[Stage]time.Duration) *PluginParams {
	p := &PluginParams{
		Plugin:    "test",
		Serialize: &StringParam{Value: scope, Provenance: testProv},
		Policy:    &StringParam{Value: policy, Provenance: testProv},
		Stage:     map[string]*StageSpec{},
	}
	for _, s := range cniStages {
		if s == CNIPolicy && policy == "never" {
			continue
		}
		p.Stage[s.String()] = det(d[s])
	}
	return p
}

func unlimited() *Limits { return &Limits{SchedulerParallelism: 1 << 20} }

func ms(x float64) sim.Time { return sim.FromSeconds(x / 1000) }
