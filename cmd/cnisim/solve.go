package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"

	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/experiments/solve"
)

func init() {
	register(&command{name: "solve", summary: "capacity answers: the smallest value meeting a target, or the best value", run: runSolve})
}

// Default bounds of an integer --vary key (assumed: 1..64 covers the
// cores, streams and pods per node asked about; --min/--max widen it).
const defaultIntMin, defaultIntMax = 1, 64

type solveFlags struct {
	target, maximise, minimise string
	vary                       string
	min, max, tol              float64
	points                     int
	grid, largest              bool
	sets, given                []string
	reps, parallel, maxReps    int
	seed                       int64
	format                     string
	yes, progress              bool
}

const solveSynopsis = `solve SCENARIO.toml (--target METRIC=V | --maximise METRIC | --minimise METRIC)
                    [--vary KEY [--min A] [--max B] [--tol T] [--points N] [--grid] [--largest]]
                    [--given key=value]... [--set key=value]... [--reps N] [--max-reps M]
                    [--seed N] [--parallel N] [--format table|json] [--yes]

Runs the scenario (one point: no [sweep]) with the existing runner at values of
one integer or float key and answers:
  --target throughput_mbps=20000   the smallest KEY value meeting the target
                                   (metric>=V or =V: at least V; metric<=V: at most V).
                                   A value meets it only when the whole 95%
                                   interval does (the lower bound for "at least").
                                   Bisection by default: it assumes the target, once
                                   met, stays met as KEY grows; --grid runs every value.
                                   With --largest: the largest KEY value meeting it, for
                                   a target that, once met, stays met as KEY falls (a
                                   load, workload.matrix_scale: how much may it grow?).
                                   With --max-reps M: a value whose interval straddles V
                                   runs more replications (doubling, up to M) until it
                                   meets the target or clearly misses it.
  --maximise throughput_mbps       the KEY value with the largest mean (every value
                                   of the grid), and which values it is not separated
                                   from; without --vary, the one run at --given.
Unreachable and non-monotone targets are errors (exit 1) that print the runs.

Examples:
  cnisim solve tcp.toml --target throughput_mbps=20000 --vary cluster.cores_per_node
  cnisim solve tcp.toml --maximise throughput_mbps --given cores_per_node=4
  cnisim solve rr.toml --target rtt_us<=80 --vary cluster.cpu_ghz --min 1 --max 4 --tol 0.05
  cnisim solve tcp.toml --maximise throughput_mbps --vary workload.streams --max 8 --format json
  cnisim solve plan.toml --target port_utilisation.to_spine_max<=0.7 --vary fabric.uplink_gbps --min 10 --max 100
                                   (a group's member as GROUP.MEMBER)
  cnisim solve plan.toml --target 'fct_us.p99<=20000' --vary fabric.uplink_gbps --min 10 --max 100
                                   (a distribution's quantile as DIST.p50, .p90 or .p99:
                                   each replication's own, with their interval)
  cnisim solve matrix.toml --target 'fct_us.p99<=30000' --vary workload.matrix_scale --min 0.5 --max 3 --largest`

func runSolve(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("solve", solveSynopsis, stderr)
	var f solveFlags
	fs.StringVar(&f.target, "target", "", "find the smallest --vary value meeting `METRIC=V` (>= V; METRIC<=V: at most V)")
	fs.StringVar(&f.maximise, "maximise", "", "find the --vary value with the largest mean of `METRIC`")
	fs.StringVar(&f.minimise, "minimise", "", "find the --vary value with the smallest mean of `METRIC`")
	fs.StringVar(&f.vary, "vary", "", "the integer or float scenario `KEY` to vary (cluster.cores_per_node; a unique suffix such as cores_per_node works)")
	fs.Float64Var(&f.min, "min", defaultIntMin, "smallest value of --vary (default 1 for integer keys; required for float keys)")
	fs.Float64Var(&f.max, "max", defaultIntMax, "largest value of --vary (default 64 for integer keys; required for float keys)")
	fs.Float64Var(&f.tol, "tol", 0, "float keys: stop bisecting when the bracket is this narrow (default (max-min)/100)")
	fs.IntVar(&f.points, "points", 11, "float keys: values of the grid (--grid, --maximise), min and max included")
	fs.BoolVar(&f.grid, "grid", false, "with --target: run every value (integers) or --points values instead of bisecting, to see the whole curve")
	fs.BoolVar(&f.largest, "largest", false, "with --target: find the largest --vary value meeting it (it stays met as the value falls: a load, a traffic scale)")
	fs.StringArrayVar(&f.given, "given", nil, "fix a scenario key, as `key=value` (a unique suffix of the key works: cores_per_node=4)")
	fs.StringArrayVarP(&f.sets, "set", "s", nil, "override a scenario key, as `key=value` (as run --set)")
	fs.IntVar(&f.reps, "reps", 0, "replications per value (default: the scenario's; at least 2 for an interval)")
	fs.IntVar(&f.maxReps, "max-reps", 0, "with --target: raise a value's replications (doubling, up to `M`) while its 95% interval straddles the target (0: never)")
	fs.Int64Var(&f.seed, "seed", 0, "override the scenario's seed (every value runs with the same seed)")
	fs.IntVarP(&f.parallel, "parallel", "p", 0, "replications run at once (0: all cores)")
	fs.StringVarP(&f.format, "format", "f", "table", "stdout format: table or json")
	fs.BoolVar(&f.yes, "yes", false, "run even when one value's cost estimate is beyond the usual bounds")
	fs.BoolVar(&f.progress, "progress", false, "draw a progress bar per value on stderr even when it is not a terminal")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := wantArgs(fs, 1, 1, "a scenario file"); err != nil {
		return err
	}
	q, err := solveQuestion(f, fs.Changed)
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	ev := &solveEval{path: fs.Arg(0), q: q, f: f, stderr: stderr}
	if err := ev.prepare(fs.Changed); err != nil {
		return err
	}
	if simulate == nil {
		return errors.New("no simulator linked into this build")
	}
	ans, serr := q.solve(ctx, ev.eval)
	var ur *solve.Unreachable
	var nm *solve.NonMonotone
	if serr != nil && !errors.As(serr, &ur) && !errors.As(serr, &nm) {
		return serr // bad input, a failed or interrupted run: nothing to report
	}
	if err := newSolveReport(q, ev, ans, serr).write(stdout, f.format); err != nil {
		return err
	}
	return serr
}

// question is what solve was asked, checked.
type question struct {
	kind   string // "smallest", "largest", "maximise", "minimise"
	target solve.Target
	metric string
	key    string // "" for a single run (--maximise without --vary)
	dom    solve.Domain
	grid   bool
}

func solveQuestion(f solveFlags, changed func(string) bool) (question, error) {
	var q question
	n := 0
	for _, s := range []string{"target", "maximise", "minimise"} {
		if changed(s) {
			n++
		}
	}
	if n != 1 {
		return q, usagef("give one of --target, --maximise, --minimise")
	}
	if f.format != "table" && f.format != "json" {
		return q, usagef("--format %q: valid: table, json", f.format)
	}
	if f.parallel < 0 {
		return q, usagef("--parallel %d: must be >= 0 (0: all cores)", f.parallel)
	}
	if changed("reps") && f.reps < 1 {
		return q, usagef("--reps %d: must be >= 1", f.reps)
	}
	switch {
	case changed("target"):
		t, err := solve.ParseTarget(f.target)
		if err != nil {
			return q, usagef("--target %v", err)
		}
		q.kind, q.target, q.metric = "smallest", t, t.Metric
		if f.largest {
			q.kind = "largest"
		}
		if f.vary == "" {
			return q, usagef("--target needs --vary KEY (the key whose %s value meets it)", q.kind)
		}
	case changed("maximise"):
		q.kind, q.metric = "maximise", f.maximise
	default:
		q.kind, q.metric = "minimise", f.minimise
	}
	if q.metric == "" {
		return q, usagef("--%s: empty metric (cnisim list metrics)", q.kind)
	}
	if f.grid && !q.searches() {
		return q, usagef("--grid goes with --target (--%s always runs the grid)", q.kind)
	}
	if f.largest && !q.searches() {
		return q, usagef("--largest goes with --target (--%s runs the grid)", q.kind)
	}
	if changed("max-reps") && !q.searches() {
		return q, usagef("--max-reps goes with --target (it raises the replications where the interval leaves the target undecided)")
	}
	if changed("max-reps") {
		if err := checkMaxReps(f.maxReps); err != nil {
			return q, err
		}
	}
	q.grid = f.grid
	if f.vary == "" {
		for _, s := range []string{"min", "max", "tol", "points"} {
			if changed(s) {
				return q, usagef("--%s needs --vary KEY", s)
			}
		}
		return q, nil
	}
	key, err := resolveKey(f.vary)
	if err != nil {
		return q, usagef("--vary %v", err)
	}
	q.key = key
	kind := keyKind(key)
	switch kind {
	case reflect.Int, reflect.Int64, reflect.Uint64:
		q.dom = solve.Domain{Min: f.min, Max: f.max, Integer: true}
		if q.dom.Min != math.Trunc(q.dom.Min) || q.dom.Max != math.Trunc(q.dom.Max) {
			return q, usagef("--min %g --max %g: %s is an integer key: give integer bounds", f.min, f.max, key)
		}
		if !q.searches() && q.dom.Max-q.dom.Min >= 1000 {
			return q, usagef("--min %g --max %g: --%s runs every integer of the range: at most 1000 values", f.min, f.max, q.kind)
		}
	case reflect.Float64:
		if !changed("min") || !changed("max") {
			return q, usagef("--vary %s is a float key: give --min and --max", key)
		}
		tol := f.tol
		if !changed("tol") {
			tol = (f.max - f.min) / 100
		}
		q.dom = solve.Domain{Min: f.min, Max: f.max, Tol: tol, Points: f.points}
		if changed("tol") && !(f.tol > 0) {
			return q, usagef("--tol %g: must be > 0", f.tol)
		}
		if f.points < 2 || f.points > 1000 {
			return q, usagef("--points %d: must be 2..1000", f.points)
		}
		if f.min == f.max {
			q.dom.Tol = 1 // one value: nothing to bisect
		}
	default:
		return q, usagef("--vary %s: a %s key; solve varies integer or float keys (cnisim list keys)", key, keyTypeName(key))
	}
	if err := q.dom.Check(); err != nil {
		return q, usagef("--min %g --max %g: %v", f.min, f.max, err)
	}
	return q, nil
}

// searches reports whether the question searches for a target's
// boundary (--target), not the grid's best mean.
func (q question) searches() bool { return q.kind == "smallest" || q.kind == "largest" }

// solve runs the search q asks for over eval.
func (q question) solve(ctx context.Context, eval solve.Func) (*solve.Answer, error) {
	switch {
	case q.kind == "smallest":
		return solve.Smallest(ctx, eval, q.dom, q.target, q.grid)
	case q.kind == "largest":
		return solve.Largest(ctx, eval, q.dom, q.target, q.grid)
	case q.key == "":
		e, err := eval(ctx, 0)
		if err != nil {
			return nil, err
		}
		return &solve.Answer{At: e, Runs: []solve.Eval{e}}, nil
	default:
		return solve.Optimise(ctx, eval, q.dom, q.kind == "minimise")
	}
}

// scenarioKeyKinds maps every scalar scenario key to its Go kind.
func scenarioKeyKinds() map[string]reflect.Value {
	vals := map[string]reflect.Value{}
	keyValues(reflect.ValueOf(scenario.Defaults()), "", vals)
	return vals
}

func keyKind(key string) reflect.Kind {
	v, ok := scenarioKeyKinds()[key]
	if !ok {
		return reflect.Invalid
	}
	if keyType(v) == "duration" {
		return reflect.String // not varied: durations are refused by name
	}
	return v.Kind()
}

func keyTypeName(key string) string {
	if v, ok := scenarioKeyKinds()[key]; ok {
		return keyType(v)
	}
	return "non-scalar"
}

// resolveKey accepts a full scenario key or a suffix after a dot that
// names exactly one key (cores_per_node: cluster.cores_per_node).
func resolveKey(k string) (string, error) {
	k = strings.TrimSpace(k)
	var hits []string
	for _, full := range scenario.Keys() {
		if full == k {
			return full, nil
		}
		if strings.HasSuffix(full, "."+k) {
			hits = append(hits, full)
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		return "", fmt.Errorf("%q: not a scenario key (cnisim list keys)", k)
	}
	return "", fmt.Errorf("%q: ambiguous: %s", k, strings.Join(hits, ", "))
}
