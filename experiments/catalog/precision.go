package catalog

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/cnisim/cnisim/experiments/results"
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

// worst returns the largest relative half-width of metric over the
// points of res (+Inf where it is undefined: fewer than two replications,
// or a mean of 0 with a spread), and the point's index.
func (p *Precision) worst(res *results.Results) (float64, int) {
	w, at := 0.0, -1
	for i, pt := range res.Points {
		j := slices.IndexFunc(pt.Metrics, func(m results.Metric) bool { return m.Name == p.Metric })
		if j < 0 {
			continue
		}
		st := pt.Metrics[j].Stat
		rel := math.Inf(1)
		switch {
		case st.Spread() && st.Mean != 0:
			rel = st.CI95 / math.Abs(st.Mean)
		case st.Spread() && st.CI95 == 0:
			rel = 0
		}
		if at < 0 || rel > w {
			w, at = rel, i
		}
	}
	return w, at
}

// runToPrecision runs plan (the scenario's own replications) and then
// rounds of new replications until e.Precision holds or its budget is
// spent. Every unit keeps its seed (run.UnitSeed of the point and the
// replication), so the result is the one a single run of the final count
// gives, and it is deterministic.
func (r *Runner) runToPrecision(ctx context.Context, e *Experiment, file string, plan *scenario.Plan, update func(done, total int)) (*Run, string, error) {
	p := e.Precision
	var urs []run.UnitResult
	done, reps := 0, plan.Base.Replications
	for {
		var units []run.Unit
		for pt := range plan.Len() {
			for rep := done; rep < reps; rep++ {
				units = append(units, run.Unit{Point: pt, Rep: rep})
			}
		}
		got, err := run.RunUnits(ctx, plan, r.Model, run.Config{Parallel: r.Parallel, Version: r.Version, Units: units, Progress: update})
		if err != nil {
			return nil, "", err
		}
		urs = append(urs, got...)
		res := run.Aggregate(plan, urs, r.Version)
		w, at := p.worst(res)
		if w <= p.RelHalfWidth || reps >= p.MaxReps {
			note := fmt.Sprintf("%d replications per point: %s's 95%% interval within %s of the mean at every point (target %s, at most %d replications)",
				reps, p.Metric, pct(w), pct(p.RelHalfWidth), p.MaxReps)
			if w > p.RelHalfWidth {
				note = fmt.Sprintf("%d replications per point, the budget: %s's 95%% interval is %s of the mean at its widest (point %d), short of the target %s",
					reps, p.Metric, pct(w), at, pct(p.RelHalfWidth))
			}
			sr := &Run{Plan: plan, Results: res, PerRep: make([][]map[string]float64, plan.Len())}
			for pt := range sr.PerRep {
				sr.PerRep[pt] = make([]map[string]float64, reps)
			}
			for _, u := range urs {
				sr.PerRep[u.Point][u.Rep] = u.Sample.Scalars
			}
			return sr, note, nil
		}
		done, reps = reps, min(2*reps, p.MaxReps)
		r.logf("%s: %s: %s's interval is %s of the mean at point %d; raising the replications to %d\n", e.Name, file, p.Metric, pct(w), at, reps)
		if plan, err = e.Load(file, false, reps, r.Validate); err != nil {
			return nil, "", err
		}
	}
}

func pct(x float64) string {
	if math.IsInf(x, 1) {
		return "undefined"
	}
	return fmt.Sprintf("%.1f%%", 100*x)
}
