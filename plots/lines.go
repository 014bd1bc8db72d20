package plots

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Lines is a line chart of sweeps: y against a swept parameter (MTU, policy
// rules, link speed), one line per series, with optional 95% CI whiskers.
type Lines struct {
	Title  string
	XLabel string // e.g. "pod MTU (bytes)"
	YLabel string // e.g. "throughput (Gbit/s)"
	LogX   bool   // logarithmic x axis; all X must then be positive
	Series []LineSeries
}

// LineSeries is one line: points (X[i], Y[i]) in increasing X, and if CI95 is
// not nil the half-width of each point's 95% confidence interval. Max, if not
// nil, is each point's physical upper bound (the link's goodput bound at that
// link rate; 0: none), where whiskers are cut and marked.
type LineSeries struct {
	Name string
	X, Y []float64
	CI95 []float64
	Max  []float64
}

// Figure validates l and draws it.
func (l Lines) Figure() (*Figure, error) {
	ck := checker{"Lines", l.Title}
	if err := ck.header(l.YLabel); err != nil {
		return nil, err
	}
	if l.XLabel == "" {
		return nil, ck.errorf("empty XLabel; name the swept parameter and its unit")
	}
	p := newPlot(l.Title, l.XLabel, l.YLabel)
	leg := newLegend()
	clipped, err := addSeries(p, leg, ck, l.Series, 0, l.LogX, true, false)
	if err != nil {
		return nil, err
	}
	if l.LogX {
		logX(p)
	}
	leg = legendOrNil(leg)
	var xs []float64
	for _, s := range l.Series {
		xs = append(xs, s.X...)
	}
	dataTicks(p, xs, l.LogX, plotWidth(leg))
	f := newFigure(leg, p)
	f.Clipped = clipped
	return f, nil
}

// addSeries validates ss and adds them to p as lines (with point glyphs if
// points, as steps if step) and CI whiskers, coloured from palette index
// first on and dashed by series (so overlapping lines and greyscale prints
// still tell them apart), and adds the named ones to leg. It reports
// whether a whisker was cut at its physical range.
func addSeries(p *plot.Plot, leg *plot.Legend, ck checker, ss []LineSeries, first int, logX, points, step bool) (bool, error) {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.Name
	}
	if err := ck.names("Series", names); err != nil {
		return false, err
	}
	clipped := false
	for i, s := range ss {
		where := fmt.Sprintf("series %d %q", i, s.Name)
		if err := ck.xy(where, s.X, s.Y, s.CI95, logX); err != nil {
			return false, err
		}
		if s.Max != nil {
			if err := ck.finite(where, "Max", s.Max, len(s.X), true); err != nil {
				return false, err
			}
		}
		xys := make(plotter.XYs, len(s.X))
		for k := range s.X {
			xys[k].X, xys[k].Y = s.X[k], s.Y[k]
		}
		ln, err := plotter.NewLine(xys)
		if err != nil {
			return false, ck.errorf("%s: %v", where, err)
		}
		ln.Color = Color(first + i)
		ln.Width = vg.Points(1.5)
		ln.Dashes = dashes(i)
		if step {
			ln.StepStyle = plotter.PostStep
		}
		p.Add(ln)
		thumbs := []plot.Thumbnailer{ln}
		if points {
			sc, err := plotter.NewScatter(xys)
			if err != nil {
				return false, ck.errorf("%s: %v", where, err)
			}
			sc.Color = Color(first + i)
			sc.Shape = glyph(i)
			sc.Radius = vg.Points(2.5)
			p.Add(sc)
			thumbs = append(thumbs, sc)
		}
		if s.CI95 != nil {
			eb, cut := newWhiskers(s.X, s.Y, s.CI95, s.Max, Color(first+i))
			eb.dx = vg.Points(2.5 * (float64(i) - float64(len(ss)-1)/2))
			clipped = clipped || cut
			p.Add(eb)
		}
		if s.Name != "" {
			leg.Add(s.Name, thumbs...)
		}
	}
	return clipped, nil
}

// logX switches p's x axis to a log scale with ticks at powers of ten.
func logX(p *plot.Plot) {
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
}
