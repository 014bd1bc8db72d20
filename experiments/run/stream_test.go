package run_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/cnisim/cnisim/experiments/experimentstest"
	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
)

// withReps returns the plan of testdata/small.toml with n replications.
func withReps(t *testing.T, n int64) *scenario.Plan {
	t.Helper()
	p, err := scenario.Load("testdata/small.toml", mustRead(t, "testdata/small.toml"), scenario.Options{
		Overrides: []scenario.Override{{Key: "replications", Value: n, Source: "test"}}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// jittery is Fake with completions out of order: a replication's delay
// depends on its seed, so workers finish in an order unlike the units'.
func jittery(ctx context.Context, sc *scenario.Scenario, rep int, seed uint64) (run.Sample, error) {
	time.Sleep(time.Duration(seed%7) * 50 * time.Microsecond)
	return experimentstest.FakeRun(ctx, sc, rep, seed)
}

// TestStreamedEqualsAggregate: the streamed run (Run) gives, byte for
// byte, what Aggregate gives over every kept unit, whatever the
// parallelism, with completions out of order, and over a shard's units
// given in any order.
func TestStreamedEqualsAggregate(t *testing.T) {
	t.Parallel()
	p := withReps(t, 40)
	urs, err := run.RunUnits(context.Background(), p, experimentstest.Fake, run.Config{Parallel: 1})
	if err != nil {
		t.Fatal(err)
	}
	want, _, _ := render(t, run.Aggregate(p, urs, "v"))
	for _, par := range []int{1, 2, 7, 64} {
		r, err := run.Run(context.Background(), p, run.PerReplication(jittery), run.Config{Parallel: par, Version: "v"})
		if err != nil {
			t.Fatal(err)
		}
		if got, _, _ := render(t, r); got != want {
			t.Errorf("--parallel %d: streamed results differ from Aggregate's", par)
		}
	}
	// a shard's units, reversed: Run sorts them
	var units []run.Unit
	var kept []run.UnitResult
	for i := len(urs) - 1; i >= 0; i -= 3 {
		units = append(units, urs[i].Unit)
		kept = append(kept, urs[i])
	}
	r, err := run.Run(context.Background(), p, run.PerReplication(jittery), run.Config{Parallel: 3, Version: "v", Units: units})
	if err != nil {
		t.Fatal(err)
	}
	got, _, _ := render(t, r)
	if w, _, _ := render(t, run.Aggregate(p, kept, "v")); got != w {
		t.Error("a shard's streamed results differ from Aggregate over its units")
	}
}

// TestAggregatorRefusesDisorder: a unit out of order would change the
// summation order, so the Aggregator refuses it rather than giving other
// digits.
func TestAggregatorRefusesDisorder(t *testing.T) {
	t.Parallel()
	p := withReps(t, 3)
	u := func(pt, rep int) run.UnitResult {
		return run.UnitResult{Unit: run.Unit{Point: pt, Rep: rep}}
	}
	for _, tc := range []struct {
		seq  []run.UnitResult
		want string
	}{
		{[]run.UnitResult{u(0, 1), u(0, 0)}, "point 0 replication 0 arrived after replication 1"},
		{[]run.UnitResult{u(0, 0), u(0, 0)}, "point 0 replication 0 arrived after replication 0"},
		{[]run.UnitResult{u(0, 0), u(1, 0), u(0, 1)}, "point 0 replication 1 arrived after the point was summarised"},
	} {
		a := run.NewAggregator(p, "v")
		var err error
		for _, x := range tc.seq {
			if err = a.Add(x); err != nil {
				break
			}
		}
		if err == nil || err.Error() != "aggregate: "+tc.want {
			t.Errorf("%v: got %v, want %q", tc.seq, err, tc.want)
		}
	}
}

// TestStreamMemoryBounded: a run of many replications holds the units in
// flight and each point's running aggregates, not every replication's
// sample: the live heap, sampled as the run goes, stays under a bound
// independent of the replication count (keeping every UnitResult of this
// run, with its maps, takes well over 100 MB).
func TestStreamMemoryBounded(t *testing.T) {
	reps := int64(100_000)
	if testing.Short() {
		reps = 25_000
	}
	p := withReps(t, reps)
	// scalars and groups only: a distribution's pooled samples grow with
	// the replications by design (the quantiles are over all of them)
	model := run.PerReplication(func(ctx context.Context, sc *scenario.Scenario, rep int, seed uint64) (run.Sample, error) {
		s, err := experimentstest.FakeRun(ctx, sc, rep, seed)
		delete(s.Dists, results.RTTMicros)
		for i := range 8 {
			s.SetGroup("extra", fmt.Sprintf("member%d", i), float64(rep+i))
		}
		return s, err
	})
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	base := heap()
	var peak uint64
	cfg := run.Config{Parallel: 4, Progress: func(done, _ int) {
		if done%(int(reps)/10) == 0 {
			peak = max(peak, heap())
		}
	}}
	r, err := run.Run(context.Background(), p, model, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if n := r.Points[0].Metrics[0].Stat.N; n != int(reps) {
		t.Fatalf("first metric over %d replications, want %d", n, reps)
	}
	t.Logf("live heap grew by %d bytes over %d units", int64(peak)-int64(base), p.Len()*int(reps))
	const bound = 4 << 20
	if grew := int64(peak) - int64(base); grew > bound {
		t.Errorf("live heap grew by %d bytes during %d points x %d replications, want < %d", grew, p.Len(), reps, bound)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
