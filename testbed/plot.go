package testbed

import (
	"fmt"
	"math"

	"github.com/cnisim/cnisim/plots"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Plot draws predicted (leave-one-out) against measured cycles per data
// packet: one labelled point per predictable configuration, the diagonal,
// and the +-15% bands.
func (rep *Report) Plot() (*plots.Figure, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("testbed leave-one-out: median |error| %.1f%%, max %.1f%%", rep.CPP.MedianAbs, rep.CPP.MaxAbs)
	p.X.Label.Text = "measured cycles per data packet (log)"
	p.Y.Label.Text = "predicted, leave-one-out (log)"
	var pts plotter.XYs
	var labels []string
	hi, lo := 0.0, math.Inf(1)
	for _, r := range rep.Rows {
		if !r.LOO.Predictable() {
			continue
		}
		pts = append(pts, plotter.XY{X: r.Measured, Y: r.LOO.Predicted})
		labels = append(labels, r.Name)
		hi = math.Max(hi, math.Max(r.Measured, r.LOO.Predicted))
		lo = math.Min(lo, math.Min(r.Measured, r.LOO.Predicted))
	}
	if len(pts) == 0 {
		return nil, fmt.Errorf("no configuration was predicted leave-one-out: nothing to plot")
	}
	// Log axes: the rule series spans 20k to 130k cycles, the datapaths
	// cluster near 20k.
	hi, lo = hi*1.2, lo/1.2
	leg := plot.NewLegend()
	for i, l := range []struct {
		k    float64
		name string
	}{{1, "predicted = measured"}, {1.15, "+15%"}, {0.85, "-15%"}} {
		ln, err := plotter.NewLine(plotter.XYs{{X: lo, Y: lo * l.k}, {X: hi, Y: hi * l.k}})
		if err != nil {
			return nil, err
		}
		ln.Color = plots.Color(0)
		if i > 0 {
			ln.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			ln.Color = plots.Color(1)
		}
		p.Add(ln)
		if i < 2 {
			leg.Add(map[bool]string{true: "diagonal", false: "+-15%"}[i == 0], ln)
		}
	}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return nil, err
	}
	sc.GlyphStyle.Shape = draw.CircleGlyph{}
	sc.GlyphStyle.Color = plots.Color(2)
	p.Add(sc)
	lb, err := plotter.NewLabels(plotter.XYLabels{XYs: pts, Labels: labels})
	if err != nil {
		return nil, err
	}
	for i := range lb.TextStyle {
		lb.TextStyle[i].Font.Size = vg.Points(7)
	}
	lb.Offset = vg.Point{X: vg.Points(3), Y: vg.Points(2)}
	p.Add(lb)
	p.X.Min, p.Y.Min, p.X.Max, p.Y.Max = lo, lo, hi, hi
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
	return &plots.Figure{Plots: []*plot.Plot{p}, Legend: &leg, Width: plots.DefaultWidth, Height: plots.DefaultHeight, DPI: plots.DefaultDPI}, nil
}
