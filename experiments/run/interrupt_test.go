package run_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cnisim/cnisim/experiments/experimentstest"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
)

// A cancelled run returns an *Interrupted counting the units completed,
// with the context's cause, and no results.
func TestInterruptedCountsCompleted(t *testing.T) {
	p := loadPlan(t, "testdata/small.toml") // 12 units
	sig := errors.New("interrupt signal received")
	ctx, cancel := context.WithCancelCause(context.Background())
	var calls atomic.Int64
	model := func(c context.Context, sc *scenario.Scenario, rep int, seed uint64) (run.Sample, error) {
		if calls.Add(1) == 5 {
			cancel(sig)
			return run.Sample{}, c.Err() // a model that honours ctx mid-unit
		}
		return experimentstest.FakeRun(c, sc, rep, seed)
	}
	urs, err := run.RunUnits(ctx, p, run.PerReplication(model), run.Config{Parallel: 1})
	var ie *run.Interrupted
	if !errors.As(err, &ie) {
		t.Fatalf("got %v, want *Interrupted", err)
	}
	if urs != nil {
		t.Errorf("%d unit results returned from an interrupted run", len(urs))
	}
	if ie.Done != 4 || ie.Total != 12 {
		t.Errorf("Done/Total = %d/%d, want 4/12", ie.Done, ie.Total)
	}
	if !errors.Is(err, sig) || !errors.Is(err, context.Canceled) {
		t.Errorf("error %v does not wrap the cause and context.Canceled", err)
	}
	if !strings.Contains(err.Error(), "4 of 12 replications") {
		t.Errorf("message %q", err)
	}
}

// A model's own failure outranks the interruption that followed it.
func TestFailureOutranksInterrupt(t *testing.T) {
	p := loadPlan(t, "testdata/small.toml")
	ctx, cancel := context.WithCancel(context.Background())
	boom := errors.New("boom")
	model := func(c context.Context, sc *scenario.Scenario, rep int, seed uint64) (run.Sample, error) {
		cancel()
		return run.Sample{}, boom
	}
	_, err := run.RunUnits(ctx, p, run.PerReplication(model), run.Config{Parallel: 2})
	var ue *run.UnitError
	if !errors.Is(err, boom) || !errors.As(err, &ue) {
		t.Fatalf("got %v, want the unit's error", err)
	}
}

// A context cancelled after the last unit does not spoil a complete run.
func TestCancelAfterLastUnitIsSuccess(t *testing.T) {
	p := loadPlan(t, "testdata/small.toml")
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int64
	model := func(c context.Context, sc *scenario.Scenario, rep int, seed uint64) (run.Sample, error) {
		s, err := experimentstest.FakeRun(c, sc, rep, seed)
		if calls.Add(1) == 12 {
			cancel()
		}
		return s, err
	}
	urs, err := run.RunUnits(ctx, p, run.PerReplication(model), run.Config{Parallel: 1})
	if err != nil || len(urs) != 12 {
		t.Fatalf("got %d results, %v", len(urs), err)
	}
}
