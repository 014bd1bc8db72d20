package run

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/sim"
)

// Model prepares one sweep point (a scenario, already expanded): it
// resolves and validates everything the point needs (model data, profile,
// paths) once, and returns the Point that runs its replications. Stream
// prepares each point once, whatever its number of replications.
type Model func(sc *scenario.Scenario) (Point, error)

// Point runs one replication of a prepared sweep point with the given
// seed and returns what it measured. It must be deterministic in (rep,
// seed) and safe to call from several goroutines at once; it should
// return early when ctx is done.
type Point func(ctx context.Context, rep int, seed uint64) (Sample, error)

// PerReplication is a Model with nothing to prepare: f does all its work
// per replication.
func PerReplication(f func(ctx context.Context, sc *scenario.Scenario, rep int, seed uint64) (Sample, error)) Model {
	return func(sc *scenario.Scenario) (Point, error) {
		return func(ctx context.Context, rep int, seed uint64) (Sample, error) { return f(ctx, sc, rep, seed) }, nil
	}
}

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
	// Simulated, when set, is called every ProgressEvery of wall time
	// while units run, from the goroutine that calls Progress: done counts
	// the units completed plus the share of each running unit's simulated
	// time reached (a model that publishes it: ProgressOf), so that a long
	// replication shows how far it has got.
	Simulated func(done float64, total int)
	Version   string // cnisim_version in the results
}

// ProgressEvery is how often Stream calls Config.Simulated.
const ProgressEvery = 250 * time.Millisecond

type progressKey struct{}

// ProgressOf returns where the unit running under ctx may publish its
// progress (sim.Engine.ReportProgress), or nil when nobody asks.
func ProgressOf(ctx context.Context) *sim.Progress {
	p, _ := ctx.Value(progressKey{}).(*sim.Progress)
	return p
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

// Run runs the plan's units (cfg.Units, or all) and aggregates them as
// they complete: memory holds the units in flight, at most Window(workers)
// completed units waiting for an earlier one, and each point's running
// aggregates (Aggregator), not every replication's sample. The output is
// Aggregate's over the same units, byte for byte.
func Run(ctx context.Context, p *scenario.Plan, m Model, cfg Config) (*results.Results, error) {
	if cfg.Units != nil {
		cfg.Units = slices.Clone(cfg.Units)
		slices.SortFunc(cfg.Units, func(a, b Unit) int { return cmp.Or(cmp.Compare(a.Point, b.Point), cmp.Compare(a.Rep, b.Rep)) })
	}
	a := NewAggregator(p, cfg.Version)
	if err := Stream(ctx, p, m, cfg, a.Add); err != nil {
		return nil, err
	}
	return a.Results(), nil
}

// RunUnits runs units on a pool of cfg.Parallel workers and returns their
// results in the order of cfg.Units. It keeps every unit's sample: use it
// where the raw samples are the output (a shard's partial file); Run and
// Stream do not keep them.
func RunUnits(ctx context.Context, p *scenario.Plan, m Model, cfg Config) ([]UnitResult, error) {
	var out []UnitResult
	if cfg.Units != nil {
		out = make([]UnitResult, 0, len(cfg.Units))
	}
	err := Stream(ctx, p, m, cfg, func(u UnitResult) error {
		out = append(out, u)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Window is how many units Stream runs ahead of the earliest unit not yet
// handed on: the workers' own units plus as many completed ones waiting
// behind a slow one. It bounds the samples held at once.
func Window(workers int) int { return 4 * max(workers, 1) }

// Stream runs units on a pool of cfg.Parallel workers and hands each
// result to sink in the order of cfg.Units (point-major, replications
// within a point, when nil: that list is never built), from the calling
// goroutine. Units start no more than Window(workers) positions ahead of
// the earliest unit not yet handed on, so that at most that many samples
// are held. The first failure (the lowest unit position among those that
// failed; a sink's error outranks them) cancels the rest; cancelling ctx
// stops the pool after the units in flight and returns an *Interrupted
// that counts the units completed. After an error, sink has seen some
// units only.
func Stream(ctx context.Context, p *scenario.Plan, m Model, cfg Config, sink func(UnitResult) error) error {
	units := cfg.Units
	reps := p.Base.Replications
	total := len(units)
	if units == nil {
		// scenario.Load bounds points and replications; their product
		// fits an int on 64-bit platforms
		total = p.Len() * reps
	}
	unitAt := func(i int) Unit {
		if units != nil {
			return units[i]
		}
		return Unit{i / reps, i % reps}
	}
	for _, u := range units {
		if u.Point < 0 || u.Point >= p.Len() || u.Rep < 0 || u.Rep >= reps {
			return fmt.Errorf("unit (point %d, replication %d) outside the plan (%d points x %d replications)",
				u.Point, u.Rep, p.Len(), reps)
		}
	}
	workers := cfg.Parallel
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	workers = min(workers, max(total, 1))

	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Cancelling the run (a signal, a deadline, a failed unit) stops the
	// replications in flight inside their engines, not only between units.
	// Registered after cancel so that it is unregistered before the
	// deferred cancel of a run that ended normally.
	defer context.AfterFunc(ctx, sim.InterruptAll)()

	type outcome struct {
		i      int
		ur     UnitResult
		err    error
		worker int
		prog   *sim.Progress // the unit's, when Simulated is set
	}
	pts := newPrepared(p, m, units)
	slots := make(chan struct{}, Window(workers)) // one per unit started, not yet handed on
	jobs := make(chan int)
	done := make(chan outcome)
	var wg sync.WaitGroup
	// the running units' progress, one per worker, read by the ticks
	// below (display only); a unit's stays until its outcome is counted
	var live []atomic.Pointer[sim.Progress]
	if cfg.Simulated != nil {
		live = make([]atomic.Pointer[sim.Progress], workers)
	}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				uctx := ctx
				var prog *sim.Progress
				if live != nil {
					prog = new(sim.Progress)
					live[w].Store(prog)
					uctx = context.WithValue(ctx, progressKey{}, prog)
				}
				ur, err := runUnit(uctx, p, pts, unitAt(i))
				if err != nil {
					cancel()
				}
				done <- outcome{i, ur, err, w, prog}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i := range total {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(done) }()

	var (
		n, ok       int
		next        int                    // the position to hand on next
		pending     = map[int]UnitResult{} // completed, waiting for next
		failed      = -1                   // lowest position of a model's failure
		failErr     error
		cancelled   = -1 // lowest position of a cancellation
		cancelErr   error
		sinkErr     error
		recordError = func(i int, err error) {
			switch {
			case !isCancel(err):
				if failed < 0 || i < failed {
					failed, failErr = i, err
				}
			case cancelled < 0 || i < cancelled:
				cancelled, cancelErr = i, err
			}
		}
	)
	handle := func(o outcome) {
		n++
		if live != nil {
			live[o.worker].CompareAndSwap(o.prog, nil) // unless its next unit has begun
		}
		if o.err != nil {
			recordError(o.i, o.err)
		} else {
			ok++
			pending[o.i] = o.ur
			for sinkErr == nil {
				ur, has := pending[next]
				if !has {
					break
				}
				delete(pending, next)
				next++
				<-slots
				if err := sink(ur); err != nil {
					sinkErr = err
					cancel()
				}
			}
		}
		if cfg.Progress != nil {
			cfg.Progress(n, total)
		}
	}
	var tick <-chan time.Time // nil, never ready, without Simulated
	if live != nil {
		t := time.NewTicker(ProgressEvery)
		defer t.Stop()
		tick = t.C
	}
	for open := true; open; {
		select {
		case o, more := <-done:
			if open = more; more {
				handle(o)
			}
		case <-tick:
			f := float64(n)
			for w := range live {
				if prog := live[w].Load(); prog != nil {
					f += prog.Fraction()
				}
			}
			cfg.Simulated(min(f, float64(total)), total)
		}
	}
	if sinkErr != nil {
		return sinkErr
	}
	// A model's own failure outranks the cancellations it caused.
	if failErr != nil {
		return failErr
	}
	if parent.Err() != nil && (cancelErr != nil || n < total) {
		return &Interrupted{Done: ok, Total: total, Cause: context.Cause(parent)}
	}
	if cancelErr != nil {
		return cancelErr
	}
	if n < total {
		return fmt.Errorf("run stopped after %d of %d replications: %w", n, total, context.Cause(ctx))
	}
	return nil
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
func runUnit(ctx context.Context, p *scenario.Plan, pts *prepared, u Unit) (UnitResult, error) {
	defer pts.done(u.Point)
	for {
		ur, again, err := runUnitOnce(ctx, p, pts, u)
		if !again {
			return ur, err
		}
	}
}

func runUnitOnce(ctx context.Context, p *scenario.Plan, pts *prepared, u Unit) (ur UnitResult, again bool, err error) {
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
	run, stack, err := pts.get(u.Point, pt.Scenario)
	if err != nil {
		return UnitResult{}, false, fail(err, stack)
	}
	s, err := run(ctx, u.Rep, seed)
	if err == nil {
		err = s.check()
	}
	if err != nil {
		return UnitResult{}, false, fail(err, nil)
	}
	return UnitResult{Unit: u, Seed: seed, Sample: s}, false, nil
}
