package scenario

import (
	"path/filepath"
	"strings"
	"testing"
)

// The cluster-traffic keys: bounds, combinations and where errors point.
func TestTrafficKeys(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"[workload]\npattern = \"ring\"\n", "s.toml:2: workload.pattern = \"ring\": not allowed (allowed: pairs, permutation, all-to-all, incast, random, matrix, none)"},
		{"[workload]\nquery_rate = -1\n", "s.toml:2: workload.query_rate = -1.0: out of range (allowed: 0..1e+07)"},
		{"[workload]\nquery_bytes = 0\n", "s.toml:2: workload.query_bytes = 0: out of range (allowed: 1..1000000000)"},
		{"[workload]\nquery_rate = 10\nquery_fanin = 2\n", "s.toml:3: workload.query_fanin = 2: must be at most cluster.nodes - 1 = 1"},
		{"[workload]\nquery_from = \"-1ms\"\n", "s.toml:2: workload.query_from = \"-1ms\": must be >= 0"},
		{"[workload]\nmeasure_until = \"-1ms\"\n", "s.toml:2: workload.measure_until = \"-1ms\": must be >= 0"},
		{"warmup = \"1s\"\n[workload]\nmeasure_until = \"1s\"\n", "s.toml:3: workload.measure_until = \"1s\": must be 0 (the run's end) or after warmup (1s) and at most duration (10s)"},
		{"[workload]\nmeasure_until = \"11s\"\n", "s.toml:2: workload.measure_until = \"11s\": must be 0 (the run's end) or after warmup (1s) and at most duration (10s)"},
		{"[workload]\nquery_from = \"5ms\"\nquery_until = \"5ms\"\n", "s.toml:3: workload.query_until = \"5ms\": must be 0 (the run's end) or later than query_from = 5ms"},
		{"[workload]\nquery_rate = 10\nkind = \"tcp_rr\"\n", "workload.query_rate = 10.0: queries need workload.kind = tcp_stream (it is tcp_rr)"},
		{"[workload]\npattern = \"none\"\n", "workload.pattern = \"none\": none runs only the queries: it needs workload.query_rate > 0 and no workload.flow_sizes"},
		{"[workload]\npods_per_node = 0\n", "s.toml:2: workload.pods_per_node = 0: out of range (allowed: 1..1000)"},
		{"[workload]\nload = 1.5\n", "s.toml:2: workload.load = 1.5: out of range (allowed: 0.0001..1)"},
		{"[workload]\nload = 0\n", "workload.load = 0.0: out of range"},
		{"[workload]\nincast_senders = 2\n", "s.toml:2: workload.incast_senders = 2: must be at most cluster.nodes - 1 = 1"},
		{"[workload]\npattern = \"incast\"\nkind = \"tcp_rr\"\n", "workload.pattern = \"incast\": incast needs workload.kind = tcp_stream (it is tcp_rr)"},
		{"[cluster]\nnodes = 4\n[workload]\npattern = \"permutation\"\nplacement = \"intra\"\n", "permutation needs workload.placement = inter"},
		{"[workload]\nflow_sizes = \"websearch\"\nkind = \"udp_stream\"\n", "workload.flow_sizes = \"websearch\": a finite-flow workload needs workload.kind = tcp_stream"},
		{"[cluster]\nnodes = 10000\n[workload]\npattern = \"all-to-all\"\npods_per_node = 2\n", "all-to-all places 2e+08 long-lived flows (cluster.nodes 10000, pods_per_node 2, streams 1), more than the bound 1000000"},
		{"[workload]\nrack_local = 1.5\n", "s.toml:2: workload.rack_local = 1.5: must be -1 (every other node equally likely) or a fraction in [0, 1], got 1.5"},
		{"[workload]\nrack_local = -0.5\n", "workload.rack_local = -0.5: must be -1"},
		{"[cluster]\nnodes = 8\n[workload]\npattern = \"random\"\nflow_sizes = \"websearch\"\nrack_local = 0.5\n", "s.toml:6: workload.rack_local = 0.5: needs fabric.kind = leaf-spine: its leaves are the racks (the fabric is \"none\")"},
		{"[cluster]\nnodes = 8\n[fabric]\nkind = \"leaf-spine\"\nleaves = 8\nspines = 2\n[workload]\npattern = \"random\"\nflow_sizes = \"websearch\"\nrack_local = 0.5\n", "workload.rack_local = 0.5: 0.5 needs at least 2 nodes per leaf for rack-local flows (fabric.nodes_per_leaf 1)"},
		{"[cluster]\nnodes = 8\n[fabric]\nkind = \"leaf-spine\"\nleaves = 1\nspines = 2\n[workload]\npattern = \"random\"\nflow_sizes = \"websearch\"\nrack_local = 0.5\n", "workload.rack_local = 0.5: 0.5 needs at least 2 leaves for flows that leave the rack (fabric.leaves 1)"},
		{"[cluster]\nnodes = 4\n[workload]\npattern = \"matrix\"\nflow_sizes = \"websearch\"\n", "s.toml:3: workload.matrix = \"\": the matrix pattern needs a traffic matrix file"},
		{"[cluster]\nnodes = 4\n[workload]\npattern = \"matrix\"\nmatrix = \"tm.txt\"\n", "s.toml:4: workload.pattern = \"matrix\": matrix offers rates of finite flows: it needs workload.flow_sizes"},
		{"[workload]\nmatrix_scale = 0\n", "s.toml:2: workload.matrix_scale = 0.0: must be in (0, 1000]"},
		{"[workload]\nmatrix_scale = 1001\n", "workload.matrix_scale = 1001.0: must be in (0, 1000]"},
	} {
		_, err := Load("s.toml", []byte(c.text), Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n got %v\nwant %q", c.text, err, c.want)
		}
	}
	for _, ok := range []string{
		"[cluster]\nnodes = 16\n[workload]\npattern = \"none\"\nquery_rate = 1000\nquery_fanin = 15\nquery_bytes = 20000\n",
		"[cluster]\nnodes = 16\n[workload]\npattern = \"random\"\nflow_sizes = \"websearch\"\nquery_rate = 1000\n",
		"[cluster]\nnodes = 8\n[fabric]\nkind = \"leaf-spine\"\nleaves = 2\nspines = 2\n[workload]\npattern = \"random\"\nflow_sizes = \"websearch\"\nrack_local = 1\n",
		"[cluster]\nnodes = 8\n[fabric]\nkind = \"leaf-spine\"\nleaves = 1\nspines = 2\n[workload]\npattern = \"random\"\nflow_sizes = \"websearch\"\nrack_local = 1\n",
		"[workload]\npattern = \"permutation\"\nrack_local = 0.5\n",                                                                      // no effect: simulate warns
		"[cluster]\nnodes = 4\n[workload]\npattern = \"matrix\"\nmatrix = \"tm.txt\"\nflow_sizes = \"websearch\"\nmatrix_scale = 1000\n", // the file is read by simulate
	} {
		if _, err := Load("s.toml", []byte(ok), Options{}); err != nil {
			t.Error(err)
		}
	}
	ok := "[cluster]\nnodes = 64\n[workload]\npattern = \"incast\"\nincast_senders = 63\npods_per_node = 40\nflow_sizes = \"datamining\"\nload = 0.5\n"
	if _, err := Load("s.toml", []byte(ok), Options{}); err != nil {
		t.Error(err)
	}
}

// A flow_sizes file resolves against the scenario's directory, in the
// base and in the sweep; built-in names and constant sizes stay.
func TestFlowSizesPathFromFile(t *testing.T) {
	text := "[workload]\nflow_sizes = \"cdf/my.cdf\"\n[sweep]\n\"workload.flow_sizes\" = [\"websearch\", \"other.cdf\", \"constant:1000\"]\n"
	p, err := Load(filepath.Join("dir", "s.toml"), []byte(text), Options{PathsFromFile: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Point(0).Scenario.Workload.FlowSizes; got != "websearch" {
		t.Errorf("point 0: %q", got)
	}
	if got := p.Point(1).Scenario.Workload.FlowSizes; got != filepath.Join("dir", "other.cdf") {
		t.Errorf("point 1: %q", got)
	}
	if got := p.Point(2).Scenario.Workload.FlowSizes; got != "constant:1000" {
		t.Errorf("point 2: %q", got)
	}
	text = "[workload]\nflow_sizes = \"cdf/my.cdf\"\n"
	p, err = Load(filepath.Join("dir", "s.toml"), []byte(text), Options{PathsFromFile: true})
	if err != nil || p.Base.Workload.FlowSizes != filepath.Join("dir", "cdf", "my.cdf") {
		t.Errorf("base: %v %v", p, err)
	}
}

// A traffic matrix file is read relative to the scenario file, in the
// base and in the sweep; absolute paths stay.
func TestMatrixPathFromFile(t *testing.T) {
	abs := filepath.Join(string(filepath.Separator), "m", "abs.tm")
	text := "[cluster]\nnodes = 4\n[workload]\npattern = \"matrix\"\nflow_sizes = \"websearch\"\nmatrix = \"tm/day.tm\"\n[sweep]\n\"workload.matrix\" = [\"night.tm\", \"" + abs + "\"]\n"
	p, err := Load(filepath.Join("dir", "s.toml"), []byte(text), Options{PathsFromFile: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Base.Workload.Matrix; got != filepath.Join("dir", "tm", "day.tm") {
		t.Errorf("base: %q", got)
	}
	if got := p.Point(0).Scenario.Workload.Matrix; got != filepath.Join("dir", "night.tm") {
		t.Errorf("point 0: %q", got)
	}
	if got := p.Point(1).Scenario.Workload.Matrix; got != abs {
		t.Errorf("point 1: %q", got)
	}
}
