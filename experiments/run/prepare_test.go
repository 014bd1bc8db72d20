package run_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/cnisim/cnisim/experiments/experimentstest"
	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
)

// countPrepares wraps the fake model, counting the preparations of each
// point (by its MTU and mode) and the replications run.
func countPrepares(prepared map[string]int, mu *sync.Mutex, reps *int) run.Model {
	return func(sc *scenario.Scenario) (run.Point, error) {
		key := sc.CNI.Mode + "/" + scenario.Format(sc.Cluster.MTU)
		mu.Lock()
		prepared[key]++
		mu.Unlock()
		point, err := experimentstest.Fake(sc)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, rep int, seed uint64) (run.Sample, error) {
			mu.Lock()
			*reps++
			mu.Unlock()
			return point(ctx, rep, seed)
		}, nil
	}
}

// Each sweep point is prepared exactly once, whatever the replications,
// the workers and the units asked for; the results are those of a model
// that does everything per replication.
func TestEachPointPreparedOnce(t *testing.T) {
	p := loadPlan(t, "testdata/small.toml") // 4 points x 3 replications
	want, err := run.Run(context.Background(), p, experimentstest.Fake, run.Config{Parallel: 1, Version: "v"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		cfg   run.Config
		runs  int
		preps int
	}{
		{"serial", run.Config{Parallel: 1}, 12, 4},
		{"parallel", run.Config{Parallel: 3}, 12, 4},
		{"units", run.Config{Parallel: 2, Units: []run.Unit{{Point: 3, Rep: 2}, {Point: 1, Rep: 0}, {Point: 3, Rep: 0}}}, 3, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			prepared, reps := map[string]int{}, 0
			tc.cfg.Version = "v"
			got, err := run.Run(context.Background(), p, countPrepares(prepared, &mu, &reps), tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if reps != tc.runs || len(prepared) != tc.preps {
				t.Errorf("%d replications over %d prepared points, want %d over %d", reps, len(prepared), tc.runs, tc.preps)
			}
			for k, n := range prepared {
				if n != 1 {
					t.Errorf("point %s prepared %d times", k, n)
				}
			}
			if g, w := jsonOf(t, got), jsonOf(t, want); tc.cfg.Units == nil && g != w {
				t.Error("results differ from the per-replication model's")
			}
		})
	}
}

// A point that cannot be prepared fails its units with the preparation's
// error, named with the point's parameters and a seed.
func TestPrepareErrorFailsUnit(t *testing.T) {
	p := loadPlan(t, "testdata/small.toml")
	bad := errors.New("no such profile")
	m := func(sc *scenario.Scenario) (run.Point, error) {
		if sc.CNI.Mode == "host-gw" {
			return nil, bad
		}
		return experimentstest.Fake(sc)
	}
	_, err := run.Run(context.Background(), p, m, run.Config{Parallel: 2})
	var ue *run.UnitError
	if !errors.As(err, &ue) || !errors.Is(err, bad) || !strings.Contains(err.Error(), `cni.mode="host-gw"`) {
		t.Fatalf("got %v, want the preparation's error for a host-gw point", err)
	}
}

// A preparation that panics is a unit error with a stack, not a crash.
func TestPreparePanicIsUnitError(t *testing.T) {
	p := loadPlan(t, "testdata/small.toml")
	m := func(sc *scenario.Scenario) (run.Point, error) { panic("boom") }
	_, err := run.Run(context.Background(), p, m, run.Config{Parallel: 2})
	var ue *run.UnitError
	if !errors.As(err, &ue) || len(ue.Stack) == 0 || !strings.Contains(err.Error(), "panic: boom") {
		t.Fatalf("got %v, want a unit error with the panic's stack", err)
	}
}

func jsonOf(t *testing.T, r *results.Results) string {
	js, _, _ := render(t, r)
	return js
}
