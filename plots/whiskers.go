package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// A whisker is one 95% confidence interval y ± ci at x, cut to the
// physical range of the quantity: [0, max] for a non-negative mean (a
// throughput cannot be negative nor, when max is the link's goodput bound,
// above it), [-inf, max] otherwise; max <= 0 or NaN means no upper bound.
// Student-t intervals from few replications are wide enough to cross both
// (a reader saw whiskers from -75 to 125 Gbit/s on a 100 Gbit/s link).
type whisker struct{ x, y, ci, max float64 }

// ends returns the drawn interval and which ends were cut.
func (w whisker) ends() (lo, hi float64, cutLo, cutHi bool) {
	lo, hi = w.y-w.ci, w.y+w.ci
	if w.y >= 0 && lo < 0 {
		lo, cutLo = 0, true
	}
	if w.max > 0 && hi > w.max {
		hi, cutHi = math.Max(w.max, w.y), true
	}
	return lo, hi, cutLo, cutHi
}

// whiskerSet draws whiskers: a vertical line with a cap at each end the
// interval reaches, and a filled arrowhead at each end cut at the physical
// range, so a cut interval never passes for a narrow one.
type whiskerSet struct {
	pts   []whisker
	color color.Color
	dx    vg.Length // drawn this far right of x, so series sharing an x do not overlap
}

// newWhiskers returns the whiskers of points (x[i], y[i] ± ci[i]) with upper
// bounds max (nil: none), and whether any was cut.
func newWhiskers(x, y, ci, max []float64, c color.Color) (*whiskerSet, bool) {
	w := &whiskerSet{color: c}
	cut := false
	for i := range x {
		m := 0.0
		if max != nil {
			m = max[i]
		}
		if math.IsNaN(y[i]) { // an absent bar: no interval
			continue
		}
		p := whisker{x[i], y[i], ci[i], m}
		_, _, lo, hi := p.ends()
		cut = cut || lo || hi
		w.pts = append(w.pts, p)
	}
	return w, cut
}

const (
	capWidth  = 4   // pt
	arrowSize = 3.5 // pt: half the arrowhead's base
)

// Plot implements plot.Plotter.
func (w *whiskerSet) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	ls := draw.LineStyle{Color: w.color, Width: vg.Points(1)}
	if ls.Color == nil {
		ls.Color = color.Black
	}
	for _, pt := range w.pts {
		lo, hi, cutLo, cutHi := pt.ends()
		x, ylo, yhi := trX(pt.x)+w.dx, trY(lo), trY(hi)
		c.StrokeLine2(ls, x, ylo, x, yhi)
		end := func(y vg.Length, cut bool, dir vg.Length) {
			if !cut {
				c.StrokeLine2(ls, x-vg.Points(capWidth/2), y, x+vg.Points(capWidth/2), y)
				return
			}
			s := vg.Points(arrowSize)
			var path vg.Path
			path.Move(vg.Point{X: x, Y: y})
			path.Line(vg.Point{X: x - s, Y: y - dir*2*s})
			path.Line(vg.Point{X: x + s, Y: y - dir*2*s})
			path.Close()
			c.SetColor(ls.Color)
			c.Fill(path)
		}
		end(yhi, cutHi, 1)
		end(ylo, cutLo, -1)
	}
}

// DataRange implements plot.DataRanger: the drawn (cut) intervals.
func (w *whiskerSet) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for _, pt := range w.pts {
		lo, hi, _, _ := pt.ends()
		xmin, xmax = math.Min(xmin, pt.x), math.Max(xmax, pt.x)
		ymin, ymax = math.Min(ymin, lo), math.Max(ymax, hi)
	}
	return xmin, xmax, ymin, ymax
}

// ClipNote is the sentence a caption carries when a figure's Clipped is set.
const ClipNote = "Whiskers ending in an arrowhead are 95% intervals cut at the physical range (0, or the link's goodput bound)."
