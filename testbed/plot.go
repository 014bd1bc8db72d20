package testbed

import (
	"fmt"
	"math"
	"path/filepath"

	"github.com/cnisim/cnisim/plots"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Plot draws predicted (leave-one-out) against measured cycles per data
// packet: one labelled point per predictable configuration, the diagonal,
// and the +-15% bands; below it, when AddRR predicted RR latencies, the
// same for TCP_RR and UDP_RR latency.
func (rep *Report) Plot() (*plots.Figure, error) {
	var pts plotter.XYs
	var labels []string
	for _, r := range rep.Rows {
		if r.LOO.Predictable() {
			pts = append(pts, plotter.XY{X: r.Measured, Y: r.LOO.Predicted})
			labels = append(labels, r.Name)
		}
	}
	if len(pts) == 0 {
		return nil, fmt.Errorf("no configuration was predicted leave-one-out: nothing to plot")
	}
	leg := plot.NewLegend()
	// Log axes: the rule series spans 20k to 130k cycles, the datapaths
	// cluster near 20k.
	p, err := scatterPanel(fmt.Sprintf("testbed leave-one-out: median |error| %.1f%%, max %.1f%%", rep.CPP.MedianAbs, rep.CPP.MaxAbs),
		"measured cycles per data packet (log)", "predicted, leave-one-out (log)", &leg, []series{{pts, labels, 2}})
	if err != nil {
		return nil, err
	}
	fig := &plots.Figure{Plots: []*plot.Plot{p}, Legend: &leg, Width: plots.DefaultWidth, Height: plots.DefaultHeight, DPI: plots.DefaultDPI}
	var tcp, udp series
	tcp.color, udp.color = 3, 4
	for _, r := range rep.Rows {
		if !math.IsNaN(r.RRErr) {
			tcp.pts = append(tcp.pts, plotter.XY{X: r.RRLatencyUS, Y: r.RRPredictedUS})
			tcp.labels = append(tcp.labels, r.Name)
		}
		if !math.IsNaN(r.UDPRRErr) {
			udp.pts = append(udp.pts, plotter.XY{X: r.UDPRRLatencyUS, Y: r.UDPRRPredictedUS})
			udp.labels = append(udp.labels, r.Name+" (udp)")
		}
	}
	if len(tcp.pts)+len(udp.pts) == 0 {
		return fig, nil
	}
	q, err := scatterPanel(fmt.Sprintf("RR latency (%s): TCP_RR median |error| %.1f%%, max %.1f%%", filepath.Base(rep.RRProfile), rep.TCPRR.MedianAbs, rep.TCPRR.MaxAbs),
		"measured mean latency, us (log)", "predicted by the simulator, us (log)", nil, []series{tcp, udp})
	if err != nil {
		return nil, err
	}
	fig.Plots = append(fig.Plots, q)
	fig.Height *= 2
	return fig, nil
}

// series is one set of labelled points in a panel's colour.
type series struct {
	pts    plotter.XYs
	labels []string
	color  int
}

// scatterPanel is a log-log predicted-vs-measured panel with the diagonal
// and the +-15% bands (added to leg when it is not nil).
func scatterPanel(title, xlabel, ylabel string, leg *plot.Legend, ss []series) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, xlabel, ylabel
	hi, lo := 0.0, math.Inf(1)
	for _, s := range ss {
		for _, pt := range s.pts {
			hi = math.Max(hi, math.Max(pt.X, pt.Y))
			lo = math.Min(lo, math.Min(pt.X, pt.Y))
		}
	}
	hi, lo = hi*1.2, lo/1.2
	for i, l := range []float64{1, 1.15, 0.85} {
		ln, err := plotter.NewLine(plotter.XYs{{X: lo, Y: lo * l}, {X: hi, Y: hi * l}})
		if err != nil {
			return nil, err
		}
		ln.Color = plots.Color(0)
		if i > 0 {
			ln.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			ln.Color = plots.Color(1)
		}
		p.Add(ln)
		if leg != nil && i < 2 {
			leg.Add(map[bool]string{true: "diagonal", false: "+-15%"}[i == 0], ln)
		}
	}
	for _, s := range ss {
		if len(s.pts) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(s.pts)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle.Shape = draw.CircleGlyph{}
		sc.GlyphStyle.Color = plots.Color(s.color)
		p.Add(sc)
		lb, err := plotter.NewLabels(plotter.XYLabels{XYs: s.pts, Labels: s.labels})
		if err != nil {
			return nil, err
		}
		for i := range lb.TextStyle {
			lb.TextStyle[i].Font.Size = vg.Points(7)
		}
		lb.Offset = vg.Point{X: vg.Points(3), Y: vg.Points(2)}
		p.Add(lb)
	}
	p.X.Min, p.Y.Min, p.X.Max, p.Y.Max = lo, lo, hi, hi
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
	return p, nil
}
