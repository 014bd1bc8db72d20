package catalog

import (
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
	return Figure{Name: name, Caption: caption, Fig: f}, nil
}

// panels stacks the single plots of several specs into one figure, top to
// bottom (Fig. 3's throughput, TCP_RR and UDP_RR panels).
func panels(name, caption string, specs ...plots.Spec) (Figure, error) {
	var out *plots.Figure
	for _, s := range specs {
		f, err := s.Figure()
		if err != nil {
			return Figure{}, err
		}
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
	return Figure{Name: name, Caption: caption, Fig: out}, nil
}
