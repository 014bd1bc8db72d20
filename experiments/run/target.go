package run

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/sim"
)

// Target is a precision a run's replications are raised to reach: the
// 95% interval of Metric within RelHalfWidth of the mean (0.05: 5%) at
// every point, at most MaxReps replications per point.
type Target struct {
	Metric       string // a scalar, a distribution (or its quantile as dist.p99: Quantiles), or a group member as group.member
	RelHalfWidth float64
	MaxReps      int
}

// Measure says how far a run is from a Target: the largest relative
// half-width over what it checks (+Inf where undefined) and where that is.
type Measure func(plan *scenario.Plan, urs []UnitResult) (widest float64, where string)

// NotReported is a Measure's where when no point reports the metric.
const NotReported = "not reported"

// Outcome is where RaiseReplications stopped.
type Outcome struct {
	Reps   int     // replications per point run
	Widest float64 // Measure's at the end
	Where  string  // and where
	Met    bool    // Widest <= RelHalfWidth (else the budget stopped it)
}

// RaiseReplications runs plan's replications, then rounds of new ones,
// the count doubled each round and at most t.MaxReps, until measure says
// the target holds. Only the new units run, each with its own seed
// (UnitSeed of its point and replication), so the units returned are
// those one run of the final count gives. reload returns the plan with a
// given replication count (the count is part of the results); raised is
// called before each new round.
func RaiseReplications(ctx context.Context, plan *scenario.Plan, m Model, cfg Config, t Target, measure Measure,
	reload func(reps int) (*scenario.Plan, error), raised func(o Outcome, next int)) ([]UnitResult, *scenario.Plan, Outcome, error) {
	var urs []UnitResult
	done, reps := 0, plan.Base.Replications
	for {
		var units []Unit
		for pt := range plan.Len() {
			for rep := done; rep < reps; rep++ {
				units = append(units, Unit{Point: pt, Rep: rep})
			}
		}
		c := cfg
		c.Units = units
		got, err := RunUnits(ctx, plan, m, c)
		if err != nil {
			return nil, nil, Outcome{}, err
		}
		urs = append(urs, got...)
		w, where := measure(plan, urs)
		o := Outcome{Reps: reps, Widest: w, Where: where, Met: w <= t.RelHalfWidth}
		if o.Met || reps >= t.MaxReps {
			return urs, plan, o, nil
		}
		next := min(2*reps, t.MaxReps)
		if raised != nil {
			raised(o, next)
		}
		done, reps = reps, next
		if plan, err = reload(reps); err != nil {
			return nil, nil, Outcome{}, err
		}
	}
}

// WidestInterval measures the 95% interval of metric relative to its
// mean at each point of the aggregated results (+Inf where undefined:
// fewer than two replications, or a zero mean with a spread), the widest
// and its point's parameters; points that do not report the metric are
// skipped. A metric no point reports measures +Inf at NotReported.
func WidestInterval(metric string) Measure {
	return func(plan *scenario.Plan, urs []UnitResult) (float64, string) {
		res := Aggregate(plan, urs, "")
		perRep := QuantileStats(urs, metric)
		w, where := math.Inf(1), NotReported
		found := false
		for i, pt := range res.Points {
			st, ok := statOf(pt, metric)
			if perRep != nil { // a point each, in the same order (both from the sorted units)
				ok = i < len(perRep) && perRep[i].N > 0
				if ok {
					st = perRep[i]
				}
			}
			if !ok {
				continue
			}
			rel := RelHalfWidth(st.Spread(), st.CI95, st.Mean)
			if !found || rel > w {
				w, where, found = rel, scenario.FormatParams(pt.Params), true
			}
		}
		return w, where
	}
}

// RelHalfWidth is a 95% interval's half-width relative to |mean|: +Inf
// without a spread or with a zero mean and a nonzero width, 0 for a
// metric that does not vary.
func RelHalfWidth(spread bool, ci95, mean float64) float64 {
	switch {
	case !spread:
		return math.Inf(1)
	case ci95 == 0:
		return 0
	case mean == 0:
		return math.Inf(1)
	}
	return ci95 / math.Abs(mean)
}

// FormatRel renders a relative half-width as a percentage with one
// decimal ("4.3%"), "undefined" for +Inf.
func FormatRel(x float64) string {
	if math.IsInf(x, 1) {
		return "undefined"
	}
	return fmt.Sprintf("%.1f%%", 100*x)
}

// QuantileStats summarises, per point in the results' order (Aggregate's),
// each replication's own quantile of a distribution named dist.p99
// (Quantiles, Sample.Value): the interval a tail's target rests on, where
// the results' pooled quantile has none. A point none of whose
// replications reports it has N 0. nil when metric names no quantile.
func QuantileStats(urs []UnitResult, metric string) []results.Stat {
	if _, q, ok := strings.Cut(metric, "."); !ok || !IsQuantile(q) {
		return nil
	}
	sorted := slices.Clone(urs)
	SortUnits(sorted) // replications in order: the sums run as Aggregate's
	var out []results.Stat
	var sum sim.Summary
	for i, u := range sorted {
		if v, ok := u.Sample.Value(metric); ok {
			sum.Add(v)
		}
		if i == len(sorted)-1 || sorted[i+1].Point != u.Point {
			out = append(out, results.Stat{Mean: sum.Mean(), StdDev: sum.StdDev(), CI95: sum.CI95(), N: sum.N()})
			sum = sim.Summary{}
		}
	}
	return out
}

// statOf finds a metric (or group.member) of a point.
func statOf(pt results.Point, metric string) (results.Stat, bool) {
	if group, member, ok := strings.Cut(metric, "."); ok {
		return pt.Member(group, member)
	}
	return pt.Stat(metric)
}
