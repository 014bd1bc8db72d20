package compare

import (
	"maps"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/sim"
)

// Collector keeps every replication's value of every metric, per point,
// for pairing: scalars, a distribution's per-replication mean (the value
// its mean and interval rest on, results.Stat), and a group's members as
// group.member. Units may arrive in any order.
type Collector struct {
	base *Baseline
	reps int
	vals map[int]map[string][]float64 // point -> metric -> value per replication (NaN: not reported)
}

// NewCollector returns an empty collector for the baseline's plan.
func NewCollector(b *Baseline) *Collector {
	return &Collector{base: b, reps: b.plan.Base.Replications, vals: map[int]map[string][]float64{}}
}

// Add records one unit's metrics.
func (c *Collector) Add(u run.UnitResult) {
	if u.Rep < 0 || u.Rep >= c.reps {
		return // not a replication of this plan: nothing to pair it with
	}
	m := c.vals[u.Point]
	if m == nil {
		m = map[string][]float64{}
		c.vals[u.Point] = m
	}
	u.Sample.EachValue(func(name string, v float64) {
		vs := m[name]
		if vs == nil {
			vs = make([]float64, c.reps)
			for i := range vs {
				vs[i] = math.NaN()
			}
			m[name] = vs
		}
		vs[u.Rep] = v
	})
}

// Comparisons pairs every point that is not a baseline with its
// baseline, in point order; metrics in the results' order (members of a
// group sorted), each over the replications both points reported. A
// point whose baseline did not run is left out.
func (c *Collector) Comparisons() *results.Comparisons {
	out := &results.Comparisons{Baseline: c.base.Params}
	for _, i := range slices.Sorted(maps.Keys(c.vals)) {
		j := c.base.Of(i)
		bm, ok := c.vals[j]
		if j == i || !ok {
			continue
		}
		pm := c.vals[i]
		cmp := results.Comparison{Point: c.base.plan.Point(i).Params, Baseline: c.base.plan.Point(j).Params}
		for _, name := range sortedNames(pm) {
			bv, ok := bm[name]
			if !ok {
				continue
			}
			if d, ok := pair(name, pm[name], bv); ok {
				cmp.Metrics = append(cmp.Metrics, d)
			}
		}
		out.Points = append(out.Points, cmp)
	}
	return out
}

// sortedNames orders metric names as results do: scalars, distributions
// and groups in the results' order, a group's members (group.member)
// together in theirs.
func sortedNames(m map[string][]float64) []string {
	members := map[string][]string{} // top-level name -> members ("" for a scalar or distribution)
	for n := range m {
		top, mb, _ := strings.Cut(n, ".")
		members[top] = append(members[top], mb)
	}
	tops := slices.Collect(maps.Keys(members))
	results.SortMetricNames(tops)
	var names []string
	for _, top := range tops {
		ms := members[top]
		results.SortMemberNames(ms)
		for _, mb := range ms {
			if mb == "" {
				names = append(names, top)
			} else {
				names = append(names, top+"."+mb)
			}
		}
	}
	return names
}

// pair summarises the replications both value lists have.
func pair(name string, x, base []float64) (results.Diff, bool) {
	var xs, bs, ds sim.Summary
	for r := range x {
		if math.IsNaN(x[r]) || math.IsNaN(base[r]) {
			continue
		}
		xs.Add(x[r])
		bs.Add(base[r])
		ds.Add(x[r] - base[r])
	}
	if ds.N() == 0 {
		return results.Diff{}, false
	}
	d := results.Diff{Name: name, N: ds.N(), Base: bs.Mean(), Value: xs.Mean(), Diff: ds.Mean()}
	if d.N >= 2 {
		d.StdDev, d.CI95 = ds.StdDev(), ds.CI95()
		d.CI95Unpaired = welch95(xs, bs)
	}
	return d, true
}

// welch95 is the half-width of Welch's 95% interval for the difference of
// two independent samples' means (Welch-Satterthwaite degrees of freedom).
func welch95(a, b sim.Summary) float64 {
	va, vb := a.Variance()/float64(a.N()), b.Variance()/float64(b.N())
	se2 := va + vb
	if se2 == 0 {
		return 0
	}
	df := se2 * se2 / (va*va/float64(a.N()-1) + vb*vb/float64(b.N()-1))
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(0.975) * math.Sqrt(se2)
}

// WidestDifference measures, for run.RaiseReplications, the paired 95%
// interval of metric's difference relative to the baseline's mean, the
// widest over the compared points (+Inf where undefined: one pair, or a
// zero baseline mean with a spread) and the comparison it is at. The
// baseline is rebuilt on each plan the rounds run (its replication count
// grows).
func WidestDifference(baseline []scenario.Override, metric string) run.Measure {
	return func(plan *scenario.Plan, urs []run.UnitResult) (float64, string) {
		b, err := NewBaseline(plan, baseline)
		if err != nil {
			return math.Inf(1), err.Error() // checked before the run: not reached
		}
		c := NewCollector(b)
		for _, u := range urs {
			c.Add(u)
		}
		w, where, found := math.Inf(1), run.NotReported, false
		for _, p := range c.Comparisons().Points {
			for _, d := range p.Metrics {
				if d.Name != metric {
					continue
				}
				rel := run.RelHalfWidth(d.Spread(), d.CI95, d.Base)
				if !found || rel > w {
					w, where, found = rel, scenario.FormatParams(p.Point)+" against "+scenario.FormatParams(p.Baseline), true
				}
			}
		}
		return w, where
	}
}
