package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sim "github.com/cnisim/cnisim/experiments/simulate"
)

// determinismScenario sweeps two workloads over two datapaths with the real
// simulator: short runs, but each replication carries TCP handshakes,
// congestion control, RSS and the per-stage accounting.
const determinismScenario = `name = "determinism"
seed = 42
replications = 2
duration = "30ms"
warmup = "5ms"

[cluster]
nodes = 2
cores_per_node = 4

[cni]
plugin = "flannel"

[workload]
kind = "tcp_stream"
streams = 2

[sweep]
"workload.kind" = ["tcp_stream", "tcp_rr"]
"cni.mode" = ["vxlan", "host-gw"]
`

// withRealSimulator makes sure run uses the packet-level simulator (other
// tests swap in fakes).
func withRealSimulator(t *testing.T) {
	t.Helper()
	oldSim, oldVal := simulate, validateScenario
	simulate, validateScenario = sim.Model, sim.Validate
	t.Cleanup(func() { simulate, validateScenario = oldSim, oldVal })
}

// The same scenario and seed give byte-identical results.json across runs,
// across --parallel 1, 2 and 8 and with --progress, with the real simulator.
func TestDeterminismRealSimulator(t *testing.T) {
	withRealSimulator(t)
	dir := t.TempDir()
	sc := filepath.Join(dir, "det.toml")
	if err := os.WriteFile(sc, []byte(determinismScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	runOnce := func(name string, args ...string) []byte {
		t.Helper()
		out := filepath.Join(dir, name)
		code, _, stderr := cli(append([]string{"run", sc, "--out", out}, args...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, stderr)
		}
		b, err := os.ReadFile(filepath.Join(out, "results.json"))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	first := runOnce("p1", "--parallel", "1")
	// Guard against a vacuous pass: every point measured something.
	for _, w := range []string{`"throughput_mbps"`, `"transactions_per_s"`, `"cni.mode": "host-gw"`, `"workload.kind": "tcp_rr"`} {
		if !bytes.Contains(first, []byte(w)) {
			t.Fatalf("results lack %s:\n%s", w, first)
		}
	}
	for i, p := range []string{"1", "2", "8"} {
		got := runOnce(fmt.Sprintf("again%d", i), "--parallel", p)
		if !bytes.Equal(got, first) {
			t.Errorf("--parallel %s: results.json differs from the first run:\n%s", p, firstDiff(first, got))
		}
	}
	// the progress bar reads the engines' clocks as they run: no effect
	if got := runOnce("progress", "--parallel", "2", "--progress"); !bytes.Equal(got, first) {
		t.Errorf("--progress: results.json differs from the first run:\n%s", firstDiff(first, got))
	}
	// Another seed gives other numbers: the seed reaches the model.
	if other := runOnce("seed", "--seed", "43"); bytes.Equal(other, first) {
		t.Error("--seed 43 gave the same results as seed 42")
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d lines", len(la), len(lb))
}

// An experiment's points equal, metric for metric and byte for byte, the
// points of `run` on the scenario files the experiment wrote.
func TestExperimentMatchesRun(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs an experiment and its scenario with the real simulator (~2 s)")
	}
	const name = "paper-fig6" // two small scenarios in the quick form
	if _, ok := commands["experiment"]; !ok {
		t.Skip("no experiment command in this build")
	}
	if _, out, _ := cli("list", "experiments"); !strings.Contains(out, name+" ") {
		t.Skipf("no experiment %s", name)
	}
	withRealSimulator(t)
	dir := t.TempDir()
	exp := filepath.Join(dir, "exp")
	if code, _, stderr := cli("experiment", name, "--quick", "--out", exp, "--parallel", "2"); code != 0 {
		t.Fatalf("experiment: exit %d: %s", code, stderr)
	}
	expPoints := readPoints(t, filepath.Join(exp, "results.json"))
	files, _ := filepath.Glob(filepath.Join(exp, "scenarios", "*.toml"))
	if len(files) == 0 {
		t.Fatal("the experiment wrote no scenario files")
	}
	matched := 0
	for i, sc := range files {
		out := filepath.Join(dir, fmt.Sprint("run", i))
		if code, _, stderr := cli("run", sc, "--out", out, "--parallel", "1"); code != 0 {
			t.Fatalf("run %s: exit %d: %s", sc, code, stderr)
		}
		for key, metrics := range readPoints(t, filepath.Join(out, "results.json")) {
			got, ok := expPoints[key]
			if !ok {
				t.Errorf("%s: point %s not in the experiment's results", filepath.Base(sc), key)
				continue
			}
			matched++
			if got != metrics {
				t.Errorf("%s: point %s differs between experiment and run:\n%s", filepath.Base(sc), key, firstDiff([]byte(got), []byte(metrics)))
			}
		}
	}
	if matched != len(expPoints) {
		t.Errorf("matched %d of the experiment's %d points", matched, len(expPoints))
	}
}

// readPoints maps each point of a results.json, keyed by its scenario name
// and parameters (the experiment's "scenario" parameter or the file's
// name), to its metrics as compact JSON.
func readPoints(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Scenario string `json:"scenario"`
		Points   []struct {
			Params  json.RawMessage `json:"params"`
			Metrics json.RawMessage `json:"metrics"`
		} `json:"points"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, p := range res.Points {
		var params map[string]any
		if err := json.Unmarshal(p.Params, &params); err != nil {
			t.Fatal(err)
		}
		scen := res.Scenario
		if s, ok := params["scenario"].(string); ok {
			scen = s
			delete(params, "scenario")
		}
		key, _ := json.Marshal(params) // sorted keys
		var m bytes.Buffer
		if err := json.Compact(&m, p.Metrics); err != nil {
			t.Fatal(err)
		}
		out[scen+" "+string(key)] = m.String()
	}
	return out
}
