package plots

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// TestRejectsBadInput: every malformed input returns an error naming the
// problem, never a panic and never a figure.
func TestRejectsBadInput(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	bars := func(edit func(*Bars)) Spec { b := fig3Bars(); edit(&b); return b }
	stacked := func(edit func(*Stacked)) Spec { s := fig4Stacked(); edit(&s); return s }
	lines := func(edit func(*Lines)) Spec { l := mtuLines(); edit(&l); return l }
	ts := func(edit func(*TimeSeries)) Spec { x := asyncTimeSeries(); edit(&x); return x }
	cdf := func(edit func(*CDF)) Spec { c := latencyCDF(); edit(&c); return c }
	for _, tc := range []struct {
		name string
		spec Spec
		want string
	}{
		{"bars no title", bars(func(b *Bars) { b.Title = "" }), "empty Title"},
		{"bars no ylabel", bars(func(b *Bars) { b.YLabel = "" }), "empty YLabel"},
		{"bars no categories", bars(func(b *Bars) { b.Categories = nil }), "no Categories"},
		{"bars empty category", bars(func(b *Bars) { b.Categories = []string{"a", "", "c", "d", "e", "f"} }), "Categories[1] is empty"},
		{"bars duplicate category", bars(func(b *Bars) { b.Categories = []string{"a", "b", "a", "d", "e", "f"} }), `both "a"`},
		{"bars no series", bars(func(b *Bars) { b.Series = nil }), "no Series"},
		{"bars short mean", bars(func(b *Bars) { b.Series[0].Mean = b.Series[0].Mean[:5] }), "len(Mean) = 5, want 6"},
		{"bars long ci", bars(func(b *Bars) { b.Series[1].CI95 = append(b.Series[1].CI95, 1) }), "len(CI95) = 7, want 6"},
		{"bars Inf mean", bars(func(b *Bars) { b.Series[0].Mean[2] = inf }), "Mean[2] is +Inf; values must be finite (NaN: no bar)"},
		{"bars Inf ci", bars(func(b *Bars) { b.Series[1].CI95[3] = inf }), "CI95[3] is +Inf"},
		{"bars negative ci", bars(func(b *Bars) { b.Series[1].CI95[0] = -0.1 }), "CI95[0] = -0.1 is negative"},
		{"bars unnamed of two", bars(func(b *Bars) { b.Series[1].Name = "" }), "Series 1 has no Name"},
		{"bars duplicate names", bars(func(b *Bars) { b.Series[1].Name = b.Series[0].Name }), "both named"},
		{"bars too many series", bars(func(b *Bars) {
			for i := 0; len(b.Series) <= MaxSeries; i++ {
				b.Series = append(b.Series, Series{Name: strings.Repeat("x", i+1), Mean: b.Series[0].Mean})
			}
		}), "told apart by colour"},
		{"stacked negative", stacked(func(s *Stacked) { s.Layers[2].Values[1] = -5 }), `layer 2 "fib": Values[1] = -5 is negative`},
		{"stacked short", stacked(func(s *Stacked) { s.Layers[0].Values = nil }), "len(Values) = 0, want 5"},
		{"stacked no layers", stacked(func(s *Stacked) { s.Layers = nil }), "no Layers"},
		{"lines no xlabel", lines(func(l *Lines) { l.XLabel = "" }), "empty XLabel"},
		{"lines empty series", lines(func(l *Lines) { l.Series[0].X, l.Series[0].Y, l.Series[0].CI95 = nil, nil, nil }), "no points"},
		{"lines y short", lines(func(l *Lines) { l.Series[1].Y = l.Series[1].Y[:3] }), "len(Y) = 3, want 4"},
		{"lines unsorted x", lines(func(l *Lines) { l.Series[1].X[2] = 1 }), "X[2] = 1 < X[1] = 1500"},
		{"lines NaN x", lines(func(l *Lines) { l.Series[0].X[0] = nan }), "X[0] is NaN"},
		{"lines log x zero", lines(func(l *Lines) { l.LogX = true; l.Series[0].X[0] = 0 }), "not positive"},
		{"timeseries no panels", ts(func(x *TimeSeries) { x.Panels = nil }), "no Panels"},
		{"timeseries no title", ts(func(x *TimeSeries) { x.Title = "" }), "empty Title"},
		{"timeseries mark without label", ts(func(x *TimeSeries) { x.Panels[0].Marks = []Mark{{X: 1}} }), "empty Label"},
		{"timeseries mark at NaN", ts(func(x *TimeSeries) { x.Panels[1].Marks = []Mark{{X: math.NaN(), Label: "SYN"}} }), "not a finite time"},
		{"timeseries panel ylabel", ts(func(x *TimeSeries) { x.Panels[1].YLabel = "" }), "panel 1: empty YLabel"},
		{"timeseries bad y", ts(func(x *TimeSeries) { x.Panels[1].Series[0].Y[4] = inf }), "Y[4] is +Inf"},
		{"cdf no samples", cdf(func(c *CDF) { c.Series[1].Values = nil }), `series 1 "cilium": no samples`},
		{"cdf NaN sample", cdf(func(c *CDF) { c.Series[0].Values[3] = nan }), "Values[3] is NaN"},
		{"cdf no xlabel", cdf(func(c *CDF) { c.XLabel = "" }), "empty XLabel"},
		{"cdf no series", cdf(func(c *CDF) { c.Series = nil }), "no Series"},
		{"cdf log x negative", cdf(func(c *CDF) { c.LogX = true; c.Series[0].Values[0] = -1 }), "not positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fig, err := tc.spec.Figure()
			if err == nil {
				t.Fatalf("no error; figure %v", fig)
			}
			if !strings.HasPrefix(err.Error(), "plots: ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			if fig != nil {
				t.Errorf("figure returned with error")
			}
		})
	}
}

// TestInputNotAliased: constructors copy, so editing the input afterwards does
// not change the figure (gonum/plot's plotters copy their data the same way).
func TestInputNotAliased(t *testing.T) {
	t.Parallel()
	b := fig3Bars()
	fig, err := b.Figure()
	if err != nil {
		t.Fatal(err)
	}
	before, err := fig.Encode("svg")
	if err != nil {
		t.Fatal(err)
	}
	b.Series[0].Mean[0] = 1000
	b.Series[0].CI95[0] = 50
	after, err := fig.Encode("svg")
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Error("figure changed when its input was edited")
	}
}

// TestTimeSeriesShared: with Shared, panels reuse series i's colour, so
// 3 panels of 8 series fit the palette; without it 24 series do not.
func TestTimeSeriesShared(t *testing.T) {
	ts := TimeSeries{Title: "points", XLabel: "time (s)"}
	for _, y := range []string{"goodput (Gbit/s)", "drops per bin", "cores busy"} {
		pn := Panel{YLabel: y}
		for i := range 8 {
			pn.Series = append(pn.Series, LineSeries{Name: fmt.Sprintf("point %d", i), X: []float64{0, 1}, Y: []float64{1, 2}})
		}
		ts.Panels = append(ts.Panels, pn)
	}
	ts.Shared = true
	if _, err := ts.Figure(); err != nil {
		t.Errorf("shared: %v", err)
	}
	ts.Shared = false
	if _, err := ts.Figure(); err == nil || !strings.Contains(err.Error(), "24 series") {
		t.Errorf("not shared: %v", err)
	}
}
