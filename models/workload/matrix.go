package workload

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cnisim/cnisim/internal/readfile"
	"github.com/cnisim/cnisim/sim"
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
	maxMatrixDests     = 10_000_000 // (source node, line, phase) triples a matrix's ranges and windows expand to
	matrixLineWant     = `"src dst gbps [from [to]] [class=NAME]" (a node or a range of nodes a-b each, from and to durations)`
	// MaxMatrixClasses bounds a matrix's traffic classes (assumed: a
	// plan names a handful: its applications, its batch jobs).
	MaxMatrixClasses   = 64
	maxMatrixClassName = 32
	// MaxMatrixScale bounds workload.matrix_scale (assumed: a thousand
	// times a measured matrix is past any growth a plan asks about).
	MaxMatrixScale = 1000
)

// Matrix is a traffic matrix: lines of offered rates, in Gbit/s of flow
// bytes, from a range of source nodes to a range of destination nodes (a
// single node is a range of one), split evenly over the range's pairs of
// two different nodes, during a window of the run (the whole run unless
// the line gives one); pairs not listed offer nothing, and where lines
// overlap their rates add. Entries are in file order.
type Matrix struct {
	Name    string // the file it was read from
	Entries []MatrixEntry
	// Classes are the traffic classes the lines name (class=NAME), in
	// the order first named, after "other" (the lines naming none); nil
	// when no line names one
	Classes []string
}

// OtherClass is the class of a matrix's lines that name none, when others
// do.
const OtherClass = "other"

// MatrixEntry is one line: the nodes [SrcLo, SrcHi] to [DstLo, DstHi] at
// Gbps in all from From until To (sim.Never: the run's end); Line is its
// line in the file, for errors found later (a node the cluster does not
// have).
type MatrixEntry struct {
	SrcLo, SrcHi, DstLo, DstHi int32
	Gbps                       float64
	Line                       int32
	From, To                   sim.Time
	Class                      int16 // its index in Matrix.Classes (0: other)
}

// overlaps reports whether the entries' windows share a moment.
func (e MatrixEntry) overlaps(o MatrixEntry) bool { return e.From < o.To && o.From < e.To }

// window is the entry's window as the file wrote it.
func (e MatrixEntry) window() string {
	if e.From == 0 && e.To == sim.Never {
		return "the whole run"
	}
	to := "the end"
	if e.To != sim.Never {
		to = e.To.Duration().String()
	}
	return e.From.Duration().String() + " to " + to
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

// ParseMatrix reads a traffic matrix strictly: one "src dst gbps [from
// [to]]" line per source and destination (separated by spaces, tabs or
// commas), each a node index from 0 or an inclusive range "a-b" (a <= b),
// then the line's offered rate of flow bytes in Gbit/s and, optionally,
// the window it offers it in: from a duration ("40ms") until another
// later one, or the run's end; '#' comments and blank lines ignored. A
// line repeats no earlier line's ranges in a window overlapping that
// line's, and has a pair of two different nodes; a rate is finite and in
// [0, MaxMatrixGbps], and some rate is positive. Errors name file:line.
func ParseMatrix(file string, data []byte) (*Matrix, error) {
	if len(data) > maxMatrixFileBytes {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d a traffic matrix file may have", file, len(data), maxMatrixFileBytes)
	}
	m := &Matrix{Name: file}
	seen := map[[4]int32][]int32{} // ranges -> their entries
	classes := map[string]int16{}
	total := 0.0
	var dests int64
	err := eachDataLine(file, data, maxMatrixLineBytes, func(n int, line string) error {
		f := strings.Fields(strings.ReplaceAll(line, ",", " "))
		class := ""
		if len(f) > 3 && strings.HasPrefix(f[len(f)-1], "class=") {
			class, f = strings.TrimPrefix(f[len(f)-1], "class="), f[:len(f)-1]
			if !validClassName(class) {
				return fmt.Errorf("%s:%d: class %q: want 1 to %d letters, digits, '_' or '-'", file, n, class, maxMatrixClassName)
			}
		}
		if len(f) < 3 || len(f) > 5 {
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
		e := MatrixEntry{SrcLo: r[0], SrcHi: r[1], DstLo: r[2], DstHi: r[3], Gbps: g, Line: int32(n), To: sim.Never}
		if e.From, e.To, err = parseWindow(f[3:]); err != nil {
			return fmt.Errorf("%s:%d: %v", file, n, err)
		}
		if class != "" {
			if m.Classes == nil { // the first class named: the lines naming none are "other"
				m.Classes, classes[OtherClass] = []string{OtherClass}, 0
			}
			k, ok := classes[class]
			if !ok {
				if len(m.Classes) > MaxMatrixClasses {
					return fmt.Errorf("%s:%d: class %q: more than %d classes", file, n, class, MaxMatrixClasses)
				}
				k = int16(len(m.Classes))
				classes[class] = k
				m.Classes = append(m.Classes, class)
			}
			e.Class = k
		}
		if e.pairs() == 0 {
			return fmt.Errorf("%s:%d: %s to %s: no pair of two different nodes (a node sends nothing to itself)", file, n, f[0], f[1])
		}
		for _, i := range seen[r] {
			if first := m.Entries[i]; first.Class == e.Class && first.overlaps(e) {
				if first.From == 0 && first.To == sim.Never && e.From == 0 && e.To == sim.Never {
					return fmt.Errorf("%s:%d: %s -> %s again (first on line %d)", file, n, f[0], f[1], first.Line)
				}
				return fmt.Errorf("%s:%d: %s -> %s again in %s, overlapping line %d's %s (give one line per window, or their sum)", file, n, f[0], f[1], e.window(), first.Line, first.window())
			}
		}
		if len(m.Entries) == MaxMatrixEntries {
			return fmt.Errorf("%s:%d: more than %d lines", file, n, MaxMatrixEntries)
		}
		if dests += int64(e.SrcHi - e.SrcLo + 1); dests > maxMatrixDests {
			return fmt.Errorf("%s:%d: the ranges so far give %d (source node, line) pairs, more than %d: list fewer or coarser lines", file, n, dests, maxMatrixDests)
		}
		seen[r] = append(seen[r], int32(len(m.Entries)))
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
	// each sender's lines are kept once per phase between the windows'
	// ends: bound them all together
	if phases := int64(len(m.Changes()) + 1); dests*phases > maxMatrixDests {
		return nil, fmt.Errorf("%s: %d (source node, line) pairs in each of the %d phases the windows' ends make, more than %d in all: fewer lines or fewer distinct window ends", file, dests, phases, maxMatrixDests)
	}
	return m, nil
}

// validClassName reports whether a traffic class's name is 1 to
// maxMatrixClassName letters, digits, '_' or '-' (no dot, which separates
// a metric from its member).
func validClassName(s string) bool {
	if len(s) == 0 || len(s) > maxMatrixClassName {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// parseWindow reads a line's optional window: nothing (the whole run),
// a start, or a start and a later end; durations as Go writes them
// ("40ms", "1.5s"), from 0.
func parseWindow(f []string) (from, to sim.Time, err error) {
	var d [2]time.Duration
	for i, s := range f {
		if d[i], err = time.ParseDuration(s); err != nil || d[i] < 0 {
			return 0, 0, fmt.Errorf("window %q: want a duration from 0 such as 40ms", s)
		}
	}
	to = sim.Never
	if len(f) == 2 {
		if d[1] <= d[0] {
			return 0, 0, fmt.Errorf("window %s to %s: its end is not after its start", f[0], f[1])
		}
		to = sim.FromDuration(d[1])
	}
	return sim.FromDuration(d[0]), to, nil
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

// MeanGbps is the rate the whole matrix offers on average over a run of
// duration d: each line's rate for the part of its window within [0, d).
func (m *Matrix) MeanGbps(d sim.Time) float64 {
	if d <= 0 {
		return 0
	}
	t := 0.0
	for _, e := range m.Entries {
		if on := min(e.To, d) - min(e.From, d); on > 0 {
			t += e.Gbps * (float64(on) / float64(d))
		}
	}
	return t
}

// Changes are the times after 0 at which a line's window starts or ends,
// ascending: where the offered traffic changes.
func (m *Matrix) Changes() []sim.Time {
	var at []sim.Time
	for _, e := range m.Entries {
		for _, t := range []sim.Time{e.From, e.To} {
			if t > 0 && t < sim.Never {
				at = append(at, t)
			}
		}
	}
	slices.Sort(at)
	return slices.Compact(at)
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

// matrixSources is the matrix turned into arrival processes: the run cut
// into phases at the windows' ends (one phase without windows), and in
// each, per sending node (in node order) its total flow arrival rate and
// the destination ranges of its lines then, with their cumulative rates,
// so that one Poisson process per node, each arrival sent to a line drawn
// in proportion to its rate and to a node of the line's range uniformly
// (the node itself excluded), is the superposition of one process per
// pair (a Poisson process thinned at random is Poisson).
type matrixSources struct {
	nodes  []int      // sending nodes, ascending: those sending in any phase
	starts []sim.Time // each phase's start, ascending from 0
	phases []matrixPhase
}

// matrixPhase is the senders' processes during one phase.
type matrixPhase struct {
	rate   []float64   // flows per second of each sender (0: it sends nothing then)
	lo, hi [][]int32   // each one's destination ranges, in file order
	class  [][]int16   // and their lines' traffic classes
	cum    [][]float64 // their cumulative Gbit/s
}

// sources builds the arrival processes for flows of the given mean size
// (bytes), the matrix's rates multiplied by scale: a line's rate is split
// evenly over its pairs, so a source node's share is the rate per pair
// times its destinations in the range other than itself.
func (m *Matrix) sources(meanBytes, scale float64) *matrixSources {
	type line struct {
		lo, hi   int32
		gbps     float64
		from, to sim.Time
		class    int16
	}
	lines := map[int32][]line{} // each sending node's lines, in file order
	for _, e := range m.Entries {
		pairs := float64(e.pairs())
		for src := e.SrcLo; src <= e.SrcHi; src++ {
			if g := e.Gbps * float64(others(e.DstLo, e.DstHi, src)) / pairs; g > 0 {
				lines[src] = append(lines[src], line{e.DstLo, e.DstHi, g, e.From, e.To, e.Class})
			}
		}
	}
	starts := append([]sim.Time{0}, m.Changes()...)
	s := &matrixSources{starts: starts, phases: make([]matrixPhase, len(starts))}
	for n := range lines {
		s.nodes = append(s.nodes, int(n))
	}
	slices.Sort(s.nodes)
	for k, at := range starts {
		// a line is on for the whole phase or not at all: every window's
		// ends start a phase
		p := &s.phases[k]
		for _, n := range s.nodes {
			var lo, hi []int32
			var class []int16
			var cum []float64
			total := 0.0
			for _, l := range lines[int32(n)] {
				if l.from <= at && at < l.to {
					total += l.gbps
					lo, hi, class, cum = append(lo, l.lo), append(hi, l.hi), append(class, l.class), append(cum, total)
				}
			}
			p.lo, p.hi, p.class, p.cum = append(p.lo, lo), append(p.hi, hi), append(p.class, class), append(p.cum, cum)
			p.rate = append(p.rate, scale*total*1e9/8/meanBytes)
		}
	}
	return s
}

// next draws sender i's next arrival after now as a Poisson process at
// each phase's rate: a gap at the rate of the phase now is in and, when it
// passes the phase's end, a gap drawn again from there at the next
// phase's rate (exact: the process is memoryless). It returns the
// arrival's time and phase, or ok false when none comes by end (the
// run's); an arrival is never at a later phase's start, so its phase is
// the one it was drawn in.
func (s *matrixSources) next(i int, now, end sim.Time, rng *rand.Rand) (at sim.Time, phase int, ok bool) {
	k := s.phaseAt(now)
	for {
		stop, last := end, true
		if k+1 < len(s.starts) && s.starts[k+1] < end {
			stop, last = s.starts[k+1], false
		}
		if rate := s.phases[k].rate[i]; rate > 0 {
			if at, ok := poissonArrival(rng, rate, now, stop); ok {
				if !last {
					at = min(at, stop-1) // in this phase, not at the next one's start
				}
				return at, k, true
			}
		}
		if last {
			return 0, 0, false
		}
		now, k = stop, k+1
	}
}

// others is the number of nodes in [lo, hi] other than self.
func others(lo, hi, self int32) int32 {
	n := hi - lo + 1
	if self >= lo && self <= hi {
		n--
	}
	return n
}

// phaseAt is the phase t is in: the last starting at or before it.
func (s *matrixSources) phaseAt(t sim.Time) int {
	k, _ := slices.BinarySearch(s.starts, t+1)
	return k - 1
}

// phaseNames name the phases by their spans, "100ms-160ms", the last
// open ("160ms-"), in whole milli-, micro- or nanoseconds (a name has no
// dot, which separates a metric from its member).
func (s *matrixSources) phaseNames() []string {
	names := make([]string, len(s.starts))
	for k, t := range s.starts {
		names[k] = spanTime(t) + "-"
		if k+1 < len(s.starts) {
			names[k] += spanTime(s.starts[k+1])
		}
	}
	return names
}

// spanTime writes t in the largest of ms, us and ns that keeps it whole.
func spanTime(t sim.Time) string {
	for _, u := range []struct {
		unit sim.Time
		name string
	}{{sim.Millisecond, "ms"}, {sim.Microsecond, "us"}, {sim.Nanosecond, "ns"}} {
		if t%u.unit == 0 {
			return strconv.FormatInt(int64(t/u.unit), 10) + u.name
		}
	}
	return strconv.FormatInt(int64(t), 10) + "ps"
}

// pick draws the destination of sender i's arrival in phase k (one in
// which it sends) from u uniform in [0, 1): the line whose cumulative
// rate first exceeds u times the total, then the node of its range at u's
// position within the line's share (uniform, given the line), the sender
// itself skipped; and the line's traffic class.
func (s *matrixSources) pick(k, i int, u float64) (dst int, class int16) {
	p := &s.phases[k]
	cum := p.cum[i]
	x := u * cum[len(cum)-1]
	l, _ := slices.BinarySearch(cum, x)
	for l < len(cum)-1 && cum[l] <= x { // the first cumulative rate above x
		l++
	}
	prev := 0.0
	if l > 0 {
		prev = cum[l-1]
	}
	self := int32(s.nodes[i])
	lo, hi := p.lo[i][l], p.hi[i][l]
	count := others(lo, hi, self)
	j := int32(float64(count) * (x - prev) / (cum[l] - prev))
	j = min(max(j, 0), count-1) // rounding at the line's edges
	d := lo + j
	if self >= lo && self <= hi && d >= self {
		d++
	}
	return int(d), p.class[i][l]
}
