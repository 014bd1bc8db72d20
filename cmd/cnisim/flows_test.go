package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// flowLogScenario: two points, two replications of web-search flows
// between random pods on four nodes behind one switch.
const flowLogScenario = `name = "flowlog"
seed = 3
replications = 2
duration = "20ms"
warmup = "4ms"
flow_log = true

[cluster]
nodes = 4
cores_per_node = 4

[fabric]
kind = "switch"

[cni]
plugin = "flannel"

[workload]
kind = "tcp_stream"
pattern = "random"
pods_per_node = 4
flow_sizes = "websearch"
load = 0.3

[sweep]
"cni.mode" = ["vxlan", "host-gw"]
`

// TestFlowLogFile: flow_log = true writes flows.csv beside the results, a
// row per flow started after the warm-up in unit order, the same bytes
// whatever --parallel and when merged from shards; each replication's
// finished rows average to the FCT results.csv reports; without --out a
// warning says where it would go.
func TestFlowLogFile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the simulator")
	}
	withRealSimulator(t)
	dir, sc, first := writtenThreeWays(t, flowLogScenario, "flows.csv")
	if code, _, stderr := cli("run", sc, "--reps", "1"); code != 0 || !strings.Contains(stderr, "the flow log (") || !strings.Contains(stderr, "DIR/flows.csv") {
		t.Errorf("without --out: exit %d, stderr %s", code, stderr)
	}

	// the figure: a PNG, the same bytes from the shards and --parallel 2
	fig := readOutFile(t, filepath.Join(dir, "p1"), "fct.png")
	if !bytes.Equal(readOutFile(t, filepath.Join(dir, "merged"), "fct.png"), fig) || !bytes.Equal(readOutFile(t, filepath.Join(dir, "p2"), "fct.png"), fig) {
		t.Error("fct.png differs between the runs")
	}
	if _, err := png.DecodeConfig(bytes.NewReader(fig)); err != nil {
		t.Errorf("fct.png: %v", err)
	}
	rows, err := csv.NewReader(bytes.NewReader(first)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := "param.cni.mode,replication,seed,src_node,dst_node,bytes,start_s,fct_us,slowdown,spine,spine_end,retransmissions,timeouts,syn_retransmissions,connect_us,query,loss_probes"
	if h := strings.Join(rows[0], ","); h != want {
		t.Fatalf("header %s, want %s", h, want)
	}
	f := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
	type unit struct {
		mode, rep string
	}
	sum, n := map[unit]float64{}, map[unit]int{}
	var unfinished int
	prev := unit{}
	for i, r := range rows[1:] {
		u := unit{r[0], r[1]}
		if i > 0 && u != prev && (u.mode == prev.mode && u.rep < prev.rep || u.mode != prev.mode && u.mode == "vxlan") {
			t.Fatalf("row %d: %v after %v: not in unit order", i+1, u, prev)
		}
		prev = u
		if s := f(r[6]); s < 0.004 || s > 0.02 {
			t.Errorf("row %d starts at %v s, outside [warm-up, duration]", i+1, s)
		}
		if r[7] != "" && (r[14] == "" || f(r[14]) > f(r[7])) {
			t.Errorf("row %d: finished in %s µs, connected in %q", i+1, r[7], r[14])
		}
		if r[7] == "" {
			if r[8] != "" {
				t.Errorf("row %d: unfinished with a slowdown %s", i+1, r[8])
			}
			unfinished++
			continue
		}
		if f(r[8]) < 1 || r[9] != "-1" {
			t.Errorf("row %d: slowdown %s, spine %s (one switch: -1)", i+1, r[8], r[9])
		}
		sum[u] += f(r[7])
		n[u]++
	}
	if unfinished == 0 || len(n) != 4 {
		t.Errorf("%d unfinished rows, %d units with finished ones: want some and 4", unfinished, len(n))
	}
	res := readOutFile(t, filepath.Join(dir, "p1"), "results.csv")
	rr, _ := csv.NewReader(bytes.NewReader(res)).ReadAll()
	col := map[string]int{}
	for i, h := range rr[0] {
		col[h] = i
	}
	for p, mode := range []string{"vxlan", "host-gw"} {
		var mean float64
		for _, rep := range []string{"0", "1"} {
			u := unit{mode, rep}
			mean += sum[u] / float64(n[u]) / 2
		}
		if got := f(rr[1+p][col["fct_us.mean"]]); math.Abs(mean/got-1) > 1e-9 {
			t.Errorf("%s: the log's FCTs average %.6f us, results %.6f", mode, mean, got)
		}
	}
}

// writtenThreeWays runs the scenario text three ways, --parallel 1 and 2
// and in three shards merged, checks that each writes file with the same
// bytes, and returns the directory (the first run's output is dir/p1),
// the scenario's path and the file.
func writtenThreeWays(t *testing.T, text, file string) (dir, sc string, first []byte) {
	t.Helper()
	dir = t.TempDir()
	sc = filepath.Join(dir, "s.toml")
	if err := os.WriteFile(sc, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	runTo := func(name string, args ...string) []byte {
		t.Helper()
		out := filepath.Join(dir, name)
		code, _, stderr := cli(append([]string{"run", sc, "--out", out}, args...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, stderr)
		}
		if !strings.Contains(stderr, file) {
			t.Errorf("%s: stderr does not name %s: %s", name, file, stderr)
		}
		return readOutFile(t, out, file)
	}
	first = runTo("p1", "--parallel", "1")
	if got := runTo("p2", "--parallel", "2"); !bytes.Equal(got, first) {
		t.Errorf("--parallel 2: %s differs:\n%s", file, firstDiff(first, got))
	}
	shards := filepath.Join(dir, "shards")
	for i := range 3 {
		if code, _, stderr := cli("run", sc, "--shard", fmt.Sprintf("%d/3", i), "--out", shards); code != 0 {
			t.Fatalf("shard %d: exit %d: %s", i, code, stderr)
		}
	}
	merged := filepath.Join(dir, "merged")
	if code, _, stderr := cli("merge", shards, "--out", merged); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	if got := readOutFile(t, merged, file); !bytes.Equal(got, first) {
		t.Errorf("merged %s differs:\n%s", file, firstDiff(first, got))
	}
	return dir, sc, first
}

// fileWriter returns a function that writes a test file of text into
// dir and returns its path.
func fileWriter(t *testing.T, dir string) func(name, text string) string {
	return func(name, text string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
}

// readOutFile reads file name of output directory out.
func readOutFile(t *testing.T, out, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
