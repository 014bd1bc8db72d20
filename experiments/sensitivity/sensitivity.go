package sensitivity

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/sim"
)

// MaxStep bounds r: a step of 1 or more would price a stage at nothing
// or less.
const MaxStep = 0.9

// Factors are the two scale factors of a stage for step r, relative to
// the scale the scenario gives it (base, 1 without one).
func Factors(base, r float64) (lower, upper float64) { return base * (1 - r), base * (1 + r) }

// Stages returns the stages a base run crossed: the members of
// cpp_by_stage above zero at some point, in the kinds' canonical order.
func Stages(base []run.UnitResult) []string {
	seen := map[string]bool{}
	for _, u := range base {
		for s, v := range u.Sample.Groups[results.CPPByStage] {
			if v > 0 {
				seen[s] = true
			}
		}
	}
	return slices.DeleteFunc(datapath.KindNames(), func(s string) bool { return !seen[s] })
}

// Varied is one stage's two runs: the units with its costs scaled down
// (Lower) and up (Upper).
type Varied struct {
	Stage        string
	Lower, Upper []run.UnitResult
}

// Elasticities pairs the base run's units with each stage's two runs,
// replication by replication, and returns every point's elasticities of
// the metrics (a scalar, a distribution's per-replication mean, or a
// group member as group.member) that the three runs all report; a
// replication whose base value is 0 has no elasticity and is left out.
// provenance, if not nil, says where a point's stage cost comes from.
func Elasticities(plan *scenario.Plan, step float64, metrics []string, base []run.UnitResult, varied []Varied,
	provenance func(point int, stage string) string) *results.Sensitivity {
	out := &results.Sensitivity{Step: step, Metrics: metrics}
	type key struct{ point, rep int }
	index := func(us []run.UnitResult) map[key]run.Sample {
		m := make(map[key]run.Sample, len(us))
		for _, u := range us {
			m[key{u.Point, u.Rep}] = u.Sample
		}
		return m
	}
	b := index(base)
	lo, hi := make([]map[key]run.Sample, len(varied)), make([]map[key]run.Sample, len(varied))
	for i, v := range varied {
		lo[i], hi[i] = index(v.Lower), index(v.Upper)
	}
	for pt := range plan.Len() {
		p := results.SensitivityPoint{Params: plan.Point(pt).Params}
		for i, v := range varied {
			row := results.StageSensitivity{Stage: v.Stage}
			if provenance != nil {
				row.Provenance = provenance(pt, v.Stage)
			}
			for _, m := range metrics {
				var e, x0 sim.Summary
				for rep := range plan.Base.Replications {
					k := key{pt, rep}
					b0, ok0 := b[k].Value(m)
					l, okl := lo[i][k].Value(m)
					h, okh := hi[i][k].Value(m)
					if !ok0 || !okl || !okh || b0 == 0 {
						continue
					}
					e.Add((h - l) / (2 * step * b0))
					x0.Add(b0)
				}
				el := results.Elasticity{Metric: m, N: e.N(), Base: x0.Mean(), Mean: e.Mean()}
				if e.N() >= 2 {
					el.CI95 = e.CI95()
				}
				row.Elasticities = append(row.Elasticities, el)
			}
			p.Stages = append(p.Stages, row)
		}
		// the stages the first metric hinges on most first
		slices.SortStableFunc(p.Stages, func(a, b results.StageSensitivity) int {
			return cmp.Compare(math.Abs(b.Elasticities[0].Mean), math.Abs(a.Elasticities[0].Mean))
		})
		out.Points = append(out.Points, p)
	}
	return out
}

// Reported returns the metrics of want that some base unit reports, in
// want's order, and the ones none does.
func Reported(base []run.UnitResult, want []string) (have, missing []string) {
	for _, m := range want {
		found := false
		for _, u := range base {
			if _, ok := u.Sample.Value(m); ok {
				found = true
				break
			}
		}
		if found {
			have = append(have, m)
		} else {
			missing = append(missing, m)
		}
	}
	return have, missing
}

// CheckStep validates r.
func CheckStep(r float64) error {
	if !(r > 0 && r <= MaxStep) {
		return fmt.Errorf("want a step in (0, %v] (0.2 or 20%%: the costs at 0.8x and 1.2x), got %v", MaxStep, r)
	}
	return nil
}
