package catalog

import (
	"context"
	"fmt"

	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
)

// Precision is an experiment's replication target in its full form: the
// differences it is meant to show are only readable when the intervals
// are narrower than them. After the scenario's own replications, more are
// run (the count doubled each round, only the new ones simulated) until
// every point's 95% interval of Metric is within RelHalfWidth of its mean,
// or MaxReps is reached; the count reached is the one written into the
// experiment's scenario.toml, so `cnisim run` on it gives the same
// numbers. The quick form and an explicit --reps keep their counts.
type Precision struct {
	Metric       string
	RelHalfWidth float64 // e.g. 0.05: the ci95 half-width within 5% of the mean
	MaxReps      int     // the time budget, in replications per point
}

// runToPrecision runs plan (the scenario's own replications) and then
// rounds of new replications until e.Precision holds or its budget is
// spent (run.RaiseReplications), deterministic and equal to a single run
// of the final count.
func (r *Runner) runToPrecision(ctx context.Context, e *Experiment, file string, plan *scenario.Plan, update func(done, total int)) (*Run, string, error) {
	p := e.Precision
	t := run.Target{Metric: p.Metric, RelHalfWidth: p.RelHalfWidth, MaxReps: p.MaxReps}
	cfg := run.Config{Parallel: r.Parallel, Version: r.Version, Progress: update}
	reload := func(reps int) (*scenario.Plan, error) { return e.LoadWith(file, false, reps, r.Sets, r.Validate) }
	raised := func(o run.Outcome, next int) {
		r.logf("%s: %s: %s's interval is %s of the mean at %s; raising the replications to %d\n", e.Name, file, p.Metric, run.FormatRel(o.Widest), o.Where, next)
	}
	urs, plan, o, err := run.RaiseReplications(ctx, plan, r.Model, cfg, t, run.WidestInterval(p.Metric), reload, raised)
	if err != nil {
		return nil, "", err
	}
	note := fmt.Sprintf("%d replications per point: %s's 95%% interval within %s of the mean at every point (target %s, at most %d replications)",
		o.Reps, p.Metric, run.FormatRel(o.Widest), run.FormatRel(p.RelHalfWidth), p.MaxReps)
	if !o.Met {
		note = fmt.Sprintf("%d replications per point, the budget: %s's 95%% interval is %s of the mean at its widest (%s), short of the target %s",
			o.Reps, p.Metric, run.FormatRel(o.Widest), o.Where, run.FormatRel(p.RelHalfWidth))
	}
	sr := &Run{Plan: plan, Results: run.Aggregate(plan, urs, r.Version), PerRep: make([][]map[string]float64, plan.Len())}
	for pt := range sr.PerRep {
		sr.PerRep[pt] = make([]map[string]float64, o.Reps)
	}
	for _, u := range urs {
		sr.PerRep[u.Point][u.Rep] = u.Sample.Scalars
	}
	return sr, note, nil
}
