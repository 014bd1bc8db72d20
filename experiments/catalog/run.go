package catalog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
)

// Runner runs experiments. Scenario runs are cached by file and form, so
// experiments that share a scenario file (Fig. 5 and Fig. 6) run it once.
type Runner struct {
	Model    run.Model
	Validate func(*scenario.Scenario) error // the model layer's checks (simulate.Validate)
	Parallel int                            // workers; <= 0: all cores
	Version  string
	Quick    bool
	Reps     int // > 0 overrides every scenario's replications
	// Sets are a user's --set overrides, applied to every scenario last
	// (Experiment.LoadWith): the experiments under another model setting.
	Sets []scenario.Override
	// Log receives one progress line per scenario; nil is silent.
	Log io.Writer
	// Bar, if set, returns a progress callback for a scenario's units and
	// a function to call when they are done.
	Bar func() (update func(done, total int), finish func())

	cache map[string]*Run
}

// Run is one scenario file's run.
type Run struct {
	File    string
	Plan    *scenario.Plan
	Results *results.Results
	// PerRep holds each unit's scalar metrics, [point][replication], for
	// tables of individual runs (the vendor's 5-run table).
	PerRep  [][]map[string]float64
	Elapsed time.Duration
	// Precision says how the replication count was reached when the
	// experiment has a Precision target ("" otherwise).
	Precision string
}

// Data is what an experiment's Analyse sees.
type Data struct {
	Exp   *Experiment
	Quick bool
	Runs  []*Run // in Exp.Scenarios order
}

// Run runs every scenario of e (or reuses a cached run) and returns them.
func (r *Runner) Run(ctx context.Context, e *Experiment) (*Data, error) {
	d := &Data{Exp: e, Quick: r.Quick}
	for i, f := range e.Scenarios {
		sr, err := r.scenario(ctx, e, f, fmt.Sprintf("%s [%d/%d]", e.Name, i+1, len(e.Scenarios)))
		if err != nil {
			return nil, err
		}
		d.Runs = append(d.Runs, sr)
	}
	return d, nil
}

func (r *Runner) scenario(ctx context.Context, e *Experiment, file, label string) (*Run, error) {
	plan, err := e.LoadWith(file, r.Quick, r.Reps, r.Sets, r.Validate)
	if err != nil {
		return nil, err
	}
	// The resolved scenario identifies the run: same text, same numbers.
	key := file + "\x00" + plan.Base.ResolvedString()
	if sr, ok := r.cache[key]; ok {
		r.logf("%s: %s (already run)\n", label, file)
		return sr, nil
	}
	r.logf("%s: %s: %d points x %d replications\n", label, file, plan.Len(), plan.Base.Replications)
	var update func(done, total int)
	var finish func()
	if r.Bar != nil {
		update, finish = r.Bar()
	}
	start := time.Now()
	var sr *Run
	var note string
	if e.Precision != nil && !r.Quick && r.Reps == 0 {
		sr, note, err = r.runToPrecision(ctx, e, file, plan, update)
	} else {
		sr, err = r.runPlan(ctx, plan, update)
	}
	if finish != nil {
		finish()
	}
	if err != nil {
		var ue *run.UnitError
		if errors.As(err, &ue) && ue.Stack != nil {
			r.logf("%s\n", ue.Stack)
		}
		return nil, fmt.Errorf("experiment %s, scenario %s: %w", e.Name, file, err)
	}
	sr.File, sr.Elapsed, sr.Precision = file, time.Since(start), note
	if r.cache == nil {
		r.cache = map[string]*Run{}
	}
	r.cache[key] = sr
	return sr, nil
}

func (r *Runner) logf(format string, a ...any) {
	if r.Log != nil {
		fmt.Fprintf(r.Log, format, a...)
	}
}

// runPlan runs a plan with run.Stream, the runner of `cnisim run`:
// each replication is folded into its point's running aggregates as it
// completes and only its scalars are kept (PerRep), so memory holds the
// replications in flight, not every raw sample (RR latencies: one
// observation per transaction). The results are those of one Aggregate
// over every unit.
func (r *Runner) runPlan(ctx context.Context, plan *scenario.Plan, update func(done, total int)) (*Run, error) {
	reps := plan.Base.Replications
	sr := &Run{Plan: plan, PerRep: make([][]map[string]float64, plan.Len())}
	for pt := range sr.PerRep {
		sr.PerRep[pt] = make([]map[string]float64, reps)
	}
	cfg := run.Config{Parallel: r.Parallel, Version: r.Version, Progress: update}
	agg := run.NewAggregator(plan, r.Version)
	err := run.Stream(ctx, plan, r.Model, cfg, func(u run.UnitResult) error {
		sr.PerRep[u.Point][u.Rep] = u.Sample.Scalars
		return agg.Add(u)
	})
	if err != nil {
		return nil, err
	}
	sr.Results = agg.Results()
	return sr, nil
}
