package plots

import (
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// maxDataTicks is the most distinct x values a sweep may have for every one
// to get its own labelled tick; denser sweeps keep the axis's default ticks.
const maxDataTicks = 12

// dataTicks puts a labelled tick at every plotted x of a sweep (a reader
// could not tell the 25 Gbit/s point from a log axis ticked at 10 and 100)
// and turns the labels upright when neighbours would overlap at width w.
func dataTicks(p *plot.Plot, xs []float64, logX bool, w vg.Length) {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	xs = slices.Compact(xs)
	if len(xs) == 0 || len(xs) > maxDataTicks {
		return
	}
	ticks := make([]plot.Tick, len(xs))
	var widest vg.Length
	for i, x := range xs {
		ticks[i] = plot.Tick{Value: x, Label: strconv.FormatFloat(x, 'g', -1, 64)}
		widest = max(widest, p.X.Tick.Label.Width(ticks[i].Label))
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	if len(xs) < 2 {
		return
	}
	pos := func(x float64) float64 {
		if logX {
			return math.Log10(x)
		}
		return x
	}
	lo, hi := pos(min(p.X.Min, xs[0])), pos(max(p.X.Max, xs[len(xs)-1]))
	if hi <= lo {
		return
	}
	area := float64(w - 2*vg.Centimeter) // the data area, roughly: the figure less the y axis
	for i := 1; i < len(xs); i++ {
		gap := (pos(xs[i]) - pos(xs[i-1])) / (hi - lo) * area
		if gap < 1.1*float64(widest) {
			p.X.Tick.Label.Rotation = math.Pi / 2
			p.X.Tick.Label.XAlign = draw.XRight
			p.X.Tick.Label.YAlign = draw.YCenter
			return
		}
	}
}
