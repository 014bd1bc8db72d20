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
	want := []MatrixEntry{{0, 0, 1, 1, 4, 2}, {2, 2, 0, 0, 1.5, 4}, {1, 1, 2, 2, 0, 5}, {0, 3, 4, 7, 8, 6}, {0, 3, 0, 3, 2, 7}}
	if len(m.Entries) != len(want) {
		t.Fatalf("%d entries, want %d", len(m.Entries), len(want))
	}
	for i, e := range m.Entries {
		if e != want[i] {
			t.Errorf("entry %d: %+v, want %+v", i, e, want[i])
		}
	}
	if m.TotalGbps() != 15.5 {
		t.Errorf("total %g Gbit/s, want 15.5", m.TotalGbps())
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
	for _, tc := range []struct{ in, want string }{
		{"", "tm: no line offers traffic"},
		{"0 1 0\n", "tm: no line offers traffic"},
		{"0 1\n", `tm:1: want "src dst gbps" (a node or a range of nodes a-b each), got "0 1"`},
		{"0 1 2 3\n", `tm:1: want "src dst gbps"`},
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
		if want := 2 * gbps * 1e9 / 8 / 1e6; math.Abs(s.rate[i]-want) > 1e-9*want {
			t.Errorf("sender %d: %g flows/s, want %g", s.nodes[i], s.rate[i], want)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const draws = 10_000
	critical := []float64{0, 10.83, 13.82, 16.27} // chi-square at p = 0.001 by degrees of freedom
	third := 1.0 / 3
	for i, want := range []map[int]float64{{2: 0.25, 1: 0.75}, {0: 0.25, 2: 0.75}, {4: third, 6: third, 7: third}, {4: third, 5: third, 7: third}} {
		got := map[int]float64{}
		for range draws {
			got[s.pick(i, rng.Float64())]++
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
		if got := s.pick(c.i, c.u); got != c.want {
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
	for _, s := range []string{"0 1 4\n2,0,1.5\n", "# c\n\n1 0 0.5 # x\n", "0 1 0\n1 0 1e-9", "5 6 1e5\n", "0-3 4-7 8\n2-5 0-9 1\n", "7-8 8 3\n"} {
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
		if tot := m.TotalGbps(); !(tot > 0) || math.IsInf(tot, 0) {
			t.Fatalf("total %v", tot)
		}
		s := m.sources(1000, 1)
		rng := rand.New(rand.NewPCG(1, 2))
		for i, n := range s.nodes {
			if !(s.rate[i] > 0) {
				t.Fatalf("sender %d at rate %v", n, s.rate[i])
			}
			for range 10 {
				if d := s.pick(i, rng.Float64()); d == n || d < 0 || d > MaxMatrixNode {
					t.Fatalf("sender %d picked %d", n, d)
				}
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
