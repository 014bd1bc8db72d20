package run_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/sim"
)

// engineModel runs a sim engine whose one event reschedules itself after
// step (0: at the same instant) until the engine reaches one simulated
// second, calling hook at every event; it measures how many events ran.
func engineModel(step sim.Time, hook func(n uint64)) run.Model {
	return run.PerReplication(func(ctx context.Context, sc *scenario.Scenario, rep int, seed uint64) (run.Sample, error) {
		e := sim.NewEngine()
		var n uint64
		var h sim.HandlerFunc
		h = func(e *sim.Engine, arg uint64) {
			n++
			if hook != nil {
				hook(n)
			}
			e.After(step, h, arg)
		}
		e.Schedule(0, h, seed)
		e.RunUntil(sim.Second)
		var s run.Sample
		s.Set("throughput_mbps", float64(n))
		return s, nil
	})
}

// A replication stuck at one simulated instant fails with the watchdog's
// one-line error, without a stack (it is not a crash), instead of hanging.
func TestRunnerNoProgress(t *testing.T) {
	p := loadPlan(t, "testdata/small.toml")
	_, err := run.RunUnits(context.Background(), p, engineModel(0, nil), run.Config{Parallel: 2})
	var ue *run.UnitError
	if !errors.As(err, &ue) || !errors.Is(err, sim.ErrNoProgress) {
		t.Fatalf("got %v, want a unit error wrapping sim.ErrNoProgress", err)
	}
	if ue.Stack != nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "no progress at t = 0s") {
		t.Errorf("error %q (stack %d bytes)", err, len(ue.Stack))
	}
}

// Cancelling the context stops replications inside their engines: a run
// of endless replications returns *Interrupted within a second.
func TestRunnerCancelInsideReplication(t *testing.T) {
	p := loadPlan(t, "testdata/small.toml")
	ctx, cancel := context.WithCancel(context.Background())
	var started atomic.Bool
	slow := engineModel(sim.Picosecond, func(uint64) { started.Store(true) }) // 10^12 events: hours
	done := make(chan error, 1)
	go func() {
		_, err := run.RunUnits(ctx, p, slow, run.Config{Parallel: 2})
		done <- err
	}()
	for !started.Load() {
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		var ie *run.Interrupted
		if !errors.As(err, &ie) || ie.Done != 0 {
			t.Errorf("got %v, want *Interrupted with nothing done", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the run did not stop within 5 s of the cancellation")
	}
}

// An interrupt meant for another run in the process (its context is
// cancelled, ours is not) re-runs the interrupted replication: the results
// are those of an undisturbed run.
func TestRunnerForeignInterruptReruns(t *testing.T) {
	p := loadPlan(t, "testdata/small.toml")
	model := engineModel(sim.Microsecond, nil)
	want, err := run.RunUnits(context.Background(), p, model, run.Config{Parallel: 1})
	if err != nil {
		t.Fatal(err)
	}
	var fired atomic.Int64
	var calls atomic.Int64
	disturbed := run.PerReplication(func(ctx context.Context, sc *scenario.Scenario, rep int, seed uint64) (run.Sample, error) {
		calls.Add(1)
		point, err := engineModel(sim.Microsecond, func(n uint64) {
			if n == 100_000 && fired.Add(1) <= 2 {
				sim.InterruptAll() // as another run's cancellation would
			}
		})(sc)
		if err != nil {
			return run.Sample{}, err
		}
		return point(ctx, rep, seed)
	})
	got, err := run.RunUnits(context.Background(), p, disturbed, run.Config{Parallel: 1})
	if err != nil {
		t.Fatal(err)
	}
	if c := calls.Load(); c != int64(len(want))+2 {
		t.Errorf("%d model calls for %d units and 2 interrupts", c, len(want))
	}
	for i := range want {
		if got[i].Sample.Scalars["throughput_mbps"] != want[i].Sample.Scalars["throughput_mbps"] || got[i].Unit != want[i].Unit {
			t.Errorf("unit %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}
