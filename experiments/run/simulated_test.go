package run_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cnisim/cnisim/experiments/experimentstest"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/sim"
)

// TestSimulatedProgress: while a replication runs, Config.Simulated sees
// the share of its simulated time that its engine has published (through
// ProgressOf), on top of the units completed; the results are those of a
// run without it.
func TestSimulatedProgress(t *testing.T) {
	t.Parallel()
	p := withReps(t, 2)
	const checks = 4096 // sim's checkEvery: the engine publishes at every check
	halfway := make(chan struct{})
	var once sync.Once
	var started atomic.Int32
	slow := func(ctx context.Context, sc *scenario.Scenario, rep int, seed uint64) (run.Sample, error) {
		second := started.Add(1) == 2 // one worker: units in order
		e := sim.NewEngine()
		e.ReportProgress(run.ProgressOf(ctx))
		for i := 1; i <= 3*checks; i++ {
			e.Schedule(sim.Time(i), sim.HandlerFunc(func(*sim.Engine, uint64) {
				if second && i == 2*checks+1 { // published 2 of 4 checks' worth
					select {
					case <-halfway:
					case <-time.After(20 * time.Second):
						t.Error("no progress seen while a replication was halfway")
					}
				}
			}), 0)
		}
		e.RunUntil(4 * checks)
		return experimentstest.FakeRun(ctx, sc, rep, seed)
	}
	var mu sync.Mutex
	var seen []float64
	cfg := run.Config{Parallel: 1, Version: "v", Simulated: func(done float64, total int) {
		mu.Lock()
		defer mu.Unlock()
		if total != 2*p.Len() {
			t.Errorf("total %d, want %d", total, 2*p.Len())
		}
		seen = append(seen, done)
		if done == 1.5 { // the first unit done, the second halfway
			once.Do(func() { close(halfway) })
		}
	}}
	got, err := run.Run(context.Background(), p, run.PerReplication(slow), cfg)
	if err != nil {
		t.Fatal(err)
	}
	want, err := run.Run(context.Background(), p, experimentstest.Fake, run.Config{Parallel: 1, Version: "v"})
	if err != nil {
		t.Fatal(err)
	}
	if g, _, _ := render(t, got); g != func() string { w, _, _ := render(t, want); return w }() {
		t.Error("results with progress differ from those without")
	}
	mu.Lock()
	defer mu.Unlock()
	for i, f := range seen {
		if f < 0 || f > float64(2*p.Len()) || i > 0 && f < seen[i-1] {
			t.Errorf("progress %v after %v: want non-decreasing in [0, %d]", f, seen[:i], 2*p.Len())
		}
	}
	select {
	case <-halfway:
	default:
		t.Errorf("Simulated never saw 1.5 (the second unit halfway): %v", seen)
	}
}
