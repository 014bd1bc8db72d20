package simulate

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/scenario"
)

// A traffic matrix file is read relative to the scenario file, offers
// what it lists (offered_mbps within sampling error of the matrix's 3
// Gbit/s: constant sizes, so the Poisson count bounds it), and a bad
// line is named with the key, the file and the line.
func TestMatrixScenario(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tm.txt"), []byte("# src dst gbps\n0 1 2\n2 1 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := `name = "tm"
replications = 1
duration = "100ms"
warmup = "0s"
[cluster]
nodes = 3
[fabric]
kind = "switch"
[workload]
pattern = "matrix"
matrix = "tm.txt"
flow_sizes = "constant:100000"
`
	p, err := scenario.Load(filepath.Join(dir, "s.toml"), []byte(src), scenario.Options{PathsFromFile: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Base.Workload.Matrix; got != filepath.Join(dir, "tm.txt") {
		t.Errorf("matrix %q, want it beside the scenario file", got)
	}
	s, err := Run(context.Background(), p.Base, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	flows := 3e9 / 8 / 100_000 * 0.1 // 375 expected
	got := s.Scalars[results.OfferedMbps] * 1e6 / 8 * 0.1 / 100_000
	if math.Abs(got-flows) > 4*math.Sqrt(flows) {
		t.Errorf("offered %.0f Mbit/s: %.0f flows, want %.0f ± %.0f", s.Scalars[results.OfferedMbps], got, flows, 4*math.Sqrt(flows))
	}
	if err := os.WriteFile(filepath.Join(dir, "tm.txt"), []byte("0 1 2\n2 3 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), p.Base, 0, 1)
	if err == nil || !strings.Contains(err.Error(), "workload.matrix") || !strings.Contains(err.Error(), "tm.txt:2: node 3: the cluster has nodes 0..2") {
		t.Errorf("a node the cluster lacks: %v", err)
	}
}

func TestMatrixWarnings(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ src, want string }{
		{"[cluster]\nnodes = 4\n[workload]\npattern = \"random\"\nflow_sizes = \"websearch\"\nmatrix = \"tm.txt\"\n",
			"workload.matrix and workload.matrix_scale have no effect with workload.pattern = random (they apply to matrix)"},
		{"[cluster]\nnodes = 4\n[workload]\npattern = \"matrix\"\nflow_sizes = \"websearch\"\nmatrix = \"tm.txt\"\nload = 0.5\n",
			"workload.load has no effect with workload.pattern = matrix (the matrix gives each pair's rate: scale it with workload.matrix_scale)"},
		{"[cluster]\nnodes = 4\n[workload]\npattern = \"matrix\"\nflow_sizes = \"websearch\"\nmatrix = \"tm.txt\"\nmatrix_scale = 2\n", ""},
	} {
		got := strings.Join(Warnings(loadScenario(t, "name = \"w\"\n"+c.src)), "\n")
		if got != c.want {
			t.Errorf("%q: warnings %q, want %q", c.src, got, c.want)
		}
	}
}
