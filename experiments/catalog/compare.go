package catalog

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/cnisim/cnisim/experiments/report"
	"github.com/cnisim/cnisim/experiments/results"
)

// tolerance is how far (relative) a predicted number may be from the
// source's and still be reported "close".
const tolerance = 0.10

// number sets a predicted value beside a number a source states.
func number(claim, source string, src float64, unit string, pred float64) report.Check {
	c := report.Check{Claim: claim, Source: source, SourceVal: num(src) + unit, Predicted: num(pred) + unit}
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
	if math.Abs(diff) <= tolerance*math.Abs(src) {
		c.Status = report.Close
	}
	return c
}

// span sets a predicted value beside a range a source states ("700 ~ 880
// CPP"); the difference is the distance to the nearest end.
func span(claim, source string, lo, hi float64, unit string, pred float64) report.Check {
	c := report.Check{Claim: claim, Source: source, SourceVal: num(lo) + "–" + num(hi) + unit, Predicted: num(pred) + unit}
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

// ordering reports whether an ordering a source states holds.
func ordering(claim, source, src, pred string, ok bool) report.Check {
	c := report.Check{Claim: claim, Source: source, SourceVal: src, Predicted: pred, Status: report.Fail}
	if ok {
		c.Status = report.Pass
	}
	return c
}

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
	if s.N < 2 {
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
