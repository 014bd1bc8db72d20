package plots

import (
	"bytes"
	"fmt"
	"image/color"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"
)

// A Figure is one or more plots stacked top to bottom (sharing the width, data
// areas aligned) and an optional legend drawn in a strip to their right, where it
// cannot cover data. The constructors fill it in; callers may adjust any field
// (fonts, axis ranges, size) before saving.
type Figure struct {
	Plots         []*plot.Plot // top to bottom
	Legend        *plot.Legend // nil: no legend
	Width, Height vg.Length
	DPI           int // resolution of raster formats
	// Clipped is set when a whisker was cut at its quantity's physical
	// range (marked with an arrowhead); a caption should then carry ClipNote.
	Clipped bool
}

// newFigure returns a figure of the default size holding ps.
func newFigure(l *plot.Legend, ps ...*plot.Plot) *Figure {
	return &Figure{Plots: ps, Legend: l, Width: DefaultWidth, Height: DefaultHeight, DPI: DefaultDPI}
}

// allowedFormats lists the output formats Save and Encode accept.
var allowedFormats = []string{"png", "svg", "pdf"}

// Draw draws the figure onto c.
func (f *Figure) Draw(c draw.Canvas) {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	if len(f.Plots) == 0 {
		return
	}
	if f.Legend != nil {
		const pad = 2 * vg.Millimeter
		r := f.Legend.Rectangle(c)
		lc := c
		lc.Min.X = c.Max.X - (r.Max.X - r.Min.X) - pad
		lc.Max.Y -= titleHeight(f.Plots[0]) + pad
		f.Legend.Draw(lc)
		c.Max.X = lc.Min.X - pad
	}
	if len(f.Plots) == 1 {
		f.Plots[0].Draw(c)
		return
	}
	rows := make([][]*plot.Plot, len(f.Plots))
	for i, p := range f.Plots {
		rows[i] = []*plot.Plot{p}
	}
	tiles := draw.Tiles{Rows: len(f.Plots), Cols: 1, PadY: 3 * vg.Millimeter}
	for i, cs := range plot.Align(rows, tiles, c) {
		f.Plots[i].Draw(cs[0])
	}
}

func titleHeight(p *plot.Plot) vg.Length {
	if p.Title.Text == "" {
		return 0
	}
	r := p.Title.TextStyle.Rectangle(p.Title.Text)
	return r.Size().Y + p.Title.Padding
}

// WriterTo renders the figure in format ("png", "svg" or "pdf").
func (f *Figure) WriterTo(format string) (io.WriterTo, error) {
	if f.Width <= 0 || f.Height <= 0 {
		return nil, fmt.Errorf("plots: figure size %v x %v: both must be positive", f.Width, f.Height)
	}
	if len(f.Plots) == 0 {
		return nil, fmt.Errorf("plots: figure has no plots")
	}
	var c vg.CanvasWriterTo
	switch format {
	case "png":
		dpi := f.DPI
		if dpi <= 0 {
			dpi = DefaultDPI
		}
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(f.Width, f.Height), vgimg.UseDPI(dpi))}
	case "svg":
		c = vgsvg.New(f.Width, f.Height)
	case "pdf":
		c = vgpdf.New(f.Width, f.Height)
	default:
		return nil, fmt.Errorf("plots: unsupported format %q (allowed: %v)", format, allowedFormats)
	}
	f.Draw(draw.New(c))
	return c, nil
}

// Encode returns the figure rendered in format ("png", "svg" or "pdf").
func (f *Figure) Encode(format string) ([]byte, error) {
	w, err := f.WriterTo(format)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := w.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("plots: encoding %s: %w", format, err)
	}
	return b.Bytes(), nil
}

// A Spec is a figure's input that validates and draws itself: Bars, Stacked,
// Lines, TimeSeries and CDF are Specs.
type Spec interface {
	Figure() (*Figure, error)
}
