package catalog

import (
	"fmt"
	"math"
	"slices"

	"github.com/cnisim/cnisim/experiments/report"
	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/plots"
	"gonum.org/v1/plot/vg"
)

// Output is what an experiment shows.
type Output struct {
	Figures []Figure
	Tables  []report.Table
	Checks  []report.Check
	Notes   []string
	Extra   []results.File // other data files (a time series as CSV)
}

// Figure is one figure, saved as Name.png and Name.svg.
type Figure struct {
	Name    string // file name without extension
	Caption string // one line for the report
	Fig     *plots.Figure
}

// figure builds a Figure from a plots spec.
func figure(name, caption string, spec plots.Spec) (Figure, error) {
	f, err := spec.Figure()
	if err != nil {
		return Figure{}, err
	}
	if f.Clipped {
		caption += " " + plots.ClipNote
	}
	return Figure{Name: name, Caption: caption, Fig: f}, nil
}

// panels stacks the single plots of several specs into one figure, top to
// bottom (Fig. 3's throughput, TCP_RR and UDP_RR panels).
func panels(name, caption string, specs ...plots.Spec) (Figure, error) {
	var out *plots.Figure
	clipped := false
	for _, s := range specs {
		f, err := s.Figure()
		if err != nil {
			return Figure{}, err
		}
		clipped = clipped || f.Clipped
		if out == nil {
			out = f
			continue
		}
		out.Plots = append(out.Plots, f.Plots...)
		if out.Legend == nil {
			out.Legend = f.Legend
		}
	}
	out.Height = plots.DefaultHeight * 0.7 * vg.Length(len(specs))
	if clipped {
		out.Clipped = true
		caption += " " + plots.ClipNote
	}
	return Figure{Name: name, Caption: caption, Fig: out}, nil
}

// MinWhiskerReps is the fewest replications for which figures draw 95%
// whiskers: with 2 the Student-t half-width is 12.7 standard errors
// (t(0.975, 1) = 12.706), wide enough to swamp any difference the figure
// is meant to show; with 3 it is 4.3.
const MinWhiskerReps = 3

// reps is the fewest replications of any of d's runs (0 without runs).
func (d *Data) reps() int {
	n := 0
	for i, r := range d.Runs {
		if i == 0 || r.Results.Replications < n {
			n = r.Results.Replications
		}
	}
	return n
}

// figure is the package figure with whiskers decided by the replication
// count: dropped below MinWhiskerReps, and the caption says which.
func (d *Data) figure(name, caption string, spec plots.Spec) (Figure, error) {
	spec, note := gateWhiskers(spec, d.reps())
	return figure(name, caption+note, spec)
}

// panels is the package panels with whiskers decided as in Data.figure.
func (d *Data) panels(name, caption string, specs ...plots.Spec) (Figure, error) {
	note := ""
	for i, s := range specs {
		var n string
		specs[i], n = gateWhiskers(s, d.reps())
		note = max(note, n)
	}
	return panels(name, caption+note, specs...)
}

// gateWhiskers drops spec's confidence whiskers when reps < MinWhiskerReps
// and returns the caption's sentence about them ("" if spec has none).
func gateWhiskers(spec plots.Spec, reps int) (plots.Spec, string) {
	has := false
	switch s := spec.(type) {
	case plots.Bars:
		s.Series = slices.Clone(s.Series)
		for i := range s.Series {
			has = has || s.Series[i].CI95 != nil
			if reps < MinWhiskerReps {
				s.Series[i].CI95 = nil
			}
		}
		spec = s
	case plots.Lines:
		s.Series = slices.Clone(s.Series)
		for i := range s.Series {
			has = has || s.Series[i].CI95 != nil
			if reps < MinWhiskerReps {
				s.Series[i].CI95 = nil
			}
		}
		spec = s
	}
	switch {
	case !has:
		return spec, ""
	case reps < MinWhiskerReps:
		return spec, fmt.Sprintf(" No whiskers: %d replication(s) per point are too few for a useful 95%% interval (%d or more are needed; rerun with --reps %d).",
			reps, MinWhiskerReps, MinWhiskerReps)
	}
	return spec, fmt.Sprintf(" Whiskers: Student-t 95%% confidence intervals over %d replications.", reps)
}

// gbpsBound is the physical upper bound of a TCP stream's throughput at r in
// Gbit/s (the goodput with free CPUs, wireBoundMbps), where figures cut
// throughput whiskers; 0 when unknown.
func gbpsBound(r Row) float64 {
	b := wireBoundMbps(r)
	if math.IsNaN(b) || b <= 0 {
		return 0
	}
	return b / 1000
}
