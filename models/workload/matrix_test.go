package workload

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

func TestParseMatrix(t *testing.T) {
	m, err := ParseMatrix("tm", []byte("# src dst gbps\n0 1 4\n\n2,0,1.5 # storage\n1\t2\t0\n0-3 4-7 8\n0-3 0-3 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	all := sim.Never
	want := []MatrixEntry{{0, 0, 1, 1, 4, 2, 0, all, 0}, {2, 2, 0, 0, 1.5, 4, 0, all, 0}, {1, 1, 2, 2, 0, 5, 0, all, 0}, {0, 3, 4, 7, 8, 6, 0, all, 0}, {0, 3, 0, 3, 2, 7, 0, all, 0}}
	if len(m.Entries) != len(want) {
		t.Fatalf("%d entries, want %d", len(m.Entries), len(want))
	}
	for i, e := range m.Entries {
		if e != want[i] {
			t.Errorf("entry %d: %+v, want %+v", i, e, want[i])
		}
	}
	if got := m.MeanGbps(sim.Second); got != 15.5 {
		t.Errorf("total %g Gbit/s, want 15.5", got)
	}
	for i, want := range []int64{1, 1, 1, 16, 12} {
		if got := m.Entries[i].pairs(); got != want {
			t.Errorf("entry %d: %d pairs of two nodes, want %d", i, got, want)
		}
	}
	var w strings.Builder // 101 lines of 100,000 sources each
	for d := range 101 {
		fmt.Fprintf(&w, "0-99999 %d 1\n", d)
	}
	wide := w.String()
	w.Reset() // 7 windows of 100,000 sources each: 15 phases
	for d := range 7 {
		fmt.Fprintf(&w, "0-99999 %d 1 %dms %dms\n", d, 2*d+1, 2*d+2)
	}
	phased := w.String()
	for _, tc := range []struct{ in, want string }{
		{"", "tm: no line offers traffic"},
		{"0 1 0\n", "tm: no line offers traffic"},
		{"0 1\n", `tm:1: want "src dst gbps [from [to]] [class=NAME]" (a node or a range of nodes a-b each, from and to durations), got "0 1"`},
		{"0 1 2 3ms 4ms 5ms\n", `tm:1: want "src dst gbps [from [to]] [class=NAME]"`},
		{"0 1 class=app\n", `tm:1: rate "class=app"`},
		{",\n", `tm:1: want "src dst gbps [from [to]] [class=NAME]"`},
		{"0 1 2 class=a.b\n", `tm:1: class "a.b": want 1 to 32 letters, digits, '_' or '-'`},
		{"0 1 2 class=\n", `tm:1: class ""`},
		{"0 1 2 class=app\n0 1 3 5ms class=app\n", "tm:2: 0 -> 1 again in 5ms to the end, overlapping line 1's the whole run"},
		{"0 1 2 class=app 5ms\n", `tm:1: window "class=app"`},
		{"0 1 2 3\n", `tm:1: window "3": want a duration from 0 such as 40ms`},
		{"0 1 2 -1ms\n", `tm:1: window "-1ms"`},
		{"0 1 2 5ms 5ms\n", "tm:1: window 5ms to 5ms: its end is not after its start"},
		{"0 1 2 5ms 1ms\n", "tm:1: window 5ms to 1ms"},
		{"0 1 2 0s 10ms\n0 1 3 5ms\n", "tm:2: 0 -> 1 again in 5ms to the end, overlapping line 1's 0s to 10ms (give one line per window, or their sum)"},
		{"0 1 2\n0 1 3 5ms 6ms\n", "tm:2: 0 -> 1 again in 5ms to 6ms, overlapping line 1's the whole run"},
		{phased, "tm: 700000 (source node, line) pairs in each of the 15 phases the windows' ends make, more than 10000000"},
		{"# x\n-1 1 2\n", `tm:2: node "-1": want a node index in [0, 100000] or a range a-b of them`},
		{"5-2 1 1\n", `tm:1: node range "5-2": its first node is after its last`},
		{"0-1-2 3 1\n", `tm:1: node "0-1-2"`},
		{"3-3 3 1\n", "tm:1: 3-3 to 3: no pair of two different nodes"},
		{"0-1 4 1\n0-1 4 2\n", "tm:2: 0-1 -> 4 again (first on line 1)"},
		{"0 x 2\n", `tm:1: node "x"`},
		{"0 100001 2\n", `tm:1: node "100001"`},
		{"0 1 -2\n", `tm:1: rate "-2": want Gbit/s in [0, 100000]`},
		{"0 1 NaN\n", `tm:1: rate "NaN"`},
		{"0 1 Inf\n", `tm:1: rate "Inf"`},
		{"3 3 1\n", "tm:1: 3 to 3: no pair of two different nodes"},
		{"0 1 1\n1 0 1\n0 1 2\n", "tm:3: 0 -> 1 again (first on line 1)"},
		{wide, "tm:101: the ranges so far give 10100000 (source node, line) pairs, more than 10000000"},
		{"0 1 1\n" + strings.Repeat("9", 300) + "\n", "tm:2: line longer than 256 bytes"},
	} {
		_, err := ParseMatrix("tm", []byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.in, err, tc.want)
		}
	}
}

// A node the cluster lacks is named with its line, at the workload's
// validation.
func TestMatrixNodesChecked(t *testing.T) {
	m, err := ParseMatrix("tm", []byte("0 1 1\n1 4 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := flowConfig(t, PatternMatrix, 4, constSizes(t, 10_000), 0.3, sim.Millisecond)
	cfg.Workload.Matrix = m
	_, err = Run(cfg)
	if err == nil || !strings.Contains(err.Error(), "tm:2: node 4: the cluster has nodes 0..3") {
		t.Errorf("error %v", err)
	}
	cfg.Workload.Matrix = nil
	if _, err = Run(cfg); err == nil || !strings.Contains(err.Error(), "traffic matrix file") {
		t.Errorf("no matrix: error %v", err)
	}
	cfg.Workload.Matrix, cfg.Workload.FlowSizes = m, nil
	if _, err = Run(cfg); err == nil || !strings.Contains(err.Error(), "needs flow sizes") {
		t.Errorf("no flow sizes: error %v", err)
	}
}

// One process per sender, thinned by destination: each destination gets
// its share of the sender's rate (a chi-square over 10,000 draws), a
// range's rate is split evenly over its pairs of two different nodes,
// and the sender's rate is its pairs' sum over the mean size.
func TestMatrixSources(t *testing.T) {
	// 5-6 to 4-7: 2 x 4 pairs less 5->5 and 6->6, 1 Gbit/s each
	m, err := ParseMatrix("tm", []byte("3 0 1\n0 2 2\n3 1 0\n3 2 3\n0 1 6\n5-6 4-7 6\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := m.sources(1e6, 2)
	if !slices.Equal(s.nodes, []int{0, 3, 5, 6}) {
		t.Fatalf("senders %v, want [0 3 5 6] (a pair at rate 0 adds none)", s.nodes)
	}
	for i, gbps := range []float64{8, 4, 3, 3} {
		if want := 2 * gbps * 1e9 / 8 / 1e6; math.Abs(s.phases[0].rate[i]-want) > 1e-9*want {
			t.Errorf("sender %d: %g flows/s, want %g", s.nodes[i], s.phases[0].rate[i], want)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const draws = 10_000
	critical := []float64{0, 10.83, 13.82, 16.27} // chi-square at p = 0.001 by degrees of freedom
	third := 1.0 / 3
	for i, want := range []map[int]float64{{2: 0.25, 1: 0.75}, {0: 0.25, 2: 0.75}, {4: third, 6: third, 7: third}, {4: third, 5: third, 7: third}} {
		got := map[int]float64{}
		for range draws {
			d, _ := s.pick(0, i, rng.Float64())
			got[d]++
		}
		chi := 0.0
		for d, p := range want {
			e := p * draws
			chi += (got[d] - e) * (got[d] - e) / e
			delete(got, d)
		}
		if len(got) > 0 || chi > critical[len(want)-1] {
			t.Errorf("sender %d: destinations %v beyond %v, chi-square %.2f", s.nodes[i], got, want, chi)
		}
	}
	// the edges: u = 0 is the first destination, u just below 1 the
	// last; within a range the sender is skipped
	below1 := math.Nextafter(1, 0)
	for _, c := range []struct {
		i    int
		u    float64
		want int
	}{{0, 0, 2}, {0, below1, 1}, {2, 0, 4}, {2, 0.5, 6}, {2, below1, 7}, {3, 0.5, 5}, {3, below1, 7}} {
		if got, _ := s.pick(0, c.i, c.u); got != c.want {
			t.Errorf("sender %d at u = %v: %d, want %d", s.nodes[c.i], c.u, got, c.want)
		}
	}
}

// A run with a matrix starts flows on each pair at its rate (constant
// sizes: the flow log's count per pair is Poisson, 4 standard deviations;
// a range's rate split evenly over its pairs, counted here by expanding
// it) and on no other pair; the scale multiplies every rate.
func TestMatrixRun(t *testing.T) {
	const size = 50_000
	d := 50 * sim.Millisecond
	m, err := ParseMatrix("tm", []byte("0 1 2\n0 3 0.5\n2 1 4\n3 2 1\n4-5 0-5 6\n"))
	if err != nil {
		t.Fatal(err)
	}
	gbps := map[[2]int]float64{} // each pair's rate
	for _, e := range m.Entries {
		var pairs [][2]int
		for src := int(e.SrcLo); src <= int(e.SrcHi); src++ {
			for dst := int(e.DstLo); dst <= int(e.DstHi); dst++ {
				if src != dst {
					pairs = append(pairs, [2]int{src, dst})
				}
			}
		}
		for _, p := range pairs {
			gbps[p] += e.Gbps / float64(len(pairs))
		}
	}
	for _, scale := range []float64{0, 1.5} {
		cfg := flowConfig(t, PatternMatrix, 6, constSizes(t, size), 0.3, d)
		cfg.Cluster.Fabric = network.Fabric{Kind: network.FabricSwitch, BufferBytes: 1 << 20}
		cfg.Workload.Matrix, cfg.Workload.MatrixScale = m, scale
		cfg.FlowLog = true
		r, err := Run(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if scale == 0 {
			scale = 1
		}
		got := map[[2]int]float64{}
		for i := range r.FlowLog["src_node"] {
			got[[2]int{int(r.FlowLog["src_node"][i]), int(r.FlowLog["dst_node"][i])}]++
		}
		for p, g := range gbps {
			want := scale * g * 1e9 / 8 / size * d.Seconds()
			if k := got[p]; math.Abs(k-want) > 4*math.Sqrt(want) {
				t.Errorf("scale %g, %d -> %d: %g flows, want %.0f ± %.0f", scale, p[0], p[1], k, want, 4*math.Sqrt(want))
			}
			delete(got, p)
		}
		if len(got) > 0 {
			t.Errorf("scale %g: flows on pairs the matrix lacks: %v", scale, got)
		}
		if r.FlowsStarted != r.FlowsCompleted+r.FlowsUnfinished {
			t.Errorf("started %d != completed %d + unfinished %d", r.FlowsStarted, r.FlowsCompleted, r.FlowsUnfinished)
		}
	}
}

func FuzzParseMatrix(f *testing.F) {
	for _, s := range []string{"0 1 4\n2,0,1.5\n", "# c\n\n1 0 0.5 # x\n", "0 1 0\n1 0 1e-9", "5 6 1e5\n", "0-3 4-7 8\n2-5 0-9 1\n", "7-8 8 3\n",
		"0 1 2 10ms 20ms\n0 1 3 20ms\n1 0 1 1.5s\n", "0-3 0-3 1 0s 1us\n", "0 1 1 class=a\n0 1 2 5ms class=b-2\n1 0 1\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMatrix("fz", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fz") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		if tot := m.MeanGbps(sim.Never / 2); !(tot >= 0) || math.IsInf(tot, 0) {
			t.Fatalf("mean %v", tot)
		}
		s := m.sources(1000, 1)
		if s.starts[0] != 0 || !slices.IsSorted(s.starts) || len(s.starts) != len(s.phases) {
			t.Fatalf("phases at %v", s.starts)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		for i, n := range s.nodes {
			sends := false
			for k, p := range s.phases {
				if !(p.rate[i] >= 0) {
					t.Fatalf("sender %d at rate %v", n, p.rate[i])
				}
				if p.rate[i] == 0 {
					continue
				}
				sends = true
				for range 10 {
					if d, _ := s.pick(k, i, rng.Float64()); d == n || d < 0 || d > MaxMatrixNode {
						t.Fatalf("sender %d picked %d", n, d)
					}
				}
			}
			if !sends {
				t.Fatalf("sender %d sends in no phase", n)
			}
		}
	})
}

// A matrix offering what the random pattern does (every node to every
// other alike, load x link rate per node) is the same arrival process:
// the same gaps and sizes, drawn in the same order, so the flows started
// and the bytes offered are equal, and the destinations are uniform
// among the other nodes (chi-square over the flow log).
func TestMatrixUniformIsRandom(t *testing.T) {
	const nodes = 8
	sizes := constSizes(t, 20_000) // 18,750 flows a second per node
	random := flowConfig(t, PatternRandom, nodes, sizes, 0.3, 20*sim.Millisecond)
	rr, err := Run(random)
	if err != nil {
		t.Fatal(err)
	}
	// 0.3 x 10 Gbit/s x 8 nodes over all 56 pairs of 0-7
	m, err := ParseMatrix("tm", []byte("0-7 0-7 24\n"))
	if err != nil {
		t.Fatal(err)
	}
	matrix := flowConfig(t, PatternMatrix, nodes, sizes, 0.3, 20*sim.Millisecond)
	matrix.Workload.Matrix = m
	matrix.FlowLog = true
	mr, err := Run(matrix)
	if err != nil {
		t.Fatal(err)
	}
	if mr.FlowsStarted != rr.FlowsStarted || mr.OfferedMbps != rr.OfferedMbps {
		t.Errorf("matrix: %d flows, %g Mbit/s offered; random: %d, %g", mr.FlowsStarted, mr.OfferedMbps, rr.FlowsStarted, rr.OfferedMbps)
	}
	count := map[[2]int]float64{}
	for i := range mr.FlowLog["src_node"] {
		count[[2]int{int(mr.FlowLog["src_node"][i]), int(mr.FlowLog["dst_node"][i])}]++
	}
	for src := range nodes {
		var row []float64
		total := 0.0
		for dst := range nodes {
			if dst != src {
				row = append(row, count[[2]int{src, dst}])
				total += count[[2]int{src, dst}]
			}
		}
		chi := 0.0
		for _, k := range row {
			e := total / float64(len(row))
			chi += (k - e) * (k - e) / e
		}
		if total < 300 || chi > 24.32 { // 6 degrees of freedom, p = 0.0005 (8 rows tested)
			t.Errorf("node %d: destinations %v, chi-square %.2f", src, row, chi)
		}
	}
}

// Windows cut the run into phases at their ends; in each, a sender's rate
// and destinations are those of its lines on then, and a sender without a
// line on sends nothing. The mean rate weighs each line by its window's
// part of the run.
func TestMatrixPhases(t *testing.T) {
	m, err := ParseMatrix("tm", []byte("0 1 2\n0 2 4 10ms 20ms\n1 0 3 15ms\n2 3 1 0s 5ms\n"))
	if err != nil {
		t.Fatal(err)
	}
	ms := sim.Millisecond
	if got, want := m.MeanGbps(30*ms), 2+4.0/3+1.5+1.0/6; math.Abs(got-want) > 1e-12 {
		t.Errorf("mean over 30 ms %g Gbit/s, want %g", got, want)
	}
	if got := m.MeanGbps(5 * ms); got != 3 {
		t.Errorf("mean over 5 ms %g Gbit/s, want 3", got)
	}
	s := m.sources(1e9/8, 1) // 1 flow a second per Gbit/s
	if want := []sim.Time{0, 5 * ms, 10 * ms, 15 * ms, 20 * ms}; !slices.Equal(s.starts, want) {
		t.Fatalf("phases at %v, want %v", s.starts, want)
	}
	if !slices.Equal(s.nodes, []int{0, 1, 2}) {
		t.Fatalf("senders %v", s.nodes)
	}
	want := [][]float64{{2, 0, 1}, {2, 0, 0}, {6, 0, 0}, {6, 3, 0}, {2, 3, 0}} // by phase, then sender
	for k, p := range s.phases {
		if !slices.Equal(p.rate, want[k]) {
			t.Errorf("phase %d: rates %v, want %v", k, p.rate, want[k])
		}
	}
	// node 0 between 10 and 20 ms: to 1 a third of its flows, to 2 the rest
	if a, _ := s.pick(2, 0, 0.33); a != 1 {
		t.Errorf("phase 2 picks %d at u = 0.33, want 1", a)
	}
	if b, _ := s.pick(2, 0, 0.34); b != 2 {
		t.Errorf("phase 2 picks %d at u = 0.34, want 2", b)
	}
}

// next draws within a phase, and past its end again from there at the
// next phase's rate: a sender idle until 15 ms arrives first after it,
// and an arrival is never at a later phase's start.
func TestMatrixNext(t *testing.T) {
	m, err := ParseMatrix("tm", []byte("0 1 2\n1 0 3 15ms 16ms\n"))
	if err != nil {
		t.Fatal(err)
	}
	ms := sim.Millisecond
	s := m.sources(1e3, 1) // 375,000 flows a second from node 1 within its window
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		at, k, ok := s.next(1, 0, 40*ms, rng)
		if !ok || at < 15*ms || at >= 16*ms || k != 1 {
			t.Fatalf("node 1's arrival at %v in phase %d (%v), want one in [15, 16) ms, phase 1", at, k, ok)
		}
	}
	if _, _, ok := s.next(1, 16*ms, 40*ms, rng); ok {
		t.Error("node 1 arrives after its window")
	}
	if _, _, ok := s.next(1, 0, 15*ms, rng); ok {
		t.Error("node 1 arrives in a run ending as its window starts")
	}
	// a phase's end is reached exactly: the next arrival is not at it
	if at, k, ok := s.next(1, 16*ms-1, 40*ms, rng); ok && (at >= 16*ms || k != 1) {
		t.Errorf("arrival at %v in phase %d from 1 ps before the window's end", at, k)
	}
}

// A run with windowed lines starts each pair's flows inside its windows
// only, at each window's rate (constant sizes: Poisson counts, 4 standard
// deviations); a window past the run's end leaves the process as it was
// without one, draw for draw.
func TestMatrixWindowsRun(t *testing.T) {
	const size = 50_000 // 2,500 flows a second per Gbit/s
	d := 30 * sim.Millisecond
	m, err := ParseMatrix("tm", []byte("0 1 2\n0 3 1 0s 10ms\n0 3 8 10ms\n1 0 3 15ms\n2 3 1 0s 5ms\n3 2 6 12ms 18ms\n"))
	if err != nil {
		t.Fatal(err)
	}
	type window struct {
		src, dst int
		from, to float64 // seconds
	}
	want := map[window]float64{ // flows
		{0, 1, 0, 0.03}:      2 * 2500 * 0.03,
		{0, 3, 0, 0.01}:      1 * 2500 * 0.01,
		{0, 3, 0.01, 0.03}:   8 * 2500 * 0.02,
		{1, 0, 0.015, 0.03}:  3 * 2500 * 0.015,
		{2, 3, 0, 0.005}:     1 * 2500 * 0.005,
		{3, 2, 0.012, 0.018}: 6 * 2500 * 0.006,
	}
	cfg := flowConfig(t, PatternMatrix, 4, constSizes(t, size), 0.3, d)
	cfg.Cluster.Fabric = network.Fabric{Kind: network.FabricSwitch, BufferBytes: 1 << 20}
	cfg.Workload.Matrix = m
	cfg.FlowLog = true
	r, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := map[window]float64{}
	log := r.FlowLog
next:
	for i := range log["src_node"] {
		src, dst, at := int(log["src_node"][i]), int(log["dst_node"][i]), log["start_s"][i]
		for w := range want {
			if w.src == src && w.dst == dst && at >= w.from && at < w.to {
				got[w]++
				continue next
			}
		}
		t.Errorf("a flow %d -> %d at %g s, in no window of the pair", src, dst, at)
	}
	for w, k := range want {
		if math.Abs(got[w]-k) > 4*math.Sqrt(k) {
			t.Errorf("%+v: %g flows, want %.0f ± %.0f", w, got[w], k, 4*math.Sqrt(k))
		}
	}
	// fct_us_by_phase: the completed flows by the phase they started in
	names := []string{"0ms-5ms", "5ms-10ms", "10ms-12ms", "12ms-15ms", "15ms-18ms", "18ms-"}
	if !slices.Equal(r.Phases, names) || len(r.FCTByPhase) != len(names) || !slices.Contains(r.Applies, "fct_us_by_phase") {
		t.Fatalf("phases %v (%d stats), want %v", r.Phases, len(r.FCTByPhase), names)
	}
	bounds := []float64{0, 0.005, 0.01, 0.012, 0.015, 0.018, math.Inf(1)}
	for k, st := range r.FCTByPhase {
		var fcts []float64
		for i, at := range log["start_s"] {
			if f := log["fct_us"][i]; f >= 0 && at >= bounds[k] && at < bounds[k+1] {
				fcts = append(fcts, f)
			}
		}
		if w := summarise(fcts); st.N != w.N || st.N == 0 || math.Abs(st.Mean/w.Mean-1) > 1e-9 || math.Abs(st.P99/w.P99-1) > 1e-9 {
			t.Errorf("phase %s: %+v, the flow log's %+v", names[k], st, w)
		}
	}

	// the same lines with windows ending after the run: the same flows
	plain, err := ParseMatrix("tm", []byte("0 1 2\n0 3 8\n"))
	if err != nil {
		t.Fatal(err)
	}
	late, err := ParseMatrix("tm", []byte("0 1 2 0s 1h\n0 3 8 0s 31ms\n"))
	if err != nil {
		t.Fatal(err)
	}
	var res [2]Result
	for i, mm := range []*Matrix{plain, late} {
		c := flowConfig(t, PatternMatrix, 4, constSizes(t, size), 0.3, d)
		c.Workload.Matrix = mm
		if res[i], err = Run(c); err != nil {
			t.Fatal(err)
		}
	}
	if res[0].FlowsStarted != res[1].FlowsStarted || res[0].OfferedMbps != res[1].OfferedMbps || res[0].FlowsCompleted != res[1].FlowsCompleted {
		t.Errorf("windows past the run: %d flows, %g Mbit/s, %d completed; without: %d, %g, %d",
			res[1].FlowsStarted, res[1].OfferedMbps, res[1].FlowsCompleted, res[0].FlowsStarted, res[0].OfferedMbps, res[0].FlowsCompleted)
	}

	// a matrix whose every window starts after the run is refused
	after, err := ParseMatrix("tm", []byte("0 1 2 30ms\n"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Workload.Matrix = after
	if _, err := Run(cfg); err == nil || !strings.Contains(err.Error(), "offers nothing within the run (duration 30ms)") {
		t.Errorf("a matrix after the run: error %v", err)
	}
}

// Phase names are whole milli-, micro- or nanoseconds: no dot, which
// separates a metric from its member.
func TestSpanTime(t *testing.T) {
	for _, c := range []struct {
		t    sim.Time
		want string
	}{{0, "0ms"}, {1500 * sim.Microsecond, "1500us"}, {2 * sim.Second, "2000ms"}, {7 * sim.Nanosecond, "7ns"}, {3, "3ps"}} {
		if got := spanTime(c.t); got != c.want {
			t.Errorf("%d ps: %q, want %q", c.t, got, c.want)
		}
	}
}

// Lines may name traffic classes: the classes in the order first named,
// after "other" for the lines naming none; the same pair in two classes
// at once adds; pick gives each arrival its line's class, in proportion
// to the lines' rates (chi-square).
func TestMatrixClasses(t *testing.T) {
	m, err := ParseMatrix("tm", []byte("0 1 1 class=app\n0 1 3 class=backup\n1 0 2\n0 2 4 0s 10ms class=app\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.Classes, []string{"other", "app", "backup"}) {
		t.Fatalf("classes %v", m.Classes)
	}
	for i, want := range []int16{1, 2, 0, 1} {
		if m.Entries[i].Class != want {
			t.Errorf("line %d: class %d, want %d", i+1, m.Entries[i].Class, want)
		}
	}
	plain, err := ParseMatrix("tm", []byte("0 1 4\n"))
	if err != nil || plain.Classes != nil {
		t.Fatalf("no class named: %v, %v", plain.Classes, err)
	}
	s := m.sources(1e9/8, 1)
	rng := rand.New(rand.NewPCG(7, 8))
	const draws = 10_000
	got := map[[2]int]float64{} // (destination, class)
	for range draws {
		d, c := s.pick(1, 0, rng.Float64()) // after 10 ms: node 0 to 1 as app (1) and backup (3)
		got[[2]int{d, int(c)}]++
	}
	want := map[[2]int]float64{{1, 1}: 0.25, {1, 2}: 0.75}
	chi := 0.0
	for k, p := range want {
		e := p * draws
		chi += (got[k] - e) * (got[k] - e) / e
		delete(got, k)
	}
	if len(got) > 0 || chi > 10.83 {
		t.Errorf("node 0's draws: %v beyond %v, chi-square %.2f", got, want, chi)
	}
	if d, c := s.pick(0, 1, 0.5); d != 0 || c != 0 {
		t.Errorf("node 1: %d as class %d, want 0 as other", d, c)
	}
}

// A run reports the FCTs of each class's flows, as the flow log has them
// by pair (each pair one class here), and the draws are the ones without
// classes: the same flows.
func TestMatrixClassesRun(t *testing.T) {
	run := func(text string) Result {
		m, err := ParseMatrix("tm", []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		cfg := flowConfig(t, PatternMatrix, 4, constSizes(t, 20_000), 0.3, 20*sim.Millisecond)
		cfg.Workload.Matrix = m
		cfg.FlowLog = true
		r, err := Run(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := run("0 1 2 class=app\n2 3 4 class=batch\n1 0 1\n")
	plain := run("0 1 2\n2 3 4\n1 0 1\n")
	if r.FlowsStarted != plain.FlowsStarted || r.OfferedMbps != plain.OfferedMbps || slices.Contains(plain.Applies, "fct_us_by_class") {
		t.Errorf("classes changed the run: %d flows, %g Mbit/s; without: %d, %g", r.FlowsStarted, r.OfferedMbps, plain.FlowsStarted, plain.OfferedMbps)
	}
	if !slices.Equal(r.Classes, []string{"other", "app", "batch"}) || !slices.Contains(r.Applies, "fct_us_by_class") {
		t.Fatalf("classes %v, applies %v", r.Classes, r.Applies)
	}
	class := map[[2]int]int{{1, 0}: 0, {0, 1}: 1, {2, 3}: 2}
	parts, open := make([][]float64, 3), make([]int, 3)
	log := r.FlowLog
	for i := range log["src_node"] {
		k := class[[2]int{int(log["src_node"][i]), int(log["dst_node"][i])}]
		if f := log["fct_us"][i]; f >= 0 {
			parts[k] = append(parts[k], f)
		} else {
			open[k]++
		}
	}
	for k, st := range r.FCTByClass {
		if w := summarise(parts[k]); st.N != w.N || st.N == 0 || math.Abs(st.Mean/w.Mean-1) > 1e-9 || math.Abs(st.P99/w.P99-1) > 1e-9 || st.Open != open[k] {
			t.Errorf("class %s: %+v, the flow log's %+v and %d open", r.Classes[k], st, w, open[k])
		}
	}

	// with windows too: each phase, then each class within each phase,
	// whose counts add up to the phase's; a class off in a phase has none
	w := run("0 1 2 class=app\n2 3 4 0s 10ms class=batch\n1 0 1\n")
	names := []string{"0ms-10ms", "10ms-", "0ms-10ms_other", "0ms-10ms_app", "0ms-10ms_batch", "10ms-_other", "10ms-_app", "10ms-_batch"}
	if !slices.Equal(w.Phases, names) || len(w.FCTByPhase) != len(names) {
		t.Fatalf("phases %v", w.Phases)
	}
	open2 := 0
	for k := range 2 {
		n, o := 0, 0
		for c := range 3 {
			n += w.FCTByPhase[2+3*k+c].N
			o += w.FCTByPhase[2+3*k+c].Open
		}
		if n != w.FCTByPhase[k].N || n == 0 || o != w.FCTByPhase[k].Open {
			t.Errorf("phase %s: %d flows and %d open, its classes %d and %d", names[k], w.FCTByPhase[k].N, w.FCTByPhase[k].Open, n, o)
		}
		open2 += o
	}
	if open2 != int(w.FlowsCensored) || open2 == 0 {
		t.Errorf("%d open by phase, %d censored: want the same, some", open2, w.FlowsCensored)
	}
	if st := w.FCTByPhase[7]; st.N != 0 {
		t.Errorf("batch after its window: %+v", st)
	}
}
