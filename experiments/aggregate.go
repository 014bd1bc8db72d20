package experiments

import (
	"cmp"
	"maps"
	"slices"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/sim"
)

// Aggregate summarises unit results per point, in any arrival order: units
// are sorted by (point, replication) first, so the sums run in one order
// and the output is identical whatever the parallelism or sharding. Points
// without units are left out.
func Aggregate(p *scenario.Plan, urs []UnitResult, version string) *results.Results {
	sorted := slices.Clone(urs)
	slices.SortFunc(sorted, func(a, b UnitResult) int {
		return cmp.Or(cmp.Compare(a.Point, b.Point), cmp.Compare(a.Rep, b.Rep))
	})
	r := &results.Results{
		Version:      version,
		Scenario:     p.Base.Name,
		Seed:         p.Base.Seed,
		Replications: p.Base.Replications,
	}
	for i := 0; i < len(sorted); {
		j := i
		for j < len(sorted) && sorted[j].Point == sorted[i].Point {
			j++
		}
		r.Points = append(r.Points, results.Point{
			Params:  p.Point(sorted[i].Point).Params,
			Metrics: summarise(sorted[i:j]),
		})
		i = j
	}
	return r
}

// summarise turns one point's replications into metrics.
func summarise(reps []UnitResult) []results.Metric {
	kinds := map[string]int{} // 0 scalar, 1 distribution, 2 group
	for _, u := range reps {
		for n := range u.Sample.Scalars {
			kinds[n] = 0
		}
		for n := range u.Sample.Dists {
			kinds[n] = 1
		}
		for n := range u.Sample.Groups {
			kinds[n] = 2
		}
	}
	names := slices.Collect(maps.Keys(kinds))
	results.SortMetricNames(names)
	ms := make([]results.Metric, 0, len(names))
	for _, n := range names {
		switch kinds[n] {
		case 0:
			var vals []float64
			for _, u := range reps {
				if v, ok := u.Sample.Scalars[n]; ok {
					vals = append(vals, v)
				}
			}
			ms = append(ms, results.Metric{Name: n, Stat: scalarStat(vals)})
		case 1:
			var per [][]float64
			for _, u := range reps {
				if d, ok := u.Sample.Dists[n]; ok && len(d) > 0 {
					per = append(per, d)
				}
			}
			ms = append(ms, results.Metric{Name: n, Stat: distStat(per)})
		case 2:
			ms = append(ms, results.Metric{Name: n, Members: groupStats(n, reps)})
		}
	}
	return ms
}

func groupStats(g string, reps []UnitResult) []results.Member {
	seen := map[string]bool{}
	for _, u := range reps {
		for m := range u.Sample.Groups[g] {
			seen[m] = true
		}
	}
	members := slices.Collect(maps.Keys(seen))
	results.SortMemberNames(members)
	out := make([]results.Member, 0, len(members))
	for _, m := range members {
		var vals []float64
		for _, u := range reps {
			if v, ok := u.Sample.Groups[g][m]; ok {
				vals = append(vals, v)
			}
		}
		out = append(out, results.Member{Name: m, Stat: scalarStat(vals)})
	}
	return out
}

// scalarStat: mean, standard deviation and Student-t 95% half-width over
// replications (DESIGN 2, Statistics).
func scalarStat(vals []float64) results.Stat {
	var s sim.Summary
	for _, v := range vals {
		s.Add(v)
	}
	return results.Stat{Mean: s.Mean(), StdDev: s.StdDev(), CI95: s.CI95(), N: s.N()}
}

// distStat: the interval over per-replication means (independent), the
// quantiles over all samples pooled. A distribution of one sample per
// replication (a stream's mean RTT) has no quantiles: they
// would be quantiles of replication means (p90 = p99 with three), not of
// the samples the README promises.
func distStat(per [][]float64) results.Stat {
	means := make([]float64, len(per))
	var pooled []float64
	for i, d := range per {
		var s sim.Summary
		for _, v := range d {
			s.Add(v)
		}
		means[i] = s.Mean()
		pooled = append(pooled, d...)
	}
	st := scalarStat(means)
	if len(pooled) > len(per) {
		slices.Sort(pooled)
		st.Quantiles = true
		st.P50 = sim.Quantile(0.50, pooled)
		st.P90 = sim.Quantile(0.90, pooled)
		st.P99 = sim.Quantile(0.99, pooled)
	}
	return st
}
