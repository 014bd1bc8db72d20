package run

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/sim"
)

// Aggregate summarises unit results per point, in any arrival order: units
// are sorted by (point, replication) first, so the sums run in one order
// and the output is identical whatever the parallelism or sharding. Points
// without units are left out. It gives what an Aggregator fed the same
// units gives (Run streams them into one).
func Aggregate(p *scenario.Plan, urs []UnitResult, version string) *results.Results {
	sorted := slices.Clone(urs)
	slices.SortFunc(sorted, compareUnits)
	a := NewAggregator(p, version)
	for _, u := range sorted {
		// sorted and unique by construction: Add cannot refuse
		_ = a.Add(u)
	}
	return a.Results()
}

// SortUnits sorts unit results by point, then replication: the order
// Aggregate sums in and the per-replication outputs are written in.
func SortUnits(urs []UnitResult) { slices.SortFunc(urs, compareUnits) }

func compareUnits(a, b UnitResult) int {
	return cmp.Or(cmp.Compare(a.Point, b.Point), cmp.Compare(a.Rep, b.Rep))
}

// Aggregator summarises unit results as they arrive, holding only the
// running sums of the point in progress (a Summary per scalar, group member
// and distribution mean) and its pooled distribution samples, so that a
// run's memory does not grow with its replication count beyond those
// samples. The units of a point must arrive together, replications in
// increasing order: the sums then run in the order Aggregate's do and the
// output is byte-identical to it.
type Aggregator struct {
	p     *scenario.Plan
	res   *results.Results
	cur   *pointAcc
	done  map[int]bool // points already summarised
	order []int        // the point of each of res.Points
}

// NewAggregator returns an empty aggregator for the plan.
func NewAggregator(p *scenario.Plan, version string) *Aggregator {
	return &Aggregator{p: p, done: map[int]bool{}, res: &results.Results{
		Version:      version,
		Scenario:     p.Base.Name,
		Seed:         p.Base.Seed,
		Replications: p.Base.Replications,
	}}
}

// Add folds in one unit. It refuses a unit out of order (a point seen
// before, or a replication not after the last), which would change the
// summation order and so the output.
func (a *Aggregator) Add(u UnitResult) error {
	if a.cur != nil && u.Point != a.cur.point {
		a.flush()
	}
	if a.cur == nil {
		if a.done[u.Point] {
			return fmt.Errorf("aggregate: point %d replication %d arrived after the point was summarised", u.Point, u.Rep)
		}
		a.cur = newPointAcc(u.Point)
	} else if u.Rep <= a.cur.lastRep {
		return fmt.Errorf("aggregate: point %d replication %d arrived after replication %d", u.Point, u.Rep, a.cur.lastRep)
	}
	a.cur.add(u)
	return nil
}

// Results summarises the point in progress and returns the results, points
// in increasing order.
func (a *Aggregator) Results() *results.Results {
	a.flush()
	if !slices.IsSorted(a.order) {
		// every caller feeds points in order; should one not, the output
		// still lists them by point index
		idx := make([]int, len(a.order))
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(x, y int) int { return cmp.Compare(a.order[x], a.order[y]) })
		pts := make([]results.Point, len(idx))
		for i, j := range idx {
			pts[i] = a.res.Points[j]
		}
		a.res.Points = pts
		slices.Sort(a.order)
	}
	return a.res
}

func (a *Aggregator) flush() {
	if a.cur == nil {
		return
	}
	pt := a.cur.point
	a.done[pt] = true
	a.res.Points = append(a.res.Points, results.Point{Params: a.p.Point(pt).Params, Metrics: a.cur.metrics()})
	a.order = append(a.order, pt)
	a.cur = nil
}

// pointAcc is one point's running aggregates. kinds records each metric's
// kind as the last replication reporting it claimed it (0 scalar, 1
// distribution, 2 group), as summarise did over the whole slice.
type pointAcc struct {
	point, lastRep int
	kinds          map[string]int
	scalars        map[string]*sim.Summary
	dists          map[string]*distAcc
	groups         map[string]map[string]*sim.Summary
}

// distAcc: the per-replication means (replications with samples) and the
// samples pooled in replication order.
type distAcc struct {
	means  sim.Summary
	pooled []float64
}

func newPointAcc(pt int) *pointAcc {
	return &pointAcc{point: pt, lastRep: -1, kinds: map[string]int{}, scalars: map[string]*sim.Summary{},
		dists: map[string]*distAcc{}, groups: map[string]map[string]*sim.Summary{}}
}

func (pa *pointAcc) add(u UnitResult) {
	pa.lastRep = u.Rep
	s := u.Sample
	// each summary sees one value per replication, in replication order,
	// whatever the order the maps are walked in
	for n, v := range s.Scalars {
		pa.kinds[n] = 0
		summaryOf(pa.scalars, n).Add(v)
	}
	for n, vs := range s.Dists {
		pa.kinds[n] = 1
		d := pa.dists[n]
		if d == nil {
			d = &distAcc{}
			pa.dists[n] = d
		}
		if len(vs) > 0 {
			d.means.Add(distMean(vs))
			d.pooled = append(d.pooled, vs...)
		}
	}
	for g, members := range s.Groups {
		pa.kinds[g] = 2
		ms := pa.groups[g]
		if ms == nil {
			ms = map[string]*sim.Summary{}
			pa.groups[g] = ms
		}
		for m, v := range members {
			summaryOf(ms, m).Add(v)
		}
	}
}

func summaryOf(m map[string]*sim.Summary, name string) *sim.Summary {
	s := m[name]
	if s == nil {
		s = &sim.Summary{}
		m[name] = s
	}
	return s
}

// metrics turns the point's aggregates into metrics.
func (pa *pointAcc) metrics() []results.Metric {
	names := slices.Collect(maps.Keys(pa.kinds))
	results.SortMetricNames(names)
	ms := make([]results.Metric, 0, len(names))
	for _, n := range names {
		switch pa.kinds[n] {
		case 0:
			ms = append(ms, results.Metric{Name: n, Stat: stat(pa.scalars[n])})
		case 1:
			ms = append(ms, results.Metric{Name: n, Stat: pa.dists[n].stat()})
		case 2:
			ms = append(ms, results.Metric{Name: n, Members: groupStats(pa.groups[n])})
		}
	}
	return ms
}

func groupStats(g map[string]*sim.Summary) []results.Member {
	members := slices.Collect(maps.Keys(g))
	results.SortMemberNames(members)
	out := make([]results.Member, 0, len(members))
	for _, m := range members {
		out = append(out, results.Member{Name: m, Stat: stat(g[m])})
	}
	return out
}

// stat: mean, standard deviation and Student-t 95% half-width over
// replications (DESIGN 2, Statistics); a nil summary is no replications.
func stat(s *sim.Summary) results.Stat {
	if s == nil {
		s = &sim.Summary{}
	}
	return results.Stat{Mean: s.Mean(), StdDev: s.StdDev(), CI95: s.CI95(), N: s.N()}
}

// stat: the interval over per-replication means (independent), the
// quantiles over all samples pooled. A distribution of one sample per
// replication (a stream's mean RTT) has no quantiles: they would be
// quantiles of replication means (p90 = p99 with three), not of the
// samples the README promises.
func (d *distAcc) stat() results.Stat {
	st := stat(&d.means)
	if len(d.pooled) > d.means.N() {
		slices.Sort(d.pooled)
		st.Quantiles = true
		st.P50 = sim.Quantile(0.50, d.pooled)
		st.P90 = sim.Quantile(0.90, d.pooled)
		st.P99 = sim.Quantile(0.99, d.pooled)
	}
	return st
}
