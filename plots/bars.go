package plots

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Bars is a grouped bar chart: one group per category, one bar per series, with
// optional 95% confidence whiskers (paper Fig. 3 throughput/TCP_RR/UDP_RR per
// plugin; Fig. 6 FIB lookups and Fig. 7a launch time with a single series).
type Bars struct {
	Title      string // what was simulated, e.g. "TCP throughput, inter-host, 10 Gbit/s"
	YLabel     string // quantity and unit, e.g. "throughput (Gbit/s)"
	Categories []string
	Series     []Series
}

// Series is one bar per category: Mean[i] for Categories[i] and, if CI95 is not
// nil, the half-width of its 95% confidence interval. A NaN mean is a bar that
// does not exist (a mode the plugin lacks): nothing is drawn there, not a
// zero-height bar. Max, if not nil, is each bar's physical upper bound (a
// link's goodput bound; 0: none), where whiskers are cut and marked.
type Series struct {
	Name string // legend entry; may be empty when it is the only series
	Mean []float64
	CI95 []float64 // nil: no whiskers
	Max  []float64 // nil: no upper bound
}

// groupWidth is the share of a category's slot taken by its group of bars.
const groupWidth = 0.8

// Figure validates b and draws it. With several series each bar also carries
// its series' marker on top, so the series are told apart without colour.
func (b Bars) Figure() (*Figure, error) {
	ck := checker{"Bars", b.Title}
	if err := ck.header(b.YLabel); err != nil {
		return nil, err
	}
	if err := ck.categories(b.Categories); err != nil {
		return nil, err
	}
	names := make([]string, len(b.Series))
	for i, s := range b.Series {
		names[i] = s.Name
	}
	if err := ck.names("Series", names); err != nil {
		return nil, err
	}
	n := len(b.Categories)
	for i, s := range b.Series {
		where := fmt.Sprintf("series %d %q", i, s.Name)
		if err := ck.present(where, "Mean", s.Mean, n); err != nil {
			return nil, err
		}
		if s.CI95 != nil {
			if err := ck.finite(where, "CI95", s.CI95, n, true); err != nil {
				return nil, err
			}
		}
		if s.Max != nil {
			if err := ck.finite(where, "Max", s.Max, n, true); err != nil {
				return nil, err
			}
		}
	}

	p := newPlot(b.Title, "", b.YLabel)
	var leg *plot.Legend
	if len(b.Series) > 1 {
		leg = newLegend()
	}
	offs, w := barOffsets(len(b.Series))
	clipped := false
	for j, s := range b.Series {
		// Bars and whiskers share their x position in data units (XMin), not a
		// canvas offset, which YErrorBars lacks. One chart per bar, so an
		// absent bar is simply not there.
		x0 := offs[j]
		var thumb *plotter.BarChart
		var tops plotter.XYs
		for i, m := range s.Mean {
			if math.IsNaN(m) {
				continue
			}
			bc, err := plotter.NewBarChart(plotter.Values{m}, 1)
			if err != nil {
				return nil, ck.errorf("series %q: %v", s.Name, err)
			}
			bc.XMin = x0 + float64(i)
			bc.Color = Color(j)
			bc.LineStyle.Width = vg.Points(0.5)
			p.Add(slotBars{bc, 0.92 * w})
			thumb = bc
			tops = append(tops, plotter.XY{X: bc.XMin, Y: m})
		}
		var marks *plotter.Scatter
		if len(b.Series) > 1 && len(tops) > 0 {
			sc, err := plotter.NewScatter(tops)
			if err != nil {
				return nil, ck.errorf("series %q: %v", s.Name, err)
			}
			sc.Shape, sc.Color, sc.Radius = glyph(j), color.Black, vg.Points(2.5)
			p.Add(sc)
			marks = sc
		}
		if s.CI95 != nil {
			x := make([]float64, n)
			for i := range x {
				x[i] = x0 + float64(i)
			}
			eb, cut := newWhiskers(x, s.Mean, s.CI95, s.Max, color.Black)
			clipped = clipped || cut
			p.Add(eb)
		}
		if leg != nil && thumb != nil {
			if marks != nil {
				leg.Add(s.Name, thumb, marks)
			} else {
				leg.Add(s.Name, thumb)
			}
		}
	}
	leg = legendOrNil(leg)
	nominalX(p, b.Categories, plotWidth(leg))
	fromZero(p)
	f := newFigure(leg, p)
	f.Clipped = clipped
	return f, nil
}

// barOffsets returns the centre of each of n grouped bars relative to its
// category's position, and the width each bar may take, in category units.
func barOffsets(n int) (offs []float64, w float64) {
	w = groupWidth / float64(n)
	offs = make([]float64, n)
	for j := range offs {
		offs[j] = -groupWidth/2 + (float64(j)+0.5)*w
	}
	return offs, w
}

// slotBars draws a bar chart whose bar width is given in data units, so grouped
// bars fill their category's slot whatever the figure size.
type slotBars struct {
	*plotter.BarChart
	width float64 // category units
}

// Plot implements plot.Plotter. It draws a copy so the chart is not mutated:
// rendering one figure twice (PNG then SVG) gives the same picture.
func (b slotBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	bc := *b.BarChart
	bc.Width = trX(b.width) - trX(0)
	bc.Plot(c, p)
}

// GlyphBoxes implements plot.GlyphBoxer: the axis range already leaves half a
// slot on either side, so bars need no padding.
func (slotBars) GlyphBoxes(*plot.Plot) []plot.GlyphBox { return nil }

// fromZero makes the y axis start at zero for non-negative data (bar lengths
// must be comparable) and leaves 5% headroom above the tallest bar or whisker.
func fromZero(p *plot.Plot) {
	if p.Y.Min > 0 {
		p.Y.Min = 0
	}
	if p.Y.Max > p.Y.Min {
		p.Y.Max += 0.05 * (p.Y.Max - p.Y.Min)
	}
}

// legendOrNil drops a legend without entries.
func legendOrNil(l *plot.Legend) *plot.Legend {
	if l == nil || l.Rectangle(draw.Canvas{}).Size().Y == 0 {
		return nil
	}
	return l
}

// plotWidth estimates the width left to the plots beside legend l.
func plotWidth(l *plot.Legend) vg.Length {
	if l == nil {
		return DefaultWidth
	}
	return DefaultWidth - l.Rectangle(draw.Canvas{}).Size().X - 4*vg.Millimeter
}
