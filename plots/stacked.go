package plots

import (
	"fmt"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Stacked is a stacked bar chart: one bar per category made of one segment per
// layer (paper Fig. 4/5: cycles per packet by stage kind for each plugin;
// Fig. 7b: pod launch time by pipeline stage).
type Stacked struct {
	Title      string
	YLabel     string // e.g. "cycles per packet"
	Categories []string
	Layers     []Layer // bottom to top
}

// Layer is one segment of every bar: Values[i] for Categories[i].
type Layer struct {
	Name   string
	Values []float64 // non-negative
}

// Figure validates s and draws it. Layer i always gets palette colour i, so a
// caller that passes the same layers in the same order (for example every stage
// kind in canonical order) gets the same colour per layer in every figure.
// Layers that are zero in every category are left out of bars and legend.
func (s Stacked) Figure() (*Figure, error) {
	ck := checker{"Stacked", s.Title}
	if err := ck.header(s.YLabel); err != nil {
		return nil, err
	}
	if err := ck.categories(s.Categories); err != nil {
		return nil, err
	}
	names := make([]string, len(s.Layers))
	for i, l := range s.Layers {
		names[i] = l.Name
	}
	if err := ck.names("Layers", names); err != nil {
		return nil, err
	}
	for i, l := range s.Layers {
		if err := ck.finite(fmt.Sprintf("layer %d %q", i, l.Name), "Values", l.Values, len(s.Categories), true); err != nil {
			return nil, err
		}
	}

	p := newPlot(s.Title, "", s.YLabel)
	leg := newLegend()
	var below *plotter.BarChart
	var shown []*plotter.BarChart
	var shownNames []string
	for i, l := range s.Layers {
		if allZero(l.Values) {
			continue
		}
		bc, err := plotter.NewBarChart(plotter.Values(l.Values), 1)
		if err != nil {
			return nil, ck.errorf("layer %q: %v", l.Name, err)
		}
		bc.Color = Color(i)
		bc.LineStyle.Width = vg.Points(0.5)
		if below != nil {
			bc.StackOn(below)
		}
		below = bc
		p.Add(slotBars{bc, 0.6})
		shown = append(shown, bc)
		shownNames = append(shownNames, l.Name)
	}
	// Legend top to bottom in the order the segments appear in a bar.
	for i := len(shown) - 1; i >= 0; i-- {
		if shownNames[i] != "" {
			leg.Add(shownNames[i], shown[i])
		}
	}
	leg = legendOrNil(leg)
	nominalX(p, s.Categories, plotWidth(leg))
	fromZero(p)
	return newFigure(leg, p), nil
}

func allZero(vs []float64) bool {
	for _, v := range vs {
		if v != 0 {
			return false
		}
	}
	return true
}
