package sensitivity

import (
	"math"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
)

func plan(t *testing.T, reps int) *scenario.Plan {
	t.Helper()
	p, err := scenario.Load("s.toml", []byte("name = \"s\"\n[sweep]\n\"cni.mode\" = [\"vxlan\", \"host-gw\"]\n"),
		scenario.Options{Overrides: []scenario.Override{{Key: "replications", Value: int64(reps)}}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// model is a closed form: throughput = k / (cost of vxlan + 100) per
// point and replication (k varies by replication: the common random
// numbers), cores = vxlan cost / 100, and no dependence on veth.
func units(p *scenario.Plan, vxlan float64) []run.UnitResult {
	var us []run.UnitResult
	for pt := range p.Len() {
		for rep := range p.Base.Replications {
			k := 1000 * float64(rep+1)
			var s run.Sample
			s.Set("throughput_mbps", k/(vxlan+100))
			s.Set("cpu_cores_used", vxlan/100)
			s.SetGroup("cpp_by_stage", "vxlan", vxlan)
			s.SetGroup("cpp_by_stage", "veth", 45)
			s.SetGroup("cpp_by_stage", "gre", 0)
			us = append(us, run.UnitResult{Unit: run.Unit{Point: pt, Rep: rep}, Sample: s})
		}
	}
	return us
}

// The elasticities are the central differences of the closed form, the
// same in every replication (so their interval is 0): cores +1 for a
// cost they are proportional to; throughput -c/(c+100) (a central
// difference of k/(c+100): -(c/(c+100)) x 1/(1 - (rc/(c+100))^2)); 0 for a
// stage nothing depends on. The stage the first metric depends on most
// comes first.
func TestElasticitiesClosedForm(t *testing.T) {
	p := plan(t, 3)
	const c, r = 300.0, 0.2
	base := units(p, c)
	varied := []Varied{
		{Stage: "veth", Lower: units(p, c), Upper: units(p, c)},
		{Stage: "vxlan", Lower: units(p, c*(1-r)), Upper: units(p, c*(1+r))},
	}
	s := Elasticities(p, r, []string{"throughput_mbps", "cpu_cores_used", "cpp_by_stage.veth"}, base, varied, nil)
	if len(s.Points) != 2 {
		t.Fatalf("%d points, want 2", len(s.Points))
	}
	x := c / (c + 100)
	wantTput := -x / (1 - (r*x)*(r*x))
	for _, pt := range s.Points {
		if pt.Stages[0].Stage != "vxlan" {
			t.Errorf("%v: first stage %s, want vxlan (the throughput hinges on it)", pt.Params, pt.Stages[0].Stage)
		}
		for _, st := range pt.Stages {
			for _, e := range st.Elasticities {
				want := 0.0
				if st.Stage == "vxlan" {
					switch e.Metric {
					case "throughput_mbps":
						want = wantTput
					case "cpu_cores_used":
						want = 1
					}
				}
				if math.Abs(e.Mean-want) > 1e-12 || e.CI95 > 1e-12 || e.N != 3 {
					t.Errorf("%s %s: %+v, want %v over 3 replications, no spread", st.Stage, e.Metric, e, want)
				}
				if st.Stage == "vxlan" && e.Metric != "cpp_by_stage.veth" && !(e.Significant() || e.CI95 == 0) {
					t.Errorf("%s %s: not significant", st.Stage, e.Metric)
				}
			}
		}
	}
}

func TestStagesAndReported(t *testing.T) {
	p := plan(t, 2)
	us := units(p, 300)
	if got := strings.Join(Stages(us), ","); got != "veth,vxlan" {
		t.Errorf("stages %q, want veth,vxlan in kind order, gre (0) left out", got)
	}
	have, missing := Reported(us, []string{"fct_us", "throughput_mbps", "cpp_by_stage.vxlan", "cpp_by_stage.nosuch"})
	if strings.Join(have, ",") != "throughput_mbps,cpp_by_stage.vxlan" || strings.Join(missing, ",") != "fct_us,cpp_by_stage.nosuch" {
		t.Errorf("reported %v, missing %v", have, missing)
	}
	for _, r := range []float64{0, -0.1, 0.95, math.NaN()} {
		if CheckStep(r) == nil {
			t.Errorf("step %v accepted", r)
		}
	}
	if lo, hi := Factors(2, 0.25); lo != 1.5 || hi != 2.5 {
		t.Errorf("Factors(2, 0.25) = %v, %v", lo, hi)
	}
}

// A replication the varied runs lack, or whose base value is 0, has no
// elasticity; one pair left has no interval.
func TestElasticitiesMissing(t *testing.T) {
	p := plan(t, 2)
	base := units(p, 300)
	lower, upper := units(p, 240), units(p, 360)
	base[0].Sample.Scalars["throughput_mbps"] = 0 // point 0, replication 0
	s := Elasticities(p, 0.2, []string{"throughput_mbps"}, base, []Varied{{Stage: "vxlan", Lower: lower, Upper: upper}}, nil)
	e := s.Points[0].Stages[0].Elasticities[0]
	if e.N != 1 || e.Significant() || e.CI95 != 0 {
		t.Errorf("%+v: want one replication, no interval", e)
	}
}
