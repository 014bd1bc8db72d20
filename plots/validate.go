package plots

import (
	"fmt"
	"math"
)

// checker accumulates the context of an input being validated, so errors read
// like `plots: Bars "TCP throughput": series "flannel": CI95[2] is NaN`.
type checker struct{ kind, title string }

func (c checker) errorf(format string, args ...any) error {
	return fmt.Errorf("plots: %s %q: %s", c.kind, c.title, fmt.Sprintf(format, args...))
}

// header checks what every figure needs to be readable at a glance.
func (c checker) header(ylabel string) error {
	if c.title == "" {
		return fmt.Errorf("plots: %s: empty Title; say what was simulated", c.kind)
	}
	if ylabel == "" {
		return c.errorf("empty YLabel; name the quantity and its unit, e.g. \"throughput (Gbit/s)\"")
	}
	return nil
}

// finite checks that vs has n values (n < 0: any number), all finite and, if
// nonNeg, not negative.
func (c checker) finite(where, field string, vs []float64, n int, nonNeg bool) error {
	if n >= 0 && len(vs) != n {
		return c.errorf("%s: len(%s) = %d, want %d", where, field, len(vs), n)
	}
	for i, v := range vs {
		switch {
		case math.IsNaN(v) || math.IsInf(v, 0):
			return c.errorf("%s: %s[%d] is %v; values must be finite", where, field, i, v)
		case nonNeg && v < 0:
			return c.errorf("%s: %s[%d] = %g is negative", where, field, i, v)
		}
	}
	return nil
}

// names checks series names: non-empty and unique when a legend is needed.
func (c checker) names(what string, names []string) error {
	if len(names) == 0 {
		return c.errorf("no %s", what)
	}
	if len(names) > MaxSeries {
		return c.errorf("%d %s; at most %d can be told apart by colour", len(names), what, MaxSeries)
	}
	if len(names) == 1 {
		return nil
	}
	seen := make(map[string]int, len(names))
	for i, n := range names {
		if n == "" {
			return c.errorf("%s %d has no Name; the legend needs one when there are several", what, i)
		}
		if j, dup := seen[n]; dup {
			return c.errorf("%s %d and %d are both named %q", what, j, i, n)
		}
		seen[n] = i
	}
	return nil
}

// categories checks category labels: at least one, none empty, unique.
func (c checker) categories(cats []string) error {
	if len(cats) == 0 {
		return c.errorf("no Categories")
	}
	seen := make(map[string]int, len(cats))
	for i, s := range cats {
		if s == "" {
			return c.errorf("Categories[%d] is empty", i)
		}
		if j, dup := seen[s]; dup {
			return c.errorf("Categories[%d] and [%d] are both %q", j, i, s)
		}
		seen[s] = i
	}
	return nil
}

// xy checks one line series: equal lengths, finite, x non-decreasing (sweeps
// and time series are ordered; anything else is a caller bug), x > 0 on a log axis.
func (c checker) xy(where string, x, y, ci []float64, logX bool) error {
	if len(x) == 0 {
		return c.errorf("%s: no points", where)
	}
	if err := c.finite(where, "X", x, -1, false); err != nil {
		return err
	}
	if err := c.finite(where, "Y", y, len(x), false); err != nil {
		return err
	}
	if ci != nil {
		if err := c.finite(where, "CI95", ci, len(x), true); err != nil {
			return err
		}
	}
	for i := range x {
		if logX && x[i] <= 0 {
			return c.errorf("%s: X[%d] = %g is not positive, which a log axis cannot show", where, i, x[i])
		}
		if i > 0 && x[i] < x[i-1] {
			return c.errorf("%s: X[%d] = %g < X[%d] = %g; X must be in increasing order", where, i, x[i], i-1, x[i-1])
		}
	}
	return nil
}

// present checks a bar series' means: n values, finite or NaN (an absent
// bar), never infinite.
func (c checker) present(where, field string, vs []float64, n int) error {
	if len(vs) != n {
		return c.errorf("%s: len(%s) = %d, want %d", where, field, len(vs), n)
	}
	for i, v := range vs {
		if math.IsInf(v, 0) {
			return c.errorf("%s: %s[%d] is %v; values must be finite (NaN: no bar)", where, field, i, v)
		}
	}
	return nil
}
