package results

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
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
			shown := tableMembers(m.Members)
			for _, mem := range shown {
				row(m.Name+"."+mem.Name, mem.Stat)
			}
			if more := len(m.Members) - len(shown); more > 0 { // a note: one cell, not measured
				blocks[i] = append(blocks[i], []string{fmt.Sprintf("%s: %d more members in results.csv and results.json", m.Name, more)})
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

// MaxTableMembers bounds the members of a group the table lists (a
// cluster's per-node groups have four per node); past it the table lists
// the TableTopMembers largest by mean and says how many more the files
// hold.
const (
	MaxTableMembers = 32
	TableTopMembers = 8
)

// tableMembers are the members of a group the table lists: all of them up
// to MaxTableMembers, else the TableTopMembers with the largest means (the
// busiest nodes, the ports or nodes that dropped), in their order.
func tableMembers(ms []Member) []Member {
	if len(ms) <= MaxTableMembers {
		return ms
	}
	idx := make([]int, len(ms))
	for i := range idx {
		idx[i] = i
	}
	var out []Member
	for _, k := range topIndices(idx, func(k int) float64 { return ms[k].Stat.Mean }) {
		out = append(out, ms[k])
	}
	return out
}

// topIndices are the TableTopMembers indices of idx with the largest key,
// ascending (ties: the earlier index first); idx is not changed.
func topIndices(idx []int, key func(int) float64) []int {
	top := slices.Clone(idx)
	slices.SortStableFunc(top, func(a, b int) int { return cmp.Compare(key(b), key(a)) })
	top = top[:min(TableTopMembers, len(top))]
	slices.Sort(top)
	return top
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

// line lays out a row; a row of one cell is a note, written as it is.
func (c *columns) line(cells []string) string {
	if len(cells) == 1 {
		return "  " + cells[0] + "\n"
	}
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
