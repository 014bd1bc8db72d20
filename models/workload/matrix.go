package workload

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/cnisim/cnisim/internal/readfile"
)

// PatternMatrix: finite flows between the node pairs of a traffic matrix
// file (workload.matrix), each line offering its own rate.
const PatternMatrix = "matrix"

// Limits of a traffic matrix file: a million lines (a 1,000-node matrix
// node by node; by rack, a few hundred) and 64 MiB bound the parser's
// memory, and so do the senders' destination lists (at most the lines'
// source nodes).
const (
	MaxMatrixEntries   = 1_000_000
	MaxMatrixNode      = 100_000 // node indices, before the cluster's size is known
	MaxMatrixGbps      = 100_000 // one line's offered rate: 100 Tbit/s, past any fabric
	maxMatrixLineBytes = 256
	maxMatrixFileBytes = 64 << 20
	maxMatrixDests     = 10_000_000 // (source node, line) pairs a matrix's ranges expand to
	matrixLineWant     = `"src dst gbps" (a node or a range of nodes a-b each)`
	// MaxMatrixScale bounds workload.matrix_scale (assumed: a thousand
	// times a measured matrix is past any growth a plan asks about).
	MaxMatrixScale = 1000
)

// Matrix is a traffic matrix: lines of offered rates, in Gbit/s of flow
// bytes, from a range of source nodes to a range of destination nodes (a
// single node is a range of one), split evenly over the range's pairs of
// two different nodes; pairs not listed offer nothing, and where ranges
// overlap their rates add. Entries are in file order.
type Matrix struct {
	Name    string // the file it was read from
	Entries []MatrixEntry
}

// MatrixEntry is one line: the nodes [SrcLo, SrcHi] to [DstLo, DstHi] at
// Gbps in all; Line is its line in the file, for errors found later (a
// node the cluster does not have).
type MatrixEntry struct {
	SrcLo, SrcHi, DstLo, DstHi int32
	Gbps                       float64
	Line                       int32
}

// pairs is the entry's number of (source, destination) pairs of two
// different nodes.
func (e MatrixEntry) pairs() int64 {
	src, dst := int64(e.SrcHi-e.SrcLo+1), int64(e.DstHi-e.DstLo+1)
	overlap := int64(min(e.SrcHi, e.DstHi)) - int64(max(e.SrcLo, e.DstLo)) + 1
	return src*dst - max(overlap, 0)
}

// LoadMatrix reads (a regular file of bounded size) and parses a traffic
// matrix file (a path, resolved by the caller against the scenario's
// directory).
func LoadMatrix(path string) (*Matrix, error) {
	data, err := readfile.ReadRegular(path, maxMatrixFileBytes, "a traffic matrix file")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%q: no such file (a traffic matrix file of %s lines)", path, matrixLineWant)
	}
	if err != nil {
		return nil, err
	}
	return ParseMatrix(path, data)
}

// ParseMatrix reads a traffic matrix strictly: one "src dst gbps" line
// per source and destination (separated by spaces, tabs or commas), each
// a node index from 0 or an inclusive range "a-b" (a <= b), then the
// line's offered rate of flow bytes in Gbit/s; '#' comments and blank
// lines ignored. A line repeats no earlier line's ranges and has a pair
// of two different nodes; a rate is finite and in [0, MaxMatrixGbps], and
// some rate is positive. Errors name file:line.
func ParseMatrix(file string, data []byte) (*Matrix, error) {
	if len(data) > maxMatrixFileBytes {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d a traffic matrix file may have", file, len(data), maxMatrixFileBytes)
	}
	m := &Matrix{Name: file}
	seen := map[[4]int32]int32{} // ranges -> their line
	total := 0.0
	var dests int64
	err := eachDataLine(file, data, maxMatrixLineBytes, func(n int, line string) error {
		f := strings.Fields(strings.ReplaceAll(line, ",", " "))
		if len(f) != 3 {
			return fmt.Errorf("%s:%d: want %s, got %q", file, n, matrixLineWant, line)
		}
		var r [4]int32
		for j, s := range f[:2] {
			lo, hi, err := parseNodeRange(s)
			if err != nil {
				return fmt.Errorf("%s:%d: %v", file, n, err)
			}
			r[2*j], r[2*j+1] = lo, hi
		}
		g, err := strconv.ParseFloat(f[2], 64)
		if err != nil || !(g >= 0 && g <= MaxMatrixGbps) {
			return fmt.Errorf("%s:%d: rate %q: want Gbit/s in [0, %d]", file, n, f[2], MaxMatrixGbps)
		}
		e := MatrixEntry{SrcLo: r[0], SrcHi: r[1], DstLo: r[2], DstHi: r[3], Gbps: g, Line: int32(n)}
		if e.pairs() == 0 {
			return fmt.Errorf("%s:%d: %s to %s: no pair of two different nodes (a node sends nothing to itself)", file, n, f[0], f[1])
		}
		if first, ok := seen[r]; ok {
			return fmt.Errorf("%s:%d: %s -> %s again (first on line %d)", file, n, f[0], f[1], first)
		}
		if len(m.Entries) == MaxMatrixEntries {
			return fmt.Errorf("%s:%d: more than %d lines", file, n, MaxMatrixEntries)
		}
		if dests += int64(e.SrcHi - e.SrcLo + 1); dests > maxMatrixDests {
			return fmt.Errorf("%s:%d: the ranges so far give %d (source node, line) pairs, more than %d: list fewer or coarser lines", file, n, dests, maxMatrixDests)
		}
		seen[r] = int32(n)
		m.Entries = append(m.Entries, e)
		total += g
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !(total > 0) {
		return nil, fmt.Errorf("%s: no line offers traffic: want lines of %s with some rate above 0", file, matrixLineWant)
	}
	return m, nil
}

// parseNodeRange reads a node index or an inclusive range "a-b".
func parseNodeRange(s string) (lo, hi int32, err error) {
	a, b, isRange := strings.Cut(s, "-")
	if !isRange {
		b = a
	}
	var v [2]uint64
	for i, x := range []string{a, b} {
		if v[i], err = strconv.ParseUint(x, 10, 32); err != nil || v[i] > MaxMatrixNode {
			return 0, 0, fmt.Errorf("node %q: want a node index in [0, %d] or a range a-b of them", s, MaxMatrixNode)
		}
	}
	if v[0] > v[1] {
		return 0, 0, fmt.Errorf("node range %q: its first node is after its last", s)
	}
	return int32(v[0]), int32(v[1]), nil
}

// TotalGbps is the rate the whole matrix offers.
func (m *Matrix) TotalGbps() float64 {
	t := 0.0
	for _, e := range m.Entries {
		t += e.Gbps
	}
	return t
}

// check names the first entry whose node the cluster of nodes lacks.
func (m *Matrix) check(nodes int) error {
	for _, e := range m.Entries {
		if hi := max(e.SrcHi, e.DstHi); int(hi) >= nodes {
			return fmt.Errorf("%s:%d: node %d: the cluster has nodes 0..%d", m.Name, e.Line, hi, nodes-1)
		}
	}
	return nil
}

// matrixSources is the matrix turned into arrival processes: per sending
// node (in node order) its total flow arrival rate and the destination
// ranges of its lines with their cumulative rates, so that one Poisson
// process per node, each arrival sent to a line drawn in proportion to
// its rate and to a node of the line's range uniformly (the node itself
// excluded), is the superposition of one process per pair (a Poisson
// process thinned at random is Poisson).
type matrixSources struct {
	nodes  []int       // sending nodes, ascending
	rate   []float64   // flows per second of each
	lo, hi [][]int32   // each one's destination ranges, in file order
	cum    [][]float64 // their cumulative Gbit/s
}

// sources builds the arrival processes for flows of the given mean size
// (bytes), the matrix's rates multiplied by scale: a line's rate is split
// evenly over its pairs, so a source node's share is the rate per pair
// times its destinations in the range other than itself.
func (m *Matrix) sources(meanBytes, scale float64) *matrixSources {
	type line struct {
		lo, hi int32
		gbps   float64
	}
	lines := map[int32][]line{} // each sending node's lines, in file order
	for _, e := range m.Entries {
		pairs := float64(e.pairs())
		for src := e.SrcLo; src <= e.SrcHi; src++ {
			if g := e.Gbps * float64(others(e.DstLo, e.DstHi, src)) / pairs; g > 0 {
				lines[src] = append(lines[src], line{e.DstLo, e.DstHi, g})
			}
		}
	}
	s := &matrixSources{}
	for n := range lines {
		s.nodes = append(s.nodes, int(n))
	}
	slices.Sort(s.nodes)
	for _, n := range s.nodes {
		var lo, hi []int32
		var cum []float64
		total := 0.0
		for _, l := range lines[int32(n)] {
			total += l.gbps
			lo, hi, cum = append(lo, l.lo), append(hi, l.hi), append(cum, total)
		}
		s.lo, s.hi, s.cum = append(s.lo, lo), append(s.hi, hi), append(s.cum, cum)
		s.rate = append(s.rate, scale*total*1e9/8/meanBytes)
	}
	return s
}

// others is the number of nodes in [lo, hi] other than self.
func others(lo, hi, self int32) int32 {
	n := hi - lo + 1
	if self >= lo && self <= hi {
		n--
	}
	return n
}

// pick draws sender i's destination from u uniform in [0, 1): the line
// whose cumulative rate first exceeds u times the total, then the node of
// its range at u's position within the line's share (uniform, given the
// line), the sender itself skipped.
func (s *matrixSources) pick(i int, u float64) int {
	cum := s.cum[i]
	x := u * cum[len(cum)-1]
	k, _ := slices.BinarySearch(cum, x)
	for k < len(cum)-1 && cum[k] <= x { // the first cumulative rate above x
		k++
	}
	prev := 0.0
	if k > 0 {
		prev = cum[k-1]
	}
	self := int32(s.nodes[i])
	lo, hi := s.lo[i][k], s.hi[i][k]
	count := others(lo, hi, self)
	j := int32(float64(count) * (x - prev) / (cum[k] - prev))
	j = min(max(j, 0), count-1) // rounding at the line's edges
	d := lo + j
	if self >= lo && self <= hi && d >= self {
		d++
	}
	return int(d)
}
