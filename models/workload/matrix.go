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
// file (workload.matrix), each pair offering its own rate.
const PatternMatrix = "matrix"

// Limits of a traffic matrix file: a 10,000-node cluster's full matrix is
// 10^8 pairs, past what a run can hold; a million pairs (a 1,000-node
// matrix) and 64 MiB bound the parser's memory.
const (
	MaxMatrixEntries   = 1_000_000
	MaxMatrixNode      = 100_000 // node indices, before the cluster's size is known
	MaxMatrixGbps      = 100_000 // one pair's offered rate: 100 Tbit/s, past any link
	maxMatrixLineBytes = 256
	maxMatrixFileBytes = 64 << 20
	matrixLineWant     = `"src_node dst_node gbps"`
	// MaxMatrixScale bounds workload.matrix_scale (assumed: a thousand
	// times a measured matrix is past any growth a plan asks about).
	MaxMatrixScale = 1000
)

// Matrix is a traffic matrix: the offered rate, in Gbit/s of flow bytes,
// from node Src to node Dst for each listed pair (pairs not listed offer
// nothing). Entries are in file order, each pair at most once.
type Matrix struct {
	Name    string // the file it was read from
	Entries []MatrixEntry
}

// MatrixEntry is one pair's offered rate; Line is its line in the file,
// for errors found later (a node the cluster does not have).
type MatrixEntry struct {
	Src, Dst int32
	Gbps     float64
	Line     int32
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

// ParseMatrix reads a traffic matrix strictly: one "src_node dst_node
// gbps" line per node pair (separated by spaces, tabs or commas), node
// indices from 0, the pair's offered rate of flow bytes in Gbit/s; '#'
// comments and blank lines ignored. A pair may appear once, a node not
// with itself; a rate is finite and in [0, MaxMatrixGbps], and some rate
// is positive. Errors name file:line.
func ParseMatrix(file string, data []byte) (*Matrix, error) {
	if len(data) > maxMatrixFileBytes {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d a traffic matrix file may have", file, len(data), maxMatrixFileBytes)
	}
	m := &Matrix{Name: file}
	seen := map[[2]int32]int32{} // pair -> its line
	total := 0.0
	err := eachDataLine(file, data, maxMatrixLineBytes, func(n int, line string) error {
		f := strings.Fields(strings.ReplaceAll(line, ",", " "))
		if len(f) != 3 {
			return fmt.Errorf("%s:%d: want %s, got %q", file, n, matrixLineWant, line)
		}
		var nodes [2]int32
		for j, s := range f[:2] {
			v, err := strconv.ParseUint(s, 10, 32)
			if err != nil || v > MaxMatrixNode {
				return fmt.Errorf("%s:%d: node %q: want a node index in [0, %d]", file, n, s, MaxMatrixNode)
			}
			nodes[j] = int32(v)
		}
		g, err := strconv.ParseFloat(f[2], 64)
		if err != nil || !(g >= 0 && g <= MaxMatrixGbps) {
			return fmt.Errorf("%s:%d: rate %q: want Gbit/s in [0, %d]", file, n, f[2], MaxMatrixGbps)
		}
		if nodes[0] == nodes[1] {
			return fmt.Errorf("%s:%d: node %d to itself: a matrix lists traffic between two nodes", file, n, nodes[0])
		}
		if first, ok := seen[nodes]; ok {
			return fmt.Errorf("%s:%d: pair %d -> %d again (first on line %d)", file, n, nodes[0], nodes[1], first)
		}
		if len(m.Entries) == MaxMatrixEntries {
			return fmt.Errorf("%s:%d: more than %d pairs", file, n, MaxMatrixEntries)
		}
		seen[nodes] = int32(n)
		m.Entries = append(m.Entries, MatrixEntry{Src: nodes[0], Dst: nodes[1], Gbps: g, Line: int32(n)})
		total += g
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !(total > 0) {
		return nil, fmt.Errorf("%s: no pair offers traffic: want lines of %s with some rate above 0", file, matrixLineWant)
	}
	return m, nil
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
		if int(max(e.Src, e.Dst)) >= nodes {
			return fmt.Errorf("%s:%d: node %d: the cluster has nodes 0..%d", m.Name, e.Line, max(e.Src, e.Dst), nodes-1)
		}
	}
	return nil
}

// matrixSources is the matrix turned into arrival processes: per sending
// node (in node order) its total flow arrival rate and its destinations
// with their cumulative rates, so that one Poisson process per node,
// each arrival sent to a destination drawn in proportion to its rate, is
// the superposition of one process per pair (a Poisson process thinned
// at random is Poisson).
type matrixSources struct {
	nodes []int       // sending nodes, ascending
	rate  []float64   // flows per second of each
	dst   [][]int32   // each one's destinations, in file order
	cum   [][]float64 // their cumulative Gbit/s
}

// sources builds the arrival processes for flows of the given mean size
// (bytes), the matrix's rates multiplied by scale.
func (m *Matrix) sources(meanBytes, scale float64) *matrixSources {
	by := map[int32]int{}
	s := &matrixSources{}
	var order []int32
	for _, e := range m.Entries {
		if !(e.Gbps > 0) {
			continue
		}
		if _, ok := by[e.Src]; !ok {
			by[e.Src] = -1
			order = append(order, e.Src)
		}
	}
	slices.Sort(order)
	for i, n := range order {
		by[n] = i
		s.nodes = append(s.nodes, int(n))
	}
	s.rate = make([]float64, len(order))
	s.dst = make([][]int32, len(order))
	s.cum = make([][]float64, len(order))
	for _, e := range m.Entries {
		if !(e.Gbps > 0) {
			continue
		}
		i := by[e.Src]
		prev := 0.0
		if k := len(s.cum[i]); k > 0 {
			prev = s.cum[i][k-1]
		}
		s.dst[i] = append(s.dst[i], e.Dst)
		s.cum[i] = append(s.cum[i], prev+e.Gbps)
	}
	for i := range s.rate {
		s.rate[i] = scale * s.cum[i][len(s.cum[i])-1] * 1e9 / 8 / meanBytes
	}
	return s
}

// pick draws sender i's destination: u uniform in [0, 1).
func (s *matrixSources) pick(i int, u float64) int {
	cum := s.cum[i]
	x := u * cum[len(cum)-1]
	k, _ := slices.BinarySearch(cum, x)
	for k < len(cum)-1 && cum[k] <= x { // the first cumulative rate above x
		k++
	}
	return int(s.dst[i][k])
}
