package results

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/cnisim/cnisim/experiments/scenario"
)

// Comparisons are a run's points paired with a baseline's
// (experiments/compare): for each point that is not itself a baseline,
// its metrics' paired differences over replications.
type Comparisons struct {
	Baseline []scenario.Param // the fixed sweep values
	Points   []Comparison
}

// Comparison is one point against its baseline.
type Comparison struct {
	Point, Baseline []scenario.Param
	Metrics         []Diff
}

// Diff is one metric's paired difference, point minus baseline, over the
// replications both reported.
type Diff struct {
	Name        string
	N           int     // pairs
	Base, Value float64 // the means over those pairs
	Diff        float64 // mean of the paired differences (= Value - Base)
	StdDev      float64 // of the paired differences
	CI95        float64 // Student-t half-width over the pairs
	// CI95Unpaired is Welch's half-width for the same pairs taken as two
	// independent samples: what the interval would be without common
	// random numbers.
	CI95Unpaired float64
}

// Spread reports whether StdDev and the intervals are defined (two pairs
// or more).
func (d Diff) Spread() bool { return d.N >= 2 }

// Significant reports whether the 95% interval excludes zero.
func (d Diff) Significant() bool { return d.Spread() && math.Abs(d.Diff) > d.CI95 }

// ChangePct is the difference relative to the baseline's mean, in
// percent; ok is false when that mean is 0.
func (d Diff) ChangePct() (pct float64, ok bool) {
	if d.Base == 0 {
		return 0, false
	}
	return 100 * d.Diff / math.Abs(d.Base), true
}

// The output set's comparison files (cnisim run --baseline).
const (
	ComparisonJSON = "comparison.json"
	ComparisonCSV  = "comparison.csv"
)

// WriteJSON writes the comparisons: the baseline's values, then per point
// its params, its baseline's and one line per metric (stddev and the
// intervals null with one pair, change_pct null against a zero mean).
func (c *Comparisons) WriteJSON(w io.Writer) error {
	var b bytes.Buffer
	b.WriteString("{\n  \"baseline\": " + jparams(c.Baseline) + ",\n  \"comparisons\": [")
	for i, p := range c.Points {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n    {\n      \"params\": " + jparams(p.Point) + ",\n      \"baseline\": " + jparams(p.Baseline) + ",\n      \"metrics\": {")
		for j, d := range p.Metrics {
			if j > 0 {
				b.WriteByte(',')
			}
			sd, ci, cu := "null", "null", "null"
			if d.Spread() {
				sd, ci, cu = jnum(d.StdDev), jnum(d.CI95), jnum(d.CI95Unpaired)
			}
			pct := "null"
			if v, ok := d.ChangePct(); ok {
				pct = jnum(v)
			}
			fmt.Fprintf(&b, "\n        %s: {\"baseline\": %s, \"value\": %s, \"diff\": %s, \"stddev\": %s, \"ci95\": %s, \"ci95_unpaired\": %s, \"change_pct\": %s, \"n\": %d}",
				jstr(d.Name), jnum(d.Base), jnum(d.Value), jnum(d.Diff), sd, ci, cu, pct, d.N)
		}
		b.WriteString("\n      }\n    }")
	}
	if len(c.Points) > 0 {
		b.WriteString("\n  ")
	}
	b.WriteString("]\n}\n")
	_, err := w.Write(b.Bytes())
	return err
}

func jparams(ps []scenario.Param) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = jstr(p.Key) + ": " + jvalue(p.Value)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// comparisonStats are the CSV's columns after the point's and the metric.
var comparisonStats = []string{"baseline", "value", "diff", "stddev", "ci95", "ci95_unpaired", "change_pct", "n"}

// WriteCSV writes one row per point and metric: the point's param.<key>
// columns, the baseline's baseline.<key> columns, the metric, then its
// statistics (empty where undefined).
func (c *Comparisons) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	var head []string
	if len(c.Points) > 0 {
		for _, p := range c.Points[0].Point {
			head = append(head, "param."+p.Key)
		}
		for _, p := range c.Baseline {
			head = append(head, "baseline."+p.Key)
		}
	}
	head = append(append(head, "metric"), comparisonStats...)
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, p := range c.Points {
		var lead []string
		for _, pa := range p.Point {
			lead = append(lead, csvValue(pa.Value))
		}
		for _, bp := range c.Baseline {
			for _, pa := range p.Baseline {
				if pa.Key == bp.Key {
					lead = append(lead, csvValue(pa.Value))
				}
			}
		}
		for _, d := range p.Metrics {
			row := append(slices.Clone(lead), d.Name, num(d.Base), num(d.Value), num(d.Diff), "", "", "", "", strconv.Itoa(d.N))
			k := len(lead) + 4
			if d.Spread() {
				row[k], row[k+1], row[k+2] = num(d.StdDev), num(d.CI95), num(d.CI95Unpaired)
			}
			if v, ok := d.ChangePct(); ok {
				row[k+3] = num(v)
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// diffRow is a row of the comparisons table: a difference, or a note.
type diffRow struct {
	d    Diff
	note string
}

// tableDiffs are the rows the table lists of a point's differences: those
// that differ in some pair, a group's members (group.member) all of them
// up to MaxTableMembers, else the TableTopMembers that moved most (the
// largest |diff|) and a note of how many more the files hold.
func tableDiffs(ds []Diff) []diffRow {
	var out []diffRow
	for i := 0; i < len(ds); {
		group, _, grouped := strings.Cut(ds[i].Name, ".")
		j := i + 1
		for grouped && j < len(ds) && strings.HasPrefix(ds[j].Name, group+".") {
			j++
		}
		var moved []int
		for k := i; k < j; k++ {
			if ds[k].Diff != 0 || ds[k].StdDev != 0 {
				moved = append(moved, k)
			}
		}
		if len(moved) > MaxTableMembers {
			keep := topIndices(moved, func(k int) float64 { return math.Abs(ds[k].Diff) })
			for _, k := range keep {
				out = append(out, diffRow{d: ds[k]})
			}
			out = append(out, diffRow{note: fmt.Sprintf("%s: %d more members in comparison.csv and comparison.json", group, len(moved)-len(keep))})
		} else {
			for _, k := range moved {
				out = append(out, diffRow{d: ds[k]})
			}
		}
		i = j
	}
	return out
}

// WriteTable writes, per point, the metrics that differ in some pair:
// baseline and point means, the paired difference with its interval, the
// change in percent, the interval two independent samples would give,
// and * where the paired interval excludes zero. Metrics equal in every
// pair (a drop counter at zero on both sides) are left to the files.
func (c *Comparisons) WriteTable(w io.Writer) error {
	head := []string{"metric", "baseline", "this", "diff", "±ci95", "change", "±ci95 unpaired", "n", ""}
	cols := newColumns(head)
	blocks := make([][][]string, len(c.Points))
	for i, p := range c.Points {
		for _, r := range tableDiffs(p.Metrics) {
			if r.note != "" { // one cell: written as it is
				blocks[i] = append(blocks[i], []string{r.note})
				continue
			}
			d := r.d
			cells := []string{d.Name, short(d.Base), short(d.Value), short(d.Diff), "-", "", "-", strconv.Itoa(d.N), ""}
			if d.Spread() {
				cells[4], cells[6] = short(d.CI95), short(d.CI95Unpaired)
			}
			if v, ok := d.ChangePct(); ok {
				cells[5] = strconv.FormatFloat(v, 'f', 1, 64) + "%"
			}
			if d.Significant() {
				cells[8] = "*"
			}
			cols.measure(cells)
			blocks[i] = append(blocks[i], cells)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\npaired differences against %s: replication r of each point minus replication r of its baseline\n", tableParams(c.Baseline))
	b.WriteString("(the same seeds: common random numbers; * where the 95% interval excludes zero)\n")
	for i, p := range c.Points {
		fmt.Fprintf(&b, "\n%s  minus  %s\n", tableParams(p.Point), tableParams(p.Baseline))
		if len(blocks[i]) == 0 {
			b.WriteString("  every metric equal in every replication\n")
			continue
		}
		b.WriteString(cols.line(head))
		for _, cells := range blocks[i] {
			b.WriteString(cols.line(cells))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
