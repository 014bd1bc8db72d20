package catalog

import (
	"fmt"
	"github.com/cnisim/cnisim/sim"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/cnisim/cnisim/experiments/report"
	"github.com/cnisim/cnisim/experiments/results"
)

// tolerance is how far (relative) a predicted number may be from the
// source's and still be reported "close".
const tolerance = 0.10

// number sets a predicted value beside a number a source states: close
// when within tolerance.
func number(claim, source string, src float64, unit string, pred float64) report.Check {
	return numberWithin(claim, source, src, unit, pred, tolerance)
}

// numberWithin is number with its own relative tolerance.
func numberWithin(claim, source string, src float64, unit string, pred, tol float64) report.Check {
	c := report.Check{Claim: claim, Source: source, SourceVal: num(src) + unit, Predicted: num(pred) + unit,
		Kind: report.Magnitude, Tolerance: tol}
	if math.IsNaN(pred) {
		c.Predicted, c.Status = "not measured", report.Off
		return c
	}
	diff := pred - src
	c.Difference = signed(diff) + unit
	if src != 0 {
		c.Difference += fmt.Sprintf(" (%+.1f%%)", 100*diff/src)
	}
	c.Status = report.Off
	if math.Abs(diff) <= tol*math.Abs(src) {
		c.Status = report.Close
	}
	return c
}

// echo marks c as comparing the simulation with a number its calibration
// was built from (the paper profile's per-stage CPP): agreement checks the
// arithmetic of graphs and profile, not a prediction.
func echo(c report.Check) report.Check {
	c.Kind = report.Echo
	return c
}

// span sets a predicted value beside a range a source states ("700 ~ 880
// CPP"); the difference is the distance to the nearest end.
func span(claim, source string, lo, hi float64, unit string, pred float64) report.Check {
	c := report.Check{Claim: claim, Source: source, SourceVal: num(lo) + "–" + num(hi) + unit, Predicted: num(pred) + unit,
		Kind: report.Magnitude, Tolerance: tolerance}
	var diff float64
	switch {
	case math.IsNaN(pred):
		c.Predicted, c.Status = "not measured", report.Off
		return c
	case pred < lo:
		diff = pred - lo
	case pred > hi:
		diff = pred - hi
	}
	c.Difference = "inside"
	c.Status = report.Close
	if diff != 0 {
		c.Difference = signed(diff) + unit + " outside"
		ref := lo
		if diff > 0 {
			ref = hi
		}
		if math.Abs(diff) > tolerance*ref {
			c.Status = report.Off
		}
	}
	return c
}

// ordering reports whether an ordering a source states holds: PASS only
// when the means are in the source's order and the 95% intervals of the
// two sides separate (sep), "not resolved at N replications" when the
// means agree but the intervals overlap, FAIL when the means are the
// other way round.
func ordering(claim, source, src, pred string, ok bool, sep separation) report.Check {
	c := report.Check{Claim: claim, Source: source, SourceVal: src, Predicted: pred, Status: report.Fail,
		Kind: report.Ordering, Reps: sep.n}
	switch {
	case ok && sep.resolved:
		c.Status = report.Pass
	case ok:
		c.Status = report.Unresolved
	}
	return c
}

// separation is whether the intervals of an ordering's two sides separate,
// and the fewest replications behind them.
type separation struct {
	resolved bool
	n        int
}

// apart: every statistic of hi lies above every one of lo, intervals
// included (mean - ci95 of the lowest hi above mean + ci95 of the highest
// lo). Undefined intervals (fewer than two replications) never separate.
func apart(hi, lo []results.Stat) separation {
	s := separation{resolved: len(hi) > 0 && len(lo) > 0, n: math.MaxInt}
	floor, ceil := math.Inf(1), math.Inf(-1)
	for _, st := range hi {
		if st.N == 0 { // absent (a stage the datapath lacks)
			continue
		}
		s.n = min(s.n, st.N)
		floor = math.Min(floor, st.Mean-st.CI95)
	}
	for _, st := range lo {
		if st.N == 0 {
			continue
		}
		s.n = min(s.n, st.N)
		ceil = math.Max(ceil, st.Mean+st.CI95)
	}
	if s.n == math.MaxInt {
		s.n = 0
	}
	s.resolved = s.resolved && s.n >= 2 && floor > ceil
	return s
}

// all joins separations that must each hold.
func all(ss ...separation) separation {
	out := separation{resolved: len(ss) > 0, n: math.MaxInt}
	for _, s := range ss {
		out.resolved = out.resolved && s.resolved
		out.n = min(out.n, s.n)
	}
	if out.n == math.MaxInt {
		out.n = 0
	}
	return out
}

// one wraps statistics as a side of an ordering.
func one(s ...results.Stat) []results.Stat { return s }

// exact is a number known without error (a closed-form bound), as a
// statistic of n replications, for an ordering against a bound.
func exact(v float64, n int) results.Stat { return results.Stat{Mean: v, N: n} }

// scaled is s times k (k > 0).
func scaled(s results.Stat, k float64) results.Stat {
	s.Mean, s.StdDev, s.CI95 = s.Mean*k, s.StdDev*k, s.CI95*k
	return s
}

// perRepRatio is the ratio num / (den x scale) summarised over the
// replications of one point: each replication's own ratio, so that two
// quantities that move together (cores and goodput as RSS places the
// streams) give the narrow interval of their ratio, not the sum of their
// two intervals. Replications missing either metric, or with den = 0, are
// left out.
func perRepRatio(w Row, num, den string, scale float64) results.Stat {
	var s sim.Summary
	for _, m := range w.Run.PerRep[w.Index] {
		n, okN := m[num]
		d, okD := m[den]
		if okN && okD && d != 0 {
			s.Add(n / (d * scale))
		}
	}
	return results.Stat{Mean: s.Mean(), StdDev: s.StdDev(), CI95: s.CI95(), N: s.N()}
}

// without returns ss less the entries at the given indices.
func without(ss []results.Stat, idx ...int) []results.Stat {
	var out []results.Stat
	for i, s := range ss {
		if !slices.Contains(idx, i) {
			out = append(out, s)
		}
	}
	return out
}

// at returns the entries of ss at the given indices; an index out of
// range (a label argmax/argmin did not find: -1) is skipped, leaving the
// side short, so the ordering is not resolved rather than a panic.
func at(ss []results.Stat, idx ...int) []results.Stat {
	var out []results.Stat
	for _, j := range idx {
		if j >= 0 && j < len(ss) {
			out = append(out, ss[j])
		}
	}
	return out
}

// top: ss[i] above all the others; bottom: below them (i < 0: unresolved).
func top(ss []results.Stat, i int) separation {
	if i < 0 {
		return separation{}
	}
	return apart(at(ss, i), without(ss, i))
}

func bottom(ss []results.Stat, i int) separation {
	if i < 0 {
		return separation{}
	}
	return apart(without(ss, i), at(ss, i))
}

// statsOf returns metric's statistic per row (zero Stat where absent).
func statsOf(rs []Row, metric string) []results.Stat {
	out := make([]results.Stat, len(rs))
	for i, r := range rs {
		out[i], _ = r.Stat(metric)
	}
	return out
}

// memberStats returns one cpp_by_stage member's statistic per row (zero
// Stat, N = 0, where the datapath lacks the stage).
func memberStats(rs []Row, kind string) []results.Stat {
	out := make([]results.Stat, len(rs))
	for i, r := range rs {
		out[i], _ = r.Member(results.CPPByStage, kind)
	}
	return out
}

// Seed documents (the two sources the simulator must reproduce), cited by
// file and section so a reader can find the sentence.
const (
	paperSeed  = "003_23ce03e7afdd849c.txt"
	vendorSeed = "000_a5340a60b122e471.txt"
)

// paperSrc cites the measurement paper (Qi, Kulkarni, Ramakrishnan) at a
// section, e.g. "III.B, Fig. 4".
func paperSrc(section string) string { return "paper (seed " + paperSeed + ") §" + section }

// vendorSrc cites the CNI vendor's analysis of the benchmark at a section.
func vendorSrc(section string) string { return "vendor blog (seed " + vendorSeed + "), " + section }

// index returns the position of label in labels (-1 if absent).
func index(labels []string, label string) int { return slices.Index(labels, label) }

// num formats for tables: 4 significant digits, no exponent for the
// magnitudes we print.
func num(v float64) string {
	switch {
	case math.IsNaN(v):
		return "–"
	case v == 0:
		return "0"
	case math.Abs(v) >= 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	s := strconv.FormatFloat(v, 'g', 4, 64)
	if strings.ContainsAny(s, "e") {
		s = strconv.FormatFloat(v, 'f', 6, 64)
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

func signed(v float64) string {
	if v >= 0 {
		return "+" + num(v)
	}
	return "−" + num(-v)
}

// pm formats a statistic scaled by k as "mean ± ci95".
func pm(s results.Stat, k float64) string {
	if s.N == 0 {
		return "–"
	}
	if !s.Spread() { // one replication: no interval
		return num(s.Mean * k)
	}
	return num(s.Mean*k) + " ± " + num(s.CI95*k)
}

// argmax and argmin return the label of the largest and smallest value.
func argmax(labels []string, vs []float64) (string, float64) {
	best, bv := "", math.Inf(-1)
	for i, v := range vs {
		if v > bv {
			best, bv = labels[i], v
		}
	}
	return best, bv
}

func argmin(labels []string, vs []float64) (string, float64) {
	best, bv := "", math.Inf(1)
	for i, v := range vs {
		if v < bv {
			best, bv = labels[i], v
		}
	}
	return best, bv
}
