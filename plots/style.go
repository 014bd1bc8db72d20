package plots

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Default figure size: one column of an A4 report, readable when printed.
const (
	DefaultWidth  = 16 * vg.Centimeter
	DefaultHeight = 10 * vg.Centimeter
	DefaultDPI    = 144 // PNG resolution: 16 cm -> 907 pixels
)

// palette is d3's category10 followed by its lighter partners (Tableau 20), so the
// first ten colours are mutually distinct and all twenty are told apart by hue or
// lightness. Fixed, so a series or stage keeps its colour from run to run.
var palette = [...]color.RGBA{
	rgb(0x1f, 0x77, 0xb4), rgb(0xff, 0x7f, 0x0e), rgb(0x2c, 0xa0, 0x2c), rgb(0xd6, 0x27, 0x28),
	rgb(0x94, 0x67, 0xbd), rgb(0x8c, 0x56, 0x4b), rgb(0xe3, 0x77, 0xc2), rgb(0x7f, 0x7f, 0x7f),
	rgb(0xbc, 0xbd, 0x22), rgb(0x17, 0xbe, 0xcf), rgb(0xae, 0xc7, 0xe8), rgb(0xff, 0xbb, 0x78),
	rgb(0x98, 0xdf, 0x8a), rgb(0xff, 0x98, 0x96), rgb(0xc5, 0xb0, 0xd5), rgb(0xc4, 0x9c, 0x94),
	rgb(0xf7, 0xb6, 0xd2), rgb(0xc7, 0xc7, 0xc7), rgb(0xdb, 0xdb, 0x8d), rgb(0x9e, 0xda, 0xe5),
}

// MaxSeries is the number of distinct colours, hence of series or layers per figure.
const MaxSeries = len(palette)

func rgb(r, g, b uint8) color.RGBA { return color.RGBA{R: r, G: g, B: b, A: 255} }

// Color returns the i-th colour of the fixed palette (wrapping around).
func Color(i int) color.Color {
	n := len(palette)
	return palette[((i%n)+n)%n]
}

// glyphs are the point shapes of line series, cycled with the colours so that
// series stay apart in greyscale too.
var glyphs = [...]draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.PlusGlyph{},
	draw.RingGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}, draw.CrossGlyph{},
}

func glyph(i int) draw.GlyphDrawer { return glyphs[i%len(glyphs)] }

// newPlot returns a plot with the package's fonts and a light horizontal grid.
func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.Padding = 2 * vg.Millimeter
	p.Title.TextStyle.Font.Size = vg.Points(11)
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = vg.Points(10)
		a.Tick.Label.Font.Size = vg.Points(9)
	}
	g := plotter.NewGrid()
	g.Vertical.Color = nil
	g.Horizontal.Color = color.Gray{Y: 0xdd}
	p.Add(g)
	return p
}

// newLegend returns a legend for drawing outside the data area (see Figure).
func newLegend() *plot.Legend {
	l := plot.NewLegend()
	l.TextStyle.Font = font.From(plot.DefaultFont, vg.Points(9))
	l.Top, l.Left = true, true
	l.ThumbnailWidth = vg.Points(14)
	l.Padding = vg.Points(2)
	return &l
}

// nominalX labels the integer x positions 0..len(names)-1 with names and tilts
// the labels when the widest would not fit its slot of a plot of width w.
func nominalX(p *plot.Plot, names []string, w vg.Length) {
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.5, float64(len(names))-0.5
	p.X.Padding, p.Y.Padding = 0, 0
	// The data area is roughly the figure width less the y axis (about 2 cm).
	slot := (w - 2*vg.Centimeter) / vg.Length(len(names))
	var widest vg.Length
	for _, n := range names {
		widest = max(widest, p.X.Tick.Label.Width(n))
	}
	if widest > 0.9*slot {
		p.X.Tick.Label.Rotation = 0.5 // about 30 degrees
		p.X.Tick.Label.XAlign = draw.XRight
		p.X.Tick.Label.YAlign = draw.YTop
	}
}

// dashPatterns are the line styles of series, cycled with the colours and
// glyphs: solid, dashed, dotted, dash-dot, long dash.
var dashPatterns = [...][]vg.Length{
	nil,
	{vg.Points(6), vg.Points(3)},
	{vg.Points(1.5), vg.Points(2.5)},
	{vg.Points(6), vg.Points(2.5), vg.Points(1.5), vg.Points(2.5)},
	{vg.Points(10), vg.Points(4)},
}

func dashes(i int) []vg.Length { return dashPatterns[i%len(dashPatterns)] }
