package plots

import (
	"math"
	"testing"
)

// Whiskers are cut at 0 for non-negative means and at the upper bound when
// one is known; the cut ends are reported so they can be marked.
func TestWhiskerEnds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name         string
		w            whisker
		lo, hi       float64
		cutLo, cutHi bool
	}{
		{"inside", whisker{0, 5, 1, 10}, 4, 6, false, false},
		{"below zero", whisker{0, 20, 53, 0}, 0, 73, true, false},
		{"both", whisker{0, 55, 107, 94.9}, 0, 94.9, true, true},
		{"no bound", whisker{0, 55, 107, math.NaN()}, 0, 162, true, false},
		{"negative mean keeps its interval", whisker{0, -3, 1, 0}, -4, -2, false, false},
		{"mean above bound keeps the mean", whisker{0, 12, 1, 10}, 11, 12, false, true},
	} {
		lo, hi, cl, ch := tc.w.ends()
		if lo != tc.lo || hi != tc.hi || cl != tc.cutLo || ch != tc.cutHi {
			t.Errorf("%s: got [%g, %g] cut %v %v, want [%g, %g] cut %v %v", tc.name, lo, hi, cl, ch, tc.lo, tc.hi, tc.cutLo, tc.cutHi)
		}
	}
}

// Figure.Clipped tells the caption writer whether to add ClipNote; the
// y axis shows the cut intervals, not the raw ones.
func TestFigureClipped(t *testing.T) {
	t.Parallel()
	f, err := encapLines().Figure()
	if err != nil {
		t.Fatal(err)
	}
	if !f.Clipped {
		t.Error("encapLines: Clipped = false, want true")
	}
	if p := f.Plots[0]; p.Y.Min < 0 || p.Y.Max > 100 {
		t.Errorf("y axis [%g, %g]: want within [0, 100] (whiskers cut at 0 and 94.9)", p.Y.Min, p.Y.Max)
	}
	f, err = mtuLines().Figure()
	if err != nil {
		t.Fatal(err)
	}
	if f.Clipped {
		t.Error("mtuLines: Clipped = true, want false")
	}
	b, err := absentBars().Figure()
	if err != nil {
		t.Fatal(err)
	}
	if !b.Clipped {
		t.Error("absentBars: Clipped = false, want true")
	}
}
