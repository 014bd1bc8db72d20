package results

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/cnisim/cnisim/experiments/scenario"
)

// Sensitivity is how a run's metrics depend on each stage's calibrated
// cost (experiments/sensitivity): per point, per stage, each metric's
// elasticity.
type Sensitivity struct {
	Step    float64  // r: the costs at (1-r)x and (1+r)x
	Metrics []string // in the order given
	Points  []SensitivityPoint
}

// SensitivityPoint is one sweep point's stages, the one its first metric
// depends on most first.
type SensitivityPoint struct {
	Params []scenario.Param
	Stages []StageSensitivity
}

// StageSensitivity is one stage's elasticities, one per metric.
type StageSensitivity struct {
	Stage string
	// Provenance is the profile entry's that prices the stage at the
	// point (measured, quoted, derived, assumed; "" unknown).
	Provenance   string
	Elasticities []Elasticity
}

// Elasticity is a metric's percent change per percent change of a
// stage's cost, over the replications all three runs reported.
type Elasticity struct {
	Metric string
	N      int
	Base   float64 // the metric's mean in the base run, over those replications
	Mean   float64 // the elasticity's mean
	CI95   float64 // its Student-t half-width (0 with one replication)
}

// Significant reports whether the 95% interval excludes zero.
func (e Elasticity) Significant() bool { return e.N >= 2 && math.Abs(e.Mean) > e.CI95 }

// The output set's sensitivity files (cnisim sensitivity).
const (
	SensitivityJSON = "sensitivity.json"
	SensitivityCSV  = "sensitivity.csv"
)

// WriteJSON writes the step, then per point its params and per stage each
// metric's elasticity (ci95 null with one replication).
func (s *Sensitivity) WriteJSON(w io.Writer) error {
	var b bytes.Buffer
	b.WriteString("{\n  \"step\": " + jnum(s.Step) + ",\n  \"points\": [")
	for i, p := range s.Points {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n    {\n      \"params\": " + jparams(p.Params) + ",\n      \"stages\": {")
		for j, st := range p.Stages {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n        " + jstr(st.Stage) + ": {\"provenance\": " + jstr(st.Provenance) + ", ")
			for k, e := range st.Elasticities {
				if k > 0 {
					b.WriteString(", ")
				}
				ci := "null"
				if e.N >= 2 {
					ci = jnum(e.CI95)
				}
				fmt.Fprintf(&b, "%s: {\"elasticity\": %s, \"ci95\": %s, \"base\": %s, \"n\": %d}", jstr(e.Metric), jnum(e.Mean), ci, jnum(e.Base), e.N)
			}
			b.WriteString("}")
		}
		b.WriteString("\n      }\n    }")
	}
	if len(s.Points) > 0 {
		b.WriteString("\n  ")
	}
	b.WriteString("]\n}\n")
	_, err := w.Write(b.Bytes())
	return err
}

// WriteCSV writes one row per point, stage and metric.
func (s *Sensitivity) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	var head []string
	if len(s.Points) > 0 {
		for _, p := range s.Points[0].Params {
			head = append(head, "param."+p.Key)
		}
	}
	head = append(head, "stage", "provenance", "metric", "elasticity", "ci95", "base", "n")
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, p := range s.Points {
		var lead []string
		for _, pa := range p.Params {
			lead = append(lead, csvValue(pa.Value))
		}
		for _, st := range p.Stages {
			for _, e := range st.Elasticities {
				ci := ""
				if e.N >= 2 {
					ci = num(e.CI95)
				}
				row := append(append([]string{}, lead...), st.Stage, st.Provenance, e.Metric, num(e.Mean), ci, num(e.Base), strconv.Itoa(e.N))
				if err := cw.Write(row); err != nil {
					return err
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteTable writes per point a row per stage, a column per metric: the
// elasticity ± its interval, * where the interval excludes zero.
func (s *Sensitivity) WriteTable(w io.Writer) error {
	head := append([]string{"stage", "provenance"}, s.Metrics...)
	cols := newColumns(head)
	blocks := make([][][]string, len(s.Points))
	for i, p := range s.Points {
		for _, st := range p.Stages {
			if st.unmoved() {
				continue
			}
			cells := []string{st.Stage, st.Provenance}
			for _, e := range st.Elasticities {
				c := "-"
				switch {
				case e.N >= 2:
					c = elasticity(e.Mean) + " ± " + strconv.FormatFloat(e.CI95, 'f', 3, 64)
					if e.Significant() {
						c += " *"
					} else {
						c += "  "
					}
				case e.N == 1:
					c = elasticity(e.Mean) + "          "
				}
				cells = append(cells, c)
			}
			cols.measure(cells)
			blocks[i] = append(blocks[i], cells)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nsensitivity to each stage's cost, scaled %sx and %sx: elasticity (%% change of the metric per %% change of the cost),\n",
		short(1-s.Step), short(1+s.Step))
	b.WriteString("paired over replications, ± its 95% interval (* excludes zero); the stages the first metric depends on most first,\n" +
		"stages that moved nothing in any replication left to the files\n")
	params := make([][]scenario.Param, len(s.Points))
	for i, p := range s.Points {
		params[i] = p.Params
	}
	writeBlocks(&b, params, head, blocks, cols)
	_, err := io.WriteString(w, b.String())
	return err
}

// elasticity formats an elasticity with a sign and three decimals: a
// percent per percent, read to a thousandth.
func elasticity(v float64) string {
	t := strconv.FormatFloat(v, 'f', 3, 64)
	if !strings.HasPrefix(t, "-") {
		t = "+" + t
	}
	return t
}

// unmoved: every replication of every metric gave exactly 0 (a stage the
// point's path does not cross).
func (st StageSensitivity) unmoved() bool {
	for _, e := range st.Elasticities {
		if e.Mean != 0 || e.CI95 != 0 {
			return false
		}
	}
	return true
}
