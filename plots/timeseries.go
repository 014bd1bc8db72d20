package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
)

// TimeSeries is one or more panels stacked top to bottom over a shared time
// axis, each with its own y quantity and unit: e.g. a client's throughput above
// its congestion window in the asynchronous-CNI case (first SYN lost, retried
// after the 1 s initial RTO).
type TimeSeries struct {
	Title  string // drawn above the top panel
	XLabel string // e.g. "time (s)"; drawn below the bottom panel
	Panels []Panel
}

// Panel is one y axis of a TimeSeries. Series X values are times.
type Panel struct {
	YLabel string // e.g. "cwnd (segments)"
	Step   bool   // hold each value until the next sample (cwnd, queue length)
	Series []LineSeries
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
		if _, err := addSeries(p, leg, pck, pn.Series, first, false, false, pn.Step); err != nil {
			return nil, err
		}
		first += len(pn.Series)
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
