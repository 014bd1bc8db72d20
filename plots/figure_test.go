package plots

import (
	"bytes"
	"image/color"
	"math"
	"testing"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

func TestECDF(t *testing.T) {
	t.Parallel()
	// F(x) = #{samples <= x}/n: rises by 1/n at each sample, by 2/n at a tie.
	got := ecdf([]float64{3, 1, 2, 2})
	want := plotter.XYs{{X: 1, Y: 0}, {X: 1, Y: 0.25}, {X: 2, Y: 0.5}, {X: 2, Y: 0.75}, {X: 3, Y: 1}}
	if len(got) != len(want) {
		t.Fatalf("ecdf = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("ecdf[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestBarOffsets(t *testing.T) {
	t.Parallel()
	for n := 1; n <= MaxSeries; n++ {
		offs, w := barOffsets(n)
		if math.Abs(w*float64(n)-groupWidth) > 1e-12 {
			t.Errorf("n=%d: bars take %g of the slot, want %g", n, w*float64(n), groupWidth)
		}
		for j, o := range offs {
			// Symmetric about the category, evenly spaced, inside the group.
			if math.Abs(o+offs[n-1-j]) > 1e-12 {
				t.Errorf("n=%d: offset %d = %g not mirrored by %g", n, j, o, offs[n-1-j])
			}
			if j > 0 && math.Abs(o-offs[j-1]-w) > 1e-12 {
				t.Errorf("n=%d: offsets %d and %d are %g apart, want %g", n, j-1, j, o-offs[j-1], w)
			}
			if o-w/2 < -groupWidth/2-1e-12 || o+w/2 > groupWidth/2+1e-12 {
				t.Errorf("n=%d: bar %d spills out of its group", n, j)
			}
		}
	}
}

func TestPaletteDistinct(t *testing.T) {
	t.Parallel()
	seen := map[color.RGBA]int{}
	for i := range MaxSeries {
		c := Color(i).(color.RGBA)
		if j, dup := seen[c]; dup {
			t.Errorf("colours %d and %d are both %v", j, i, c)
		}
		seen[c] = i
	}
	if Color(MaxSeries) != Color(0) || Color(-1) != Color(MaxSeries-1) {
		t.Error("Color does not wrap around")
	}
}

// TestAxes checks what makes a figure honest to read: bars start at zero and
// leave room for the whiskers, panels of a time series share the time axis,
// a CDF spans 0..1.
func TestAxes(t *testing.T) {
	t.Parallel()
	fig, err := fig3Bars().Figure()
	if err != nil {
		t.Fatal(err)
	}
	y := fig.Plots[0].Y
	if y.Min != 0 || y.Max < 9.9+0.05 {
		t.Errorf("bar y axis [%g, %g], want from 0 to above the top whisker 9.95", y.Min, y.Max)
	}
	if x := fig.Plots[0].X; x.Min != -0.5 || x.Max != 5.5 {
		t.Errorf("bar x axis [%g, %g], want [-0.5, 5.5] for 6 categories", x.Min, x.Max)
	}
	if fig.Legend == nil {
		t.Error("two named series but no legend")
	}
	if fig, _ := fig6Bars().Figure(); fig.Legend != nil {
		t.Error("single unnamed series has a legend")
	}

	ts := asyncTimeSeries()
	ts.Panels[1].Series[0].X = []float64{0.5, 1, 3}
	ts.Panels[1].Series[0].Y = []float64{0, 10, 20}
	fig, err = ts.Figure()
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range fig.Plots {
		if p.X.Min != 0 || p.X.Max != 3 {
			t.Errorf("panel %d time axis [%g, %g], want the union [0, 3]", i, p.X.Min, p.X.Max)
		}
	}
	if fig.Plots[0].X.Label.Text != "" || fig.Plots[1].X.Label.Text == "" {
		t.Error("time label should be on the bottom panel only")
	}

	fig, err = latencyCDF().Figure()
	if err != nil {
		t.Fatal(err)
	}
	if y := fig.Plots[0].Y; y.Min != 0 || y.Max != 1 {
		t.Errorf("CDF y axis [%g, %g], want [0, 1]", y.Min, y.Max)
	}
}

// TestZeroLayerOmitted: a layer that is zero everywhere changes nothing, so
// passing every stage kind in canonical order keeps colours stable without
// cluttering the legend.
func TestZeroLayerOmitted(t *testing.T) {
	t.Parallel()
	with := fig4Stacked() // its last layer, gre, is all zero
	without := fig4Stacked()
	without.Layers = without.Layers[:len(without.Layers)-1]
	a := mustEncode(t, with, "svg")
	b := mustEncode(t, without, "svg")
	if !bytes.Equal(a, b) {
		t.Error("an all-zero layer changed the figure")
	}
}

// TestDeterministic: drawing is repeatable, including after drawing in another
// format (slotBars must not mutate the bar charts).
func TestDeterministic(t *testing.T) {
	t.Parallel()
	for _, s := range []Spec{fig3Bars(), fig4Stacked(), asyncTimeSeries()} {
		fig, err := s.Figure()
		if err != nil {
			t.Fatal(err)
		}
		png1, _ := fig.Encode("png")
		svg1, _ := fig.Encode("svg")
		png2, _ := fig.Encode("png")
		svg2, _ := fig.Encode("svg")
		if !bytes.Equal(png1, png2) || !bytes.Equal(svg1, svg2) {
			t.Errorf("%T: rendering twice gave different bytes", s)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	t.Parallel()
	fig, err := fig3Bars().Figure()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fig.Encode("gif"); err == nil {
		t.Error("gif accepted")
	}
	fig.Width = 0
	if _, err := fig.Encode("png"); err == nil {
		t.Error("zero width accepted")
	}
	if _, err := (&Figure{Width: vg.Centimeter, Height: vg.Centimeter}).Encode("svg"); err == nil {
		t.Error("figure without plots accepted")
	}
}

func mustEncode(t *testing.T, s Spec, format string) []byte {
	t.Helper()
	fig, err := s.Figure()
	if err != nil {
		t.Fatal(err)
	}
	b, err := fig.Encode(format)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
