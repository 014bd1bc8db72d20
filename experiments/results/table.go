package results

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/cnisim/cnisim/experiments/scenario"
)

// WriteTable writes an aligned table for terminals: a header line, then
// per point its parameters and one line per metric (member). Columns line
// up across points: names left, numbers right.
func (r *Results) WriteTable(w io.Writer) error {
	head := []string{"metric", "mean", "±ci95", "stddev", "n", "p50", "p90", "p99"}
	blocks := make([][][]string, len(r.Points))
	cols := newColumns(head)
	for i, p := range r.Points {
		row := func(name string, s Stat) {
			cells := []string{name, short(s.Mean), "-", "-", strconv.Itoa(s.N), "", "", ""} // "-": undefined, one replication
			if s.Spread() {
				cells[2], cells[3] = short(s.CI95), short(s.StdDev)
			}
			if s.Quantiles {
				cells[5], cells[6], cells[7] = short(s.P50), short(s.P90), short(s.P99)
			}
			cols.measure(cells)
			blocks[i] = append(blocks[i], cells)
		}
		for _, m := range p.Metrics {
			if m.Members == nil {
				row(m.Name, m.Stat)
			}
			for _, mem := range m.Members {
				row(m.Name+"."+mem.Name, mem.Stat)
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "scenario %s   seed %d   replications %d   points %d\n", r.Scenario, r.Seed, r.Replications, len(r.Points))
	params := make([][]scenario.Param, len(r.Points))
	for i, p := range r.Points {
		params[i] = p.Params
	}
	writeBlocks(&b, params, head, blocks, cols)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeBlocks writes each point's block of rows after a blank line, the
// point's parameters (none without a sweep) and the header.
func writeBlocks(b *strings.Builder, params [][]scenario.Param, head []string, blocks [][][]string, cols *columns) {
	for i, ps := range params {
		b.WriteString("\n")
		if len(ps) > 0 {
			b.WriteString(tableParams(ps) + "\n")
		}
		b.WriteString(cols.line(head))
		for _, cells := range blocks[i] {
			b.WriteString(cols.line(cells))
		}
	}
}

// short formats for reading: four significant digits, whole numbers above
// 10^4 without an exponent.
func short(v float64) string {
	if math.Abs(v) >= 1e4 && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// tableParams renders params as the results table does: key=value, strings
// unquoted, two spaces apart.
func tableParams(ps []scenario.Param) string {
	parts := make([]string, len(ps))
	for j, pa := range ps {
		parts[j] = pa.Key + "=" + strings.Trim(scenario.Format(pa.Value), `"`)
	}
	return strings.Join(parts, "  ")
}

// columns lines up a table's cells: the first column left, the others
// right, two spaces apart, each as wide as its widest cell measured.
type columns struct{ width []int }

func newColumns(head []string) *columns {
	c := &columns{width: make([]int, len(head))}
	c.measure(head)
	return c
}

func (c *columns) measure(row []string) {
	for i, s := range row {
		c.width[i] = max(c.width[i], len([]rune(s)))
	}
}

func (c *columns) line(cells []string) string {
	var b strings.Builder
	b.WriteString("  ")
	for i, s := range cells {
		pad := strings.Repeat(" ", c.width[i]-len([]rune(s)))
		if i == 0 {
			b.WriteString(s + pad)
		} else {
			b.WriteString("  " + pad + s)
		}
	}
	return strings.TrimRight(b.String(), " ") + "\n"
}
