package catalog

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/experiments/experimentstest"
	"github.com/cnisim/cnisim/experiments/run"
)

// The replication target doubles the replications until the widest
// interval is within it (the fake model's 2% uniform noise: ~5% at 2
// replications, ~0.9% at 4, ~0.5% at 8), and the result is the one a
// single run of the final count gives, byte for byte; a budget too small
// stops at the budget and says so.
func TestRunToPrecision(t *testing.T) {
	for _, tc := range []struct {
		target   float64
		max      int
		wantReps int
		wantNote string
	}{
		{0.005, 64, 8, "8 replications per point: throughput_mbps's 95% interval within"},
		{0.005, 4, 4, "4 replications per point, the budget"},
		{0.5, 64, 2, "2 replications per point"},
	} {
		e := &Experiment{Name: "precise", Scenarios: []string{"encap-flannel.toml"},
			Precision: &Precision{Metric: "throughput_mbps", RelHalfWidth: tc.target, MaxReps: tc.max}}
		r := &Runner{Model: experimentstest.Fake, Version: "test", Parallel: 2}
		d, err := r.Run(context.Background(), e)
		if err != nil {
			t.Fatal(err)
		}
		sr := d.Runs[0]
		if got := sr.Plan.Base.Replications; got != tc.wantReps || !strings.HasPrefix(sr.Precision, tc.wantNote) {
			t.Errorf("target %v, budget %d: %d replications (%q), want %d (%q...)", tc.target, tc.max, got, sr.Precision, tc.wantReps, tc.wantNote)
		}
		for pt := range sr.PerRep {
			for rep, sc := range sr.PerRep[pt] {
				if sc == nil {
					t.Fatalf("point %d replication %d has no scalars", pt, rep)
				}
			}
		}
		plan, err := e.Load("encap-flannel.toml", false, tc.wantReps, nil)
		if err != nil {
			t.Fatal(err)
		}
		want, err := run.Run(context.Background(), plan, experimentstest.Fake, run.Config{Parallel: 1, Version: "test"})
		if err != nil {
			t.Fatal(err)
		}
		var a, b bytes.Buffer
		sr.Results.WriteJSON(&a)
		want.WriteJSON(&b)
		if a.String() != b.String() {
			t.Errorf("target %v: the raised run differs from one run of %d replications", tc.target, tc.wantReps)
		}
	}
}
