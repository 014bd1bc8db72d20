package catalog

import (
	"strings"
	"testing"

	"github.com/cnisim/cnisim/plots"
)

// Below MinWhiskerReps replications figures lose their whiskers and the
// caption says why; from it on the caption says what the whiskers are.
func TestGateWhiskers(t *testing.T) {
	t.Parallel()
	bars := plots.Bars{Title: "t", YLabel: "y", Categories: []string{"a"},
		Series: []plots.Series{{Mean: []float64{1}, CI95: []float64{5}}}}
	lines := plots.Lines{Title: "t", XLabel: "x", YLabel: "y",
		Series: []plots.LineSeries{{X: []float64{1}, Y: []float64{1}, CI95: []float64{5}}}}
	for _, tc := range []struct {
		name    string
		spec    plots.Spec
		reps    int
		whisker bool
		note    string
	}{
		{"bars 1", bars, 1, false, "No whiskers: 1 replication(s)"},
		{"bars 2", bars, 2, false, "No whiskers: 2 replication(s)"},
		{"bars 3", bars, 3, true, "Student-t 95% confidence intervals over 3 replications"},
		{"lines 2", lines, 2, false, "rerun with --reps 3"},
		{"lines 5", lines, 5, true, "over 5 replications"},
		{"stacked: none to drop", plots.Stacked{}, 1, false, ""},
	} {
		got, note := gateWhiskers(tc.spec, tc.reps)
		has := false
		switch s := got.(type) {
		case plots.Bars:
			has = s.Series[0].CI95 != nil
		case plots.Lines:
			has = s.Series[0].CI95 != nil
		}
		if has != tc.whisker || !strings.Contains(note, tc.note) || (tc.note == "") != (note == "") {
			t.Errorf("%s: whiskers %v note %q; want %v and %q", tc.name, has, note, tc.whisker, tc.note)
		}
	}
	if bars.Series[0].CI95 == nil {
		t.Error("gateWhiskers changed its input")
	}
}
