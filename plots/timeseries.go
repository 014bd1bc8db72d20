package plots

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// TimeSeries is one or more panels stacked top to bottom over a shared time
// axis, each with its own y quantity and unit: e.g. a client's throughput above
// its congestion window in the asynchronous-CNI case (first SYN lost, retried
// after the 1 s initial RTO).
type TimeSeries struct {
	Title  string // drawn above the top panel
	XLabel string // e.g. "time (s)"; drawn below the bottom panel
	Panels []Panel
	// Shared: series i of every panel is one thing (a sweep point seen in
	// several quantities), with one colour and one legend entry; its
	// name in the first panel names it.
	Shared bool
}

// Panel is one y axis of a TimeSeries. Series X values are times.
type Panel struct {
	YLabel string // e.g. "cwnd (segments)"
	Step   bool   // hold each value until the next sample (cwnd, queue length)
	Series []LineSeries
	Marks  []Mark // events drawn across the panel
}

// Mark is an event at time X drawn as a dashed vertical line across its
// panel, labelled at the top (a SYN sent, a connection established).
type Mark struct {
	X     float64
	Label string
}

// Figure validates t and draws it. Series get distinct colours across panels and
// share one legend.
func (t TimeSeries) Figure() (*Figure, error) {
	ck := checker{"TimeSeries", t.Title}
	if t.Title == "" {
		return nil, ck.header("") // reports the empty title
	}
	if t.XLabel == "" {
		return nil, ck.errorf("empty XLabel; name the time axis and its unit, e.g. \"time (s)\"")
	}
	if len(t.Panels) == 0 {
		return nil, ck.errorf("no Panels")
	}
	leg := newLegend()
	ps := make([]*plot.Plot, len(t.Panels))
	xmin, xmax := math.Inf(1), math.Inf(-1)
	first := 0
	for i, pn := range t.Panels {
		if pn.YLabel == "" {
			return nil, ck.errorf("panel %d: empty YLabel; name the quantity and its unit", i)
		}
		title, xlabel := "", ""
		if i == 0 {
			title = t.Title
		}
		if i == len(t.Panels)-1 {
			xlabel = t.XLabel
		}
		p := newPlot(title, xlabel, pn.YLabel)
		pck := checker{"TimeSeries", fmt.Sprintf("%s\" panel %d \"%s", t.Title, i, pn.YLabel)}
		pl, start := leg, first
		if t.Shared {
			start, first = 0, max(first, len(pn.Series))
			if i > 0 {
				pl = newLegend() // named once, by the first panel
			}
		} else {
			first += len(pn.Series)
		}
		if _, err := addSeries(p, pl, pck, pn.Series, start, false, false, pn.Step); err != nil {
			return nil, err
		}
		if err := addMarks(p, pck, pn.Marks); err != nil {
			return nil, err
		}
		xmin, xmax = math.Min(xmin, p.X.Min), math.Max(xmax, p.X.Max)
		ps[i] = p
	}
	if first > MaxSeries {
		return nil, ck.errorf("%d series in all panels; at most %d can be told apart by colour", first, MaxSeries)
	}
	for _, p := range ps {
		p.X.Min, p.X.Max = xmin, xmax
	}
	return newFigure(legendOrNil(leg), ps...), nil
}

func byX(a, b Mark) int { return cmp.Compare(a.X, b.X) }

// addMarks draws each mark as a dashed grey line over the panel's y range
// with its label at the top, after the series have set that range.
func addMarks(p *plot.Plot, ck checker, marks []Mark) error {
	if len(marks) == 0 {
		return nil
	}
	for i, m := range marks {
		if math.IsNaN(m.X) || math.IsInf(m.X, 0) {
			return ck.errorf("mark %d (%q): x %v is not a finite time", i, m.Label, m.X)
		}
		if m.Label == "" {
			return ck.errorf("mark %d at x %v: empty Label; say what happened", i, m.X)
		}
	}
	lo, hi := p.Y.Min, p.Y.Max
	if !(hi > lo) {
		lo, hi = 0, 1
	}
	var xys plotter.XYs
	var labels []string
	// a label within 8% of the x range of the one before it goes a line
	// lower, so that close events (a SYN and the establishment) stay legible
	xlo, xhi := math.Min(p.X.Min, slices.MinFunc(marks, byX).X), math.Max(p.X.Max, slices.MaxFunc(marks, byX).X)
	row, prev := 0, math.Inf(-1)
	for _, m := range slices.SortedStableFunc(slices.Values(marks), byX) {
		l, err := plotter.NewLine(plotter.XYs{{X: m.X, Y: lo}, {X: m.X, Y: hi}})
		if err != nil {
			return ck.errorf("mark %q at x %v: %v", m.Label, m.X, err)
		}
		l.Color = color.Gray{Y: 0x55}
		l.Dashes = []vg.Length{vg.Points(3), vg.Points(2)}
		p.Add(l)
		if m.X-prev < 0.08*(xhi-xlo) {
			row++
		} else {
			row = 0
		}
		prev = m.X
		xys = append(xys, plotter.XY{X: m.X, Y: hi - float64(row)*0.1*(hi-lo)})
		labels = append(labels, m.Label)
	}
	lb, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
	if err != nil {
		return ck.errorf("marks: %v", err)
	}
	for i := range lb.TextStyle {
		lb.TextStyle[i].Font.Size = vg.Points(8)
		lb.TextStyle[i].XAlign = draw.XLeft
		lb.TextStyle[i].YAlign = draw.YTop
	}
	lb.Offset = vg.Point{X: vg.Points(2)}
	p.Add(lb)
	return nil
}
