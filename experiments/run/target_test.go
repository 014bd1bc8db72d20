package run_test

import (
	"bytes"
	"context"
	"math"
	"slices"
	"testing"

	"github.com/cnisim/cnisim/experiments/experimentstest"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
)

func TestRelHalfWidth(t *testing.T) {
	for _, tc := range []struct {
		spread       bool
		ci, mean     float64
		want         float64
		wantInfinite bool
	}{
		{true, 1, 20, 0.05, false},
		{true, 1, -20, 0.05, false}, // relative to the magnitude
		{true, 0, 0, 0, false},      // a metric that does not vary
		{true, 1, 0, 0, true},       // a spread around zero: no relative width
		{false, 0, 5, 0, true},      // one replication
	} {
		got := run.RelHalfWidth(tc.spread, tc.ci, tc.mean)
		if tc.wantInfinite != math.IsInf(got, 1) || !tc.wantInfinite && math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("RelHalfWidth(%v, %v, %v) = %v, want %v (infinite %v)", tc.spread, tc.ci, tc.mean, got, tc.want, tc.wantInfinite)
		}
	}
}

// Raising the replications gives the units of one run of the final count:
// the aggregated results are the same bytes; the rounds double the count
// and stop at the budget, saying whether the target was met. A group's
// member is measured like a scalar.
func TestRaiseReplications(t *testing.T) {
	load := func(reps int) (*scenario.Plan, error) {
		return scenario.Load("raise.toml", []byte("name = \"raise\"\nreplications = 2\n[cni]\nplugin = \"flannel\"\n[sweep]\n\"cni.mode\" = [\"vxlan\", \"host-gw\"]\n"),
			scenario.Options{Overrides: []scenario.Override{{Key: "replications", Value: int64(reps)}}})
	}
	for _, tc := range []struct {
		metric       string
		target       float64
		max          int
		wantReps     int
		wantMet      bool
		wantRaisedTo []int
	}{
		// the fake's 2% uniform noise: widest intervals 4.5%, 0.47%, 0.34%
		// (at 6), 0.37%, 0.24% and 0.19% of the mean at 2, 4, 6, 8, 16 and 32
		// replications; its veth cost 4.7%, 0.72%, 0.45%, 0.51%, 0.29%, 0.21%
		{"throughput_mbps", 0.5, 64, 2, true, nil},
		{"throughput_mbps", 0.0048, 64, 4, true, []int{4}},
		{"throughput_mbps", 0.003, 64, 16, true, []int{4, 8, 16}},
		{"throughput_mbps", 0.003, 6, 6, false, []int{4, 6}},
		{"cpp_by_stage.veth", 0.003, 64, 16, true, []int{4, 8, 16}},
		{"cpp_by_stage.nosuch", 0.5, 4, 4, false, []int{4}},
	} {
		plan, _ := load(2)
		var raised []int
		urs, final, o, err := run.RaiseReplications(context.Background(), plan, experimentstest.Fake, run.Config{Parallel: 2, Version: "test"},
			run.Target{Metric: tc.metric, RelHalfWidth: tc.target, MaxReps: tc.max}, run.WidestInterval(tc.metric), load,
			func(o run.Outcome, next int) { raised = append(raised, next) })
		if err != nil {
			t.Fatal(err)
		}
		if o.Reps != tc.wantReps || o.Met != tc.wantMet || final.Base.Replications != tc.wantReps || len(urs) != 2*tc.wantReps {
			t.Errorf("%s %v/%d: %+v, plan %d, %d units: want %d replications, met %v", tc.metric, tc.target, tc.max, o, final.Base.Replications, len(urs), tc.wantReps, tc.wantMet)
		}
		if !slices.Equal(raised, tc.wantRaisedTo) {
			t.Errorf("%s %v/%d: raised to %v, want %v", tc.metric, tc.target, tc.max, raised, tc.wantRaisedTo)
		}
		one, _ := load(o.Reps)
		want, err := run.Run(context.Background(), one, experimentstest.Fake, run.Config{Parallel: 1, Version: "test"})
		if err != nil {
			t.Fatal(err)
		}
		var a, b bytes.Buffer
		run.Aggregate(final, urs, "test").WriteJSON(&a)
		want.WriteJSON(&b)
		if a.String() != b.String() {
			t.Errorf("%s: the raised run differs from one run of %d replications", tc.metric, o.Reps)
		}
		if tc.metric == "cpp_by_stage.nosuch" && (o.Where != "not reported" || !math.IsInf(o.Widest, 1)) {
			t.Errorf("a metric nowhere reported: %+v", o)
		}
	}
}

// TestWidestIntervalQuantile: a quantile target's interval is the one
// over each replication's own quantile (here 90 and 1090 at p90: mean
// 590, half-width t(0.975, 1) x 1000/sqrt2/sqrt2 = 12.7062 x 500), not
// the pooled quantile's (which has none); a quantile the runner does not
// know is nowhere reported.
func TestWidestIntervalQuantile(t *testing.T) {
	plan, err := scenario.Load("q.toml", []byte("name = \"q\"\nreplications = 2\n"), scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var urs []run.UnitResult
	for rep, off := range []float64{0, 1000} {
		u := run.UnitResult{Unit: run.Unit{Rep: rep}}
		for i := 1; i <= 100; i++ {
			u.Sample.Observe("fct_us", float64(i)+off)
		}
		urs = append(urs, u)
	}
	w, where := run.WidestInterval("fct_us.p90")(plan, urs)
	if want := 12.706204736 * 500 / 590; math.Abs(w-want) > 1e-6 || where == run.NotReported {
		t.Errorf("fct_us.p90: widest %v at %q, want %v", w, where, want)
	}
	if w, where := run.WidestInterval("fct_us.p95")(plan, urs); !math.IsInf(w, 1) || where != run.NotReported {
		t.Errorf("fct_us.p95: widest %v at %q, want +Inf, not reported", w, where)
	}
}
