// Package solve answers capacity questions over a model: the smallest
// value of one input that meets a target on one metric (bisection or a
// grid), and the value that maximises (or minimises) a metric. It is
// pure: the model is a function from the input's value to the metric's
// mean and 95% interval, so it is tested with closed forms; the CLI plugs
// in the simulator (run.Run).
//
// A value meets a target only when the whole 95% interval does: for
// "at least V" its lower bound mean-ci95 >= V, for "at most V" its upper
// bound mean+ci95 <= V. With one replication there is no interval and
// the mean alone decides (Eval.Spread says which).
package solve

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Target is a bound on a metric: Metric >= Value, or <= when AtMost.
type Target struct {
	Metric string
	Value  float64
	AtMost bool
}

// ParseTarget reads "metric=V" or "metric>=V" (at least V) and
// "metric<=V" (at most V).
func ParseTarget(s string) (Target, error) {
	var t Target
	name, val, ok := "", "", false
	for _, op := range []string{"<=", ">=", "="} {
		if name, val, ok = strings.Cut(s, op); ok {
			t.AtMost = op == "<="
			break
		}
	}
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return t, fmt.Errorf("%q: want metric=V or metric>=V (at least V) or metric<=V (at most V), such as throughput_mbps=20000", s)
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return t, fmt.Errorf("%q: %q is not a finite number", s, strings.TrimSpace(val))
	}
	t.Metric, t.Value = name, v
	return t, nil
}

func (t Target) String() string { return t.Metric + " " + t.Bound() }

// Eval is the model's answer at one value X of the varied input.
type Eval struct {
	X    float64 `json:"value"`
	Mean float64 `json:"mean"`
	CI95 float64 `json:"-"` // half-width; meaningless unless Spread
	N    int     `json:"replications"`
}

// Spread reports whether the interval is defined (two replications or more).
func (e Eval) Spread() bool { return e.N >= 2 }

// ci is the half-width used for decisions: 0 without an interval.
func (e Eval) ci() float64 {
	if !e.Spread() {
		return 0
	}
	return e.CI95
}

// Lower and Upper bound the 95% interval (the mean without one).
func (e Eval) Lower() float64 { return e.Mean - e.ci() }
func (e Eval) Upper() float64 { return e.Mean + e.ci() }

// Met reports whether e meets t with its whole interval.
func (t Target) Met(e Eval) bool {
	if t.AtMost {
		return e.Upper() <= t.Value
	}
	return e.Lower() >= t.Value
}

// Straddles reports whether e's interval leaves t undecided: it neither
// meets t nor clearly misses it (its whole interval on the wrong side),
// so more replications could decide either way.
func (t Target) Straddles(e Eval) bool {
	if t.AtMost {
		return e.Lower() <= t.Value && t.Value < e.Upper()
	}
	return e.Lower() < t.Value && t.Value <= e.Upper()
}

// Bound is the target's comparison and value ("<= 30000").
func (t Target) Bound() string {
	op := ">="
	if t.AtMost {
		op = "<="
	}
	return op + " " + strconv.FormatFloat(t.Value, 'g', -1, 64)
}

// Func evaluates the model at x.
type Func func(ctx context.Context, x float64) (Eval, error)

// Domain is the varied input's range. Integer inputs are searched over
// every integer in [Min, Max]; real ones down to Tol (bisection) or at
// Points evenly spaced values (grid).
type Domain struct {
	Min, Max float64
	Integer  bool
	Tol      float64 // real bisection stops when the bracket is this narrow
	Points   int     // real grid: values from Min to Max inclusive (>= 2)
}

// Check refuses an empty or malformed domain.
func (d Domain) Check() error {
	switch {
	case math.IsNaN(d.Min) || math.IsNaN(d.Max) || math.IsInf(d.Min, 0) || math.IsInf(d.Max, 0):
		return errors.New("bounds must be finite")
	case d.Min > d.Max:
		return fmt.Errorf("min %s > max %s", fmtX(d.Min), fmtX(d.Max))
	case d.Integer && (d.Min != math.Trunc(d.Min) || d.Max != math.Trunc(d.Max)):
		return errors.New("an integer input needs integer bounds")
	case !d.Integer && d.Tol <= 0:
		return errors.New("a real input needs a tolerance > 0")
	case !d.Integer && d.Points < 2:
		return errors.New("a real input's grid needs at least 2 points")
	}
	return nil
}

// grid lists the values a grid search evaluates, ascending.
func (d Domain) grid() []float64 {
	var xs []float64
	if d.Integer {
		for x := d.Min; x <= d.Max; x++ {
			xs = append(xs, x)
		}
		return xs
	}
	if d.Min == d.Max {
		return []float64{d.Min}
	}
	for i := range d.Points {
		xs = append(xs, d.Min+(d.Max-d.Min)*float64(i)/float64(d.Points-1))
	}
	return xs
}

// Answer is a search's result: the value found, its evaluation, and every
// evaluation behind it, ascending in X.
type Answer struct {
	X    float64
	At   Eval
	Runs []Eval
	// Close lists, for Optimise, the values whose interval overlaps the
	// best one's: not separated from it at this replication count.
	Close []float64
}

// Unreachable is a target not met anywhere in the domain.
type Unreachable struct {
	Target Target
	Best   Eval // the evaluation closest to meeting it
	Runs   []Eval
}

func (e *Unreachable) Error() string {
	if e.Target.Met(Eval{Mean: e.Best.Mean, N: 1}) {
		return fmt.Sprintf("target %s not met in the range with its 95%% interval: at %s the mean meets it but the interval does not: %s (more --reps narrows the interval)",
			e.Target, fmtX(e.Best.X), fmtEval(e.Best))
	}
	return fmt.Sprintf("target %s not met in the range: the best value %s gives %s (widen --min/--max, or the target is beyond what the path can do)",
		e.Target, fmtX(e.Best.X), fmtEval(e.Best))
}

// NonMonotone is a metric that does not move one way with the input, so
// "the smallest value meeting the target" (or, Falling, the largest) is
// not well defined.
type NonMonotone struct {
	Target Target
	// A is met (or significantly better) while B is not, though B lies
	// the way the search assumes better: A.X < B.X, or A.X > B.X when
	// Falling
	A, B    Eval
	Runs    []Eval
	Falling bool // the search was Largest's
}

func (e *NonMonotone) Error() string {
	larger, grows := "larger", "grows"
	if e.Falling {
		larger, grows = "smaller", "falls"
	}
	return fmt.Sprintf("%s is not monotone in the input: %s gives %s but the %s %s gives %s; solve needs a target that, once met, stays met as the value %s (narrow --min/--max, or use --grid to see every value)",
		e.Target.Metric, fmtX(e.A.X), fmtEval(e.A), larger, fmtX(e.B.X), fmtEval(e.B), grows)
}

// Smallest finds the smallest value in d whose evaluation meets t, by
// bisection (grid false) or by evaluating every value (grid true). It
// assumes the target, once met, stays met as the value grows, checks it
// on what it evaluated, and returns *NonMonotone or *Unreachable.
func Smallest(ctx context.Context, f Func, d Domain, t Target, grid bool) (*Answer, error) {
	if err := d.Check(); err != nil {
		return nil, err
	}
	r := &recorder{f: f}
	if grid {
		return smallestGrid(ctx, r, d, t)
	}
	hi, err := r.eval(ctx, d.Max)
	if err != nil {
		return nil, err
	}
	lo, err := r.eval(ctx, d.Min)
	if err != nil {
		return nil, err
	}
	switch {
	case t.Met(lo):
		// the smallest value; answer refuses it when Max is clearly worse
		// (not merely a wider interval there)
		return r.answer(lo, t)
	case !t.Met(hi):
		return nil, &Unreachable{Target: t, Best: best(r.sorted(), t), Runs: r.sorted()}
	}
	for {
		mid, ok := d.mid(lo.X, hi.X)
		if !ok {
			break
		}
		e, err := r.eval(ctx, mid)
		if err != nil {
			return nil, err
		}
		if t.Met(e) {
			hi = e
		} else {
			lo = e
		}
	}
	return r.answer(hi, t)
}

// Largest finds the largest value in d whose evaluation meets t, by
// bisection or over the grid: Smallest run on the input negated, so it
// assumes the target, once met, stays met as the value falls (a load, a
// traffic scale, a number of flows), checks it on what it evaluated, and
// returns *NonMonotone (Falling) or *Unreachable with the values as given.
func Largest(ctx context.Context, f Func, d Domain, t Target, grid bool) (*Answer, error) {
	if err := d.Check(); err != nil {
		return nil, err
	}
	neg := Domain{Min: -d.Max, Max: -d.Min, Integer: d.Integer, Tol: d.Tol, Points: d.Points}
	a, err := Smallest(ctx, func(ctx context.Context, x float64) (Eval, error) { return f(ctx, -x) }, neg, t, grid)
	if a != nil {
		a.X, a.At.X, a.Runs = -a.X, -a.At.X, mirror(a.Runs)
	}
	var ur *Unreachable
	var nm *NonMonotone
	switch {
	case errors.As(err, &ur):
		ur.Best.X, ur.Runs = -ur.Best.X, mirror(ur.Runs)
	case errors.As(err, &nm):
		nm.A.X, nm.B.X, nm.Runs, nm.Falling = -nm.A.X, -nm.B.X, mirror(nm.Runs), true
	}
	return a, err
}

// mirror negates the inputs of runs ascending in the negated input, so
// they ascend in the input again.
func mirror(runs []Eval) []Eval {
	out := make([]Eval, len(runs))
	for i, e := range runs {
		e.X = -e.X
		out[len(runs)-1-i] = e
	}
	return out
}

// mid is the next bisection point between lo (not met) and hi (met), or
// false when the bracket is as narrow as the domain resolves.
func (d Domain) mid(lo, hi float64) (float64, bool) {
	if d.Integer {
		if hi-lo <= 1 {
			return 0, false
		}
		return math.Floor((lo + hi) / 2), true
	}
	if hi-lo <= d.Tol {
		return 0, false
	}
	return (lo + hi) / 2, true
}

func smallestGrid(ctx context.Context, r *recorder, d Domain, t Target) (*Answer, error) {
	for _, x := range d.grid() {
		if _, err := r.eval(ctx, x); err != nil {
			return nil, err
		}
	}
	runs := r.sorted()
	// The answer is the start of the run of met values that reaches Max;
	// a met value before an unmet one is a non-monotone target.
	first := -1
	for i, e := range runs {
		switch {
		case t.Met(e) && first < 0:
			first = i
		case !t.Met(e) && first >= 0:
			return nil, &NonMonotone{Target: t, A: runs[first], B: e, Runs: runs}
		}
	}
	if first < 0 {
		return nil, &Unreachable{Target: t, Best: best(runs, t), Runs: runs}
	}
	return r.answer(runs[first], t)
}

// best is the evaluation closest to meeting t.
func best(runs []Eval, t Target) Eval {
	b := runs[0]
	for _, e := range runs[1:] {
		if (t.AtMost && e.Upper() < b.Upper()) || (!t.AtMost && e.Lower() > b.Lower()) {
			b = e
		}
	}
	return b
}

// Optimise evaluates every grid value of d and returns the one with the
// largest mean of the metric (the smallest when minimise), with the values
// whose intervals overlap it (Close).
func Optimise(ctx context.Context, f Func, d Domain, minimise bool) (*Answer, error) {
	if err := d.Check(); err != nil {
		return nil, err
	}
	r := &recorder{f: f}
	for _, x := range d.grid() {
		if _, err := r.eval(ctx, x); err != nil {
			return nil, err
		}
	}
	runs := r.sorted()
	b := runs[0]
	for _, e := range runs[1:] {
		if (minimise && e.Mean < b.Mean) || (!minimise && e.Mean > b.Mean) {
			b = e
		}
	}
	a := &Answer{X: b.X, At: b, Runs: runs}
	for _, e := range runs {
		if e.X != b.X && e.Upper() >= b.Lower() && e.Lower() <= b.Upper() {
			a.Close = append(a.Close, e.X)
		}
	}
	return a, nil
}

// recorder evaluates each value once and keeps every evaluation.
type recorder struct {
	f    Func
	runs map[float64]Eval
}

func (r *recorder) eval(ctx context.Context, x float64) (Eval, error) {
	if e, ok := r.runs[x]; ok {
		return e, nil
	}
	if ctx.Err() != nil {
		return Eval{}, context.Cause(ctx) // a signal's cause, for its exit code
	}
	e, err := r.f(ctx, x)
	if err != nil {
		return Eval{}, err
	}
	if math.IsNaN(e.Mean) || math.IsInf(e.Mean, 0) {
		return Eval{}, fmt.Errorf("value %s: the metric is %v", fmtX(x), e.Mean)
	}
	e.X = x
	if r.runs == nil {
		r.runs = map[float64]Eval{}
	}
	r.runs[x] = e
	return e, nil
}

func (r *recorder) sorted() []Eval {
	out := make([]Eval, 0, len(r.runs))
	for _, e := range r.runs {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].X < out[j].X })
	return out
}

// answer checks the evaluations for a significant step the wrong way (a
// larger value clearly worse than a smaller one: intervals separated) and
// returns the answer at e.
func (r *recorder) answer(e Eval, t Target) (*Answer, error) {
	runs := r.sorted()
	for i, a := range runs {
		for _, b := range runs[i+1:] {
			if worse(b, a, t) {
				return nil, &NonMonotone{Target: t, A: a, B: b, Runs: runs}
			}
		}
	}
	return &Answer{X: e.X, At: e, Runs: runs}, nil
}

// worse reports whether b is clearly worse than a for t: the intervals
// separate and b's mean is more than 1% (relative) the wrong side of a's.
// The 1% is assumed: it keeps a flat, saturated metric whose deterministic
// means differ in the last digits (cpu_jitter 0) from being called
// non-monotone.
func worse(b, a Eval, t Target) bool {
	tol := 0.01 * math.Max(math.Abs(a.Mean), math.Abs(b.Mean))
	if t.AtMost {
		return b.Lower() > a.Upper() && b.Mean-a.Mean > tol
	}
	return b.Upper() < a.Lower() && a.Mean-b.Mean > tol
}

func fmtX(x float64) string { return strconv.FormatFloat(x, 'g', 6, 64) }

func fmtEval(e Eval) string {
	if !e.Spread() {
		return fmt.Sprintf("%s (1 replication, no interval)", strconv.FormatFloat(e.Mean, 'g', 6, 64))
	}
	return fmt.Sprintf("%s ± %s (95%% CI, %d replications)",
		strconv.FormatFloat(e.Mean, 'g', 6, 64), strconv.FormatFloat(e.CI95, 'g', 3, 64), e.N)
}
