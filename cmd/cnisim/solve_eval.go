package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/experiments/solve"
)

// solveEval runs the scenario at one value of the varied key with the
// runner behind `cnisim run` (runUnits, run.Aggregate) and reads
// the metric's mean and 95% interval.
type solveEval struct {
	path      string
	q         question
	f         solveFlags
	stderr    io.Writer
	overrides []scenario.Override
	// from the first run, for the report
	name string
	seed uint64
	reps int
}

// prepare turns --given, --set, --seed and --reps into overrides and
// loads the scenario once, so that bad input is refused before anything
// runs.
func (ev *solveEval) prepare(changed func(string) bool) error {
	for _, g := range ev.f.given {
		k, v, ok := strings.Cut(g, "=")
		if ok {
			full, err := resolveKey(k)
			if err != nil {
				return usagef("--given %v", err)
			}
			g = full + "=" + v
		}
		o, err := scenario.ParseSet(g)
		if err != nil {
			return usagef("--given %v", err)
		}
		ev.overrides = append(ev.overrides, o)
	}
	for _, s := range ev.f.sets {
		o, err := scenario.ParseSet(s)
		if err != nil {
			return usagef("%v", err)
		}
		ev.overrides = append(ev.overrides, o)
	}
	for _, o := range ev.overrides {
		if ev.q.key != "" && o.Key == ev.q.key {
			return usagef("%s: --vary %s is also fixed by --set/--given", o.Source, o.Key)
		}
	}
	if changed("seed") {
		ev.overrides = append(ev.overrides, scenario.Override{Key: "seed", Value: ev.f.seed, Source: fmt.Sprintf("--seed %d", ev.f.seed)})
	}
	if changed("reps") {
		ev.overrides = append(ev.overrides, scenario.Override{Key: "replications", Value: int64(ev.f.reps), Source: fmt.Sprintf("--reps %d", ev.f.reps)})
	}
	for _, x := range ev.endpoints() {
		plan, err := ev.plan(x, 0)
		if err != nil {
			return err
		}
		ev.name, ev.seed, ev.reps = plan.Base.Name, plan.Base.Seed, plan.Base.Replications
	}
	if ev.f.maxReps > 0 && ev.f.maxReps < ev.reps {
		return usagef("--max-reps %d: below the %d replications each value runs", ev.f.maxReps, ev.reps)
	}
	if ev.reps < 2 {
		fmt.Fprintf(ev.stderr, "cnisim solve: warning: %d replication per value: no interval, the mean alone decides (--reps 3 or more for one)\n", ev.reps)
	}
	return nil
}

// endpoints are the values checked before the search: the bounds.
func (ev *solveEval) endpoints() []float64 {
	if ev.q.key == "" {
		return []float64{0}
	}
	return []float64{ev.q.dom.Min, ev.q.dom.Max}
}

// plan loads the scenario with the key at x (and reps replications, 0:
// as given); bad input is a usage error.
func (ev *solveEval) plan(x float64, reps int) (*scenario.Plan, error) {
	ovs := ev.overrides
	if ev.q.key != "" {
		o := scenario.Override{Key: ev.q.key, Value: x, Source: "--vary " + ev.q.key + "=" + solveFmt(x)}
		if ev.q.dom.Integer {
			o.Value = int64(x)
		}
		ovs = append(append([]scenario.Override(nil), ovs...), o)
	}
	if reps > 0 {
		ovs = withReps(ovs, reps, "--max-reps")
	}
	plan, err := loadPlan(ev.path, ovs, ev.f.yes)
	if err != nil {
		return nil, err
	}
	if plan.Len() != 1 {
		return nil, usagef("%s: the scenario has a [sweep] of %d points; solve runs one point per value: remove the sweep or fix its keys with --set", ev.path, plan.Len())
	}
	if err := checkCost(plan, ev.f.parallel, 1, ev.f.yes); err != nil {
		return nil, err
	}
	return plan, nil
}

// eval is the solve.Func over the simulator.
func (ev *solveEval) eval(ctx context.Context, x float64) (solve.Eval, error) {
	plan, err := ev.plan(x, 0)
	if err != nil {
		return solve.Eval{}, err
	}
	where := "the scenario"
	if ev.q.key != "" {
		where = ev.q.key + " = " + solveFmt(x)
	}
	cfg := run.Config{Parallel: ev.f.parallel, Version: version}
	var urs []run.UnitResult
	if ev.f.maxReps > ev.reps {
		urs, plan, err = ev.raise(ctx, plan, x, where, cfg)
	} else {
		urs, err = runUnits(ctx, plan, cfg, runFlags{progress: ev.f.progress}, ev.stderr)
	}
	if err != nil {
		return solve.Eval{}, err
	}
	res := run.Aggregate(plan, urs, version)
	st, err := ev.stat(res, urs)
	if errors.Is(err, errNoSamples) {
		return solve.Eval{}, usagef("metric %q has no samples at %s: no replication produced one (a distribution such as "+
			"query_completion_us or fct_us is empty when nothing completed in the run); narrow --min/--max or lengthen the run", ev.q.metric, where)
	}
	if err != nil {
		return solve.Eval{}, err
	}
	e := solve.Eval{X: x, Mean: st.Mean, CI95: st.CI95, N: st.N}
	fmt.Fprintf(ev.stderr, "solve: %s: %s %s\n", where, ev.q.metric, fmtStat(e))
	// an FCT at a value the cluster cannot carry, or of a window too
	// near the run's end, counts only the flows that finished, so it
	// looks better than it is: say so at that value
	for _, msg := range res.Caveats() {
		fmt.Fprintf(ev.stderr, "solve: %s: warning: %s\n", where, msg)
	}
	return e, nil
}

// stat is the metric's summary over the replications of a one-point
// result: a distribution's quantile (quantileStat), a scalar or a
// group's member (metricStat).
func (ev *solveEval) stat(res *results.Results, urs []run.UnitResult) (results.Stat, error) {
	if qs, ok := quantileStat(res, urs, ev.q.metric); ok {
		if qs.N == 0 {
			return qs, errNoSamples
		}
		return qs, nil
	}
	return metricStat(res, ev.q.metric)
}

// raise runs the value's replications, then doubles them (up to
// --max-reps, only the new ones running: run.RaiseReplications) while the
// metric's 95% interval straddles the target, so that neither meeting it
// nor missing it is decided.
func (ev *solveEval) raise(ctx context.Context, plan *scenario.Plan, x float64, where string, cfg run.Config) ([]run.UnitResult, *scenario.Plan, error) {
	undecided := func(plan *scenario.Plan, urs []run.UnitResult) (float64, string) {
		st, err := ev.stat(run.Aggregate(plan, urs, ""), urs)
		switch {
		case err != nil:
			return 0, where // nothing to decide on: eval reports it
		case st.N < 2 || ev.q.target.Straddles(solve.Eval{Mean: st.Mean, CI95: st.CI95, N: st.N}):
			return 1, where // no interval yet, or one on both sides
		}
		return 0, where
	}
	raised := func(o run.Outcome, next int) {
		fmt.Fprintf(ev.stderr, "solve: %s: %d replications leave %s %s undecided; raising to %d\n", where, o.Reps, ev.q.metric, ev.q.target.Bound(), next)
	}
	reload := func(reps int) (*scenario.Plan, error) { return ev.plan(x, reps) }
	// RaiseReplications stops once the measure is at most RelHalfWidth:
	// undecided measures 1 or 0, so any threshold between them will do
	t := run.Target{Metric: ev.q.metric, RelHalfWidth: 0.5, MaxReps: ev.f.maxReps}
	var urs []run.UnitResult
	err := withProgress(cfg, runFlags{progress: ev.f.progress}, ev.stderr, func(cfg run.Config) (err error) {
		urs, plan, _, err = run.RaiseReplications(ctx, plan, simulate, cfg, t, undecided, reload, raised)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	run.SortUnits(urs)
	return urs, plan, nil
}

// quantileStat reads DIST.pXX (fct_us.p99, cpu_cores_used_per_node.p90)
// as run.QuantileStats does: each replication's quantile of its own
// observations, summarised over the replications as every other target
// is. ok is false when name is not a quantile of a distribution the
// result reports.
func quantileStat(res *results.Results, urs []run.UnitResult, name string) (st results.Stat, ok bool) {
	dist, _, _ := strings.Cut(name, ".")
	if m, found := res.Points[0].Stat(dist); !found || !m.Quantiles {
		return st, false
	}
	sts := run.QuantileStats(urs, name)
	if len(sts) != 1 {
		return st, false // not a quantile's name (or no unit)
	}
	return sts[0], true
}

// memberStat is member of group g.
func memberStat(g results.Metric, member string) (results.Stat, error) {
	names := make([]string, len(g.Members))
	for i, mb := range g.Members {
		if mb.Name == member {
			if mb.Stat.N == 0 {
				return results.Stat{}, errNoSamples
			}
			return mb.Stat, nil
		}
		names[i] = mb.Name
	}
	if len(names) > 12 {
		names = append(names[:12], "...")
	}
	return results.Stat{}, usagef("metric %s has no member %q (it has: %s)", g.Name, member, strings.Join(names, ", "))
}

// errNoSamples: the metric is reported, but no replication gave it a value.
var errNoSamples = errors.New("no samples")

// metricStat finds a scalar metric of a one-point result, or a member of
// a group as GROUP.MEMBER (fct_us_by_size.0-100KB_p99,
// port_utilisation.to_spine_max); the error lists what the result has,
// a distribution's quantiles (quantileStat) among them.
func metricStat(res *results.Results, name string) (results.Stat, error) {
	var have []string
	for _, m := range res.Points[0].Metrics {
		if m.Members != nil {
			if m.Name == name {
				return results.Stat{}, usagef("metric %s is a group (one value per member); name a member, as %s.%s", name, name, m.Members[0].Name)
			}
			if member, ok := strings.CutPrefix(name, m.Name+"."); ok {
				return memberStat(m, member)
			}
			have = append(have, m.Name+".MEMBER")
			continue
		}
		if m.Name == name {
			if m.Stat.N == 0 {
				return results.Stat{}, errNoSamples
			}
			return m.Stat, nil
		}
		if m.Stat.Quantiles { // quantileStat reads these
			have = append(have, m.Name+"[.p50|.p90|.p99]")
			continue
		}
		have = append(have, m.Name)
	}
	return results.Stat{}, usagef("metric %q is not reported by this scenario (it reports: %s)", name, strings.Join(have, ", "))
}
