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
// not nil the half-width of each point's 95% confidence interval.
type LineSeries struct {
	Name string
	X, Y []float64
	CI95 []float64
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
	if err := addSeries(p, leg, ck, l.Series, 0, l.LogX, true, false); err != nil {
		return nil, err
	}
	if l.LogX {
		logX(p)
	}
	return newFigure(legendOrNil(leg), p), nil
}

// addSeries validates ss and adds them to p as lines (with point glyphs if
// points, as steps if step) and CI whiskers, coloured from palette index
// first on, and adds the named ones to leg.
func addSeries(p *plot.Plot, leg *plot.Legend, ck checker, ss []LineSeries, first int, logX, points, step bool) error {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.Name
	}
	if err := ck.names("Series", names); err != nil {
		return err
	}
	for i, s := range ss {
		where := fmt.Sprintf("series %d %q", i, s.Name)
		if err := ck.xy(where, s.X, s.Y, s.CI95, logX); err != nil {
			return err
		}
		xys := make(plotter.XYs, len(s.X))
		for k := range s.X {
			xys[k].X, xys[k].Y = s.X[k], s.Y[k]
		}
		ln, err := plotter.NewLine(xys)
		if err != nil {
			return ck.errorf("%s: %v", where, err)
		}
		ln.Color = Color(first + i)
		ln.Width = vg.Points(1.5)
		if step {
			ln.StepStyle = plotter.PostStep
		}
		p.Add(ln)
		thumbs := []plot.Thumbnailer{ln}
		if points {
			sc, err := plotter.NewScatter(xys)
			if err != nil {
				return ck.errorf("%s: %v", where, err)
			}
			sc.Color = Color(first + i)
			sc.Shape = glyph(i)
			sc.Radius = vg.Points(2.5)
			p.Add(sc)
			thumbs = append(thumbs, sc)
		}
		if s.CI95 != nil {
			eb, err := whiskers(s.X, s.Y, s.CI95)
			if err != nil {
				return ck.errorf("%s: %v", where, err)
			}
			eb.Color = Color(first + i)
			p.Add(eb)
		}
		if s.Name != "" {
			leg.Add(s.Name, thumbs...)
		}
	}
	return nil
}

// whiskers returns symmetric 95% CI error bars at (x[i], y[i]).
func whiskers(x, y, ci []float64) (*plotter.YErrorBars, error) {
	pts := make(errPoints, len(x))
	for i := range x {
		pts[i] = errPoint{x[i], y[i], ci[i]}
	}
	eb, err := plotter.NewYErrorBars(pts)
	if err != nil {
		return nil, err
	}
	eb.CapWidth = vg.Points(4)
	return eb, nil
}

// logX switches p's x axis to a log scale with ticks at powers of ten.
func logX(p *plot.Plot) {
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
}
