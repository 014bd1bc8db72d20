package plots

import (
	"fmt"
	"slices"

	"gonum.org/v1/plot/plotter"
)

// CDF is the empirical cumulative distribution of samples, one step line per
// series (request latencies per plugin, pod launch times).
type CDF struct {
	Title  string
	XLabel string // the sampled quantity and unit, e.g. "latency (µs)"
	LogX   bool
	Series []Samples
}

// Samples is one distribution's raw observations, in any order.
type Samples struct {
	Name   string
	Values []float64
}

// Figure validates c and draws it.
func (c CDF) Figure() (*Figure, error) {
	ck := checker{"CDF", c.Title}
	if c.Title == "" {
		return nil, ck.header("")
	}
	if c.XLabel == "" {
		return nil, ck.errorf("empty XLabel; name the sampled quantity and its unit, e.g. \"latency (µs)\"")
	}
	ls := make([]LineSeries, len(c.Series))
	for i, s := range c.Series {
		if len(s.Values) == 0 {
			return nil, ck.errorf("series %d %q: no samples", i, s.Name)
		}
		if err := ck.finite(fmt.Sprintf("series %d %q", i, s.Name), "Values", s.Values, -1, false); err != nil {
			return nil, err
		}
		xys := ecdf(s.Values)
		ls[i] = LineSeries{Name: s.Name, X: make([]float64, len(xys)), Y: make([]float64, len(xys))}
		for k, p := range xys {
			ls[i].X[k], ls[i].Y[k] = p.X, p.Y
		}
	}
	p := newPlot(c.Title, c.XLabel, "fraction of samples ≤ x")
	leg := newLegend()
	if _, err := addSeries(p, leg, ck, ls, 0, c.LogX, false, true); err != nil {
		return nil, err
	}
	p.Y.Min, p.Y.Max = 0, 1
	if c.LogX {
		logX(p)
	}
	return newFigure(legendOrNil(leg), p), nil
}

// ecdf returns the empirical CDF of vs as the corners of a post-step line:
// (x(1), 0), then (x(k), k/n) for the sorted samples x(1) <= ... <= x(n), so
// the line is at k/n on [x(k), x(k+1)) and rises at each sample.
func ecdf(vs []float64) plotter.XYs {
	s := slices.Clone(vs)
	slices.Sort(s)
	n := float64(len(s))
	xys := make(plotter.XYs, 0, len(s)+1)
	xys = append(xys, plotter.XY{X: s[0], Y: 0})
	for k, v := range s {
		xys = append(xys, plotter.XY{X: v, Y: float64(k+1) / n})
	}
	return xys
}
