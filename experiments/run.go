package experiments

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/sim"
)

// Model runs one replication of one scenario (a sweep point, already
// resolved) with the given seed and returns what it measured. It must be
// deterministic in (sc, rep, seed) and safe to call from several
// goroutines at once; it should return early when ctx is done.
type Model func(ctx context.Context, sc *scenario.Scenario, rep int, seed uint64) (Sample, error)

// Unit is one replication of one sweep point.
type Unit struct {
	Point int
	Rep   int
}

// UnitResult is a unit's raw outcome, kept so that shards of a sweep can
// be merged and re-aggregated.
type UnitResult struct {
	Unit
	Seed   uint64
	Sample Sample
}

// Config shapes a run.
type Config struct {
	Parallel int                   // workers; <= 0 means runtime.NumCPU()
	Units    []Unit                // the units to run; nil means all (Units(plan))
	Progress func(done, total int) // called after each unit, from one goroutine
	Version  string                // cnisim_version in the results
}

// UnitError is a replication that failed or panicked; it names the point's
// parameters and the seed so that the unit can be rerun alone.
type UnitError struct {
	Unit
	Params []scenario.Param
	Seed   uint64
	Err    error
	Stack  []byte // set when the model panicked
}

func (e *UnitError) Error() string {
	return fmt.Sprintf("point %d %s replication %d (seed %d): %v",
		e.Point, scenario.FormatParams(e.Params), e.Rep, e.Seed, e.Err)
}

func (e *UnitError) Unwrap() error { return e.Err }

// Units lists every unit of a plan in order: point-major, replications
// within a point.
func Units(p *scenario.Plan) []Unit {
	reps := p.Base.Replications
	us := make([]Unit, 0, p.Len()*reps)
	for pt := range p.Len() {
		for r := range reps {
			us = append(us, Unit{pt, r})
		}
	}
	return us
}

// Run runs the plan's units and aggregates them.
func Run(ctx context.Context, p *scenario.Plan, m Model, cfg Config) (*results.Results, error) {
	urs, err := RunUnits(ctx, p, m, cfg)
	if err != nil {
		return nil, err
	}
	return Aggregate(p, urs, cfg.Version), nil
}

// RunUnits runs units on a pool of cfg.Parallel workers and returns their
// results in the order of cfg.Units. The first failure (the lowest unit
// position among those that failed) cancels the rest; cancelling ctx stops
// the pool after the units in flight and returns an *Interrupted that
// counts the units completed.
func RunUnits(ctx context.Context, p *scenario.Plan, m Model, cfg Config) ([]UnitResult, error) {
	units := cfg.Units
	if units == nil {
		units = Units(p)
	}
	for _, u := range units {
		if u.Point < 0 || u.Point >= p.Len() || u.Rep < 0 || u.Rep >= p.Base.Replications {
			return nil, fmt.Errorf("unit (point %d, replication %d) outside the plan (%d points x %d replications)",
				u.Point, u.Rep, p.Len(), p.Base.Replications)
		}
	}
	workers := cfg.Parallel
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	workers = min(workers, max(len(units), 1))

	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Cancelling the run (a signal, a deadline, a failed unit) stops the
	// replications in flight inside their engines, not only between units.
	// Registered after cancel so that it is unregistered before the
	// deferred cancel of a run that ended normally.
	defer context.AfterFunc(ctx, sim.InterruptAll)()
	out := make([]UnitResult, len(units))
	errs := make([]error, len(units))
	ok := make([]bool, len(units))
	jobs := make(chan int)
	done := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				out[i], errs[i] = runUnit(ctx, p, m, units[i])
				ok[i] = errs[i] == nil
				if errs[i] != nil {
					cancel()
				}
				done <- i
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range units {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(done) }()
	n := 0
	for range done {
		n++
		if cfg.Progress != nil {
			cfg.Progress(n, len(units))
		}
	}
	// A model's own failure outranks the cancellations it caused.
	var first error
	for _, err := range errs {
		if err != nil && !isCancel(err) {
			return nil, err
		}
		if first == nil {
			first = err
		}
	}
	if parent.Err() != nil && (first != nil || n < len(units)) {
		done := 0
		for _, b := range ok {
			if b {
				done++
			}
		}
		return nil, &Interrupted{Done: done, Total: len(units), Cause: context.Cause(parent)}
	}
	if first != nil {
		return nil, first
	}
	if n < len(units) {
		return nil, fmt.Errorf("run stopped after %d of %d replications: %w", n, len(units), context.Cause(ctx))
	}
	return out, nil
}

func isCancel(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// Interrupted is a run whose context was cancelled (a signal, a deadline)
// before every unit completed. No results are returned: the completed
// units alone would look like a smaller, finished run.
type Interrupted struct {
	Done, Total int   // units completed, units asked for
	Cause       error // context.Cause of the run's context
}

func (e *Interrupted) Error() string {
	return fmt.Sprintf("interrupted (%v) after %d of %d replications", e.Cause, e.Done, e.Total)
}

// Unwrap yields the cause and context.Canceled, so errors.Is works with
// either.
func (e *Interrupted) Unwrap() []error { return []error{e.Cause, context.Canceled} }

// runUnit runs one replication, turning a panic into a *UnitError. An
// engine's abort (sim.Abort) is an error, not a crash: the watchdog's "no
// progress" is the unit's failure, an interrupt with this run's context
// cancelled is a cancellation, and an interrupt meant for another run in
// the same process (sim.InterruptAll is process-wide) runs the unit again,
// which, being deterministic, gives the same result.
func runUnit(ctx context.Context, p *scenario.Plan, m Model, u Unit) (UnitResult, error) {
	for {
		ur, again, err := runUnitOnce(ctx, p, m, u)
		if !again {
			return ur, err
		}
	}
}

func runUnitOnce(ctx context.Context, p *scenario.Plan, m Model, u Unit) (ur UnitResult, again bool, err error) {
	pt := p.Point(u.Point)
	seed := UnitSeed(p.Base.Seed, u.Point, u.Rep)
	fail := func(e error, stack []byte) error {
		return &UnitError{Unit: u, Params: pt.Params, Seed: seed, Err: e, Stack: stack}
	}
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		a, ok := r.(*sim.Abort)
		switch {
		case !ok:
			err = fail(fmt.Errorf("panic: %v", r), debug.Stack())
		case !errors.Is(a, sim.ErrInterrupted):
			err = fail(a, nil)
		case ctx.Err() != nil:
			err = fail(ctx.Err(), nil)
		default:
			again = true
		}
	}()
	if err := ctx.Err(); err != nil {
		return UnitResult{}, false, fail(err, nil)
	}
	s, err := m(ctx, pt.Scenario, u.Rep, seed)
	if err == nil {
		err = s.check()
	}
	if err != nil {
		return UnitResult{}, false, fail(err, nil)
	}
	return UnitResult{Unit: u, Seed: seed, Sample: s}, false, nil
}
