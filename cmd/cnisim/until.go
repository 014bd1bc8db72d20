package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/cnisim/cnisim/experiments/compare"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
)

// defaultMaxReps is --max-reps's default: the budget of --until.
const defaultMaxReps = 32

// untilFlags adds --until and --max-reps to run.
func untilFlags(fs *pflag.FlagSet, f *runFlags) {
	fs.StringVar(&f.until, "until", "", "raise the replications (doubling them) until `METRIC=REL`'s 95% interval is within REL of the mean at every point (5% or 0.05; with --baseline: the paired difference's, relative to the baseline's mean)")
	fs.IntVar(&f.maxReps, "max-reps", defaultMaxReps, "--until's budget: at most this many replications per point")
}

// parseUntil reads --until METRIC=REL against the metrics results can
// carry: a scalar or distribution by name, a distribution's quantile as
// dist.p99 (each replication's own: run.Quantiles), a group's member as
// group.member.
func parseUntil(s string, maxReps, reps int) (run.Target, error) {
	name, rel, ok := strings.Cut(s, "=")
	if !ok || name == "" || rel == "" {
		return run.Target{}, usagef("--until %q: want METRIC=REL, such as cpu_cores_used_busiest=5%%", s)
	}
	top, member, isMember := strings.Cut(name, ".")
	info, known := metricMeanings[top]
	switch {
	case !known:
		return run.Target{}, usagef("--until %s: unknown metric %q (cnisim list metrics)", s, top)
	case info.shape == "group" && (!isMember || member == ""):
		return run.Target{}, usagef("--until %s: %s is a group: name a member, as %s.<member> (the results' rows)", s, top, top)
	case info.shape == "distribution" && isMember && !run.IsQuantile(member):
		return run.Target{}, usagef("--until %s: %s is a distribution: name it, or a quantile of it as %s.p50, %s.p90 or %s.p99", s, top, top, top, top)
	case info.shape != "group" && info.shape != "distribution" && isMember:
		return run.Target{}, usagef("--until %s: %s is a %s, it has no members", s, top, info.shape)
	}
	x, err := parseFraction(rel)
	if err != nil || !(x > 0) || math.IsInf(x, 0) {
		return run.Target{}, usagef("--until %s: REL %q: want a positive fraction or percentage (0.05 or 5%%)", s, rel)
	}
	if err := checkMaxReps(maxReps); err != nil {
		return run.Target{}, err
	}
	if maxReps < reps {
		return run.Target{}, usagef("--max-reps %d: below the scenario's %d replications", maxReps, reps)
	}
	return run.Target{Metric: name, RelHalfWidth: x, MaxReps: maxReps}, nil
}

// checkMaxReps checks a --max-reps budget (run's --until, solve's).
func checkMaxReps(maxReps int) error {
	if maxReps < 2 || maxReps > 1_000_000 {
		return usagef("--max-reps %d: want 2..1000000", maxReps)
	}
	return nil
}

// runUntil runs the plan with --until: rounds of replications until the
// target holds or the budget is spent (run.RaiseReplications), every unit
// kept, then the output a single run of the final count writes.
func runUntil(ctx context.Context, plan *scenario.Plan, t run.Target, baseline []scenario.Override, cfg run.Config, f runFlags,
	reload func(reps int) (*scenario.Plan, error), formatSet bool, stdout, stderr io.Writer) error {
	measure := run.WidestInterval(t.Metric)
	of := "the mean"
	if baseline != nil {
		measure, of = compare.WidestDifference(baseline, t.Metric), "the baseline's mean"
	}
	raised := func(o run.Outcome, next int) {
		fmt.Fprintf(stderr, "cnisim run: %d replications: %s's 95%% interval is %s of %s at %s; raising to %d\n",
			o.Reps, t.Metric, run.FormatRel(o.Widest), of, o.Where, next)
	}
	var urs []run.UnitResult
	var o run.Outcome
	err := withProgress(cfg, f, stderr, func(cfg run.Config) (err error) {
		urs, plan, o, err = run.RaiseReplications(ctx, plan, simulate, cfg, t, measure, reload, raised)
		return err
	})
	if err != nil {
		return err
	}
	if o.Where == run.NotReported {
		return usagef("--until %s: no point reports %s (cnisim list metrics: this workload's metrics are in the results)", t.Metric, t.Metric)
	}
	if o.Met {
		fmt.Fprintf(stderr, "cnisim run: %d replications per point: %s's 95%% interval within %s of %s everywhere (target %s)\n",
			o.Reps, t.Metric, run.FormatRel(o.Widest), of, run.FormatRel(t.RelHalfWidth))
	} else {
		fmt.Fprintf(stderr, "warning: --until: the budget of %d replications per point spent: %s's 95%% interval is %s of %s at %s, short of the target %s\n",
			o.Reps, t.Metric, run.FormatRel(o.Widest), of, o.Where, run.FormatRel(t.RelHalfWidth))
	}
	base, err := baselineOf(plan, f.baselines) // on the final plan: its replications
	if err != nil {
		return err
	}
	run.SortUnits(urs)
	tl, pairs := newRepOut(plan), newPairs(base)
	for _, u := range urs {
		tl.add(u)
		pairs.add(u)
	}
	return emit(run.Aggregate(plan, urs, cfg.Version), pairs.comparisons(), tl, plan, f, formatSet, stdout, stderr)
}

// parseFraction reads a fraction (0.05) or a percentage (5%).
func parseFraction(s string) (float64, error) {
	v, pct := strings.CutSuffix(strings.TrimSpace(s), "%")
	x, err := strconv.ParseFloat(v, 64)
	if pct {
		x /= 100
	}
	return x, err
}
