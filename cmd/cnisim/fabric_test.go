package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// A leaf-spine sweep (three CNI modes, several nodes' ports) gives
// byte-identical results.json across --parallel 1 and 2, with its port
// metrics.
func TestFabricDeterminism(t *testing.T) {
	withRealSimulator(t)
	dir := t.TempDir()
	runOnce := func(name, parallel string) []byte {
		t.Helper()
		out := filepath.Join(dir, name)
		code, _, stderr := cli("run", "../../scenarios/fabric-ecmp.toml", "--out", out, "--parallel", parallel,
			"--set", "duration=30ms", "--set", "warmup=10ms", "--set", "fabric.buffer_bytes=300000")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, stderr)
		}
		b, err := os.ReadFile(filepath.Join(out, "results.json"))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	first := runOnce("p1", "1")
	for _, w := range []string{`"port_drops"`, `"port_queue_bytes"`, `"port_utilisation"`, `"leaf0.spine3"`, `"cni.mode": "ipip"`} {
		if !bytes.Contains(first, []byte(w)) {
			t.Fatalf("results lack %s", w)
		}
	}
	if got := runOnce("p2", "2"); !bytes.Equal(got, first) {
		t.Errorf("--parallel 2: results.json differs:\n%s", firstDiff(first, got))
	}
}

// The receivers' count of original segments that arrive after later ones
// (tcp_reordered) is zero where ECMP keeps each flow on one path, however
// much is lost (it caught a reordering the model once made itself: a
// socket's sends stamped out of order by the cores that decided them),
// and not zero where a link failure hashes every flow again (plain ECMP),
// while resilient hashing moves only the failed paths' flows, whose
// packets in flight are lost, not overtaken.
func TestFabricReordering(t *testing.T) {
	withRealSimulator(t)
	dir := t.TempDir()
	run := func(name string, args ...string) map[string]map[string]float64 {
		t.Helper()
		out := filepath.Join(dir, name)
		code, _, stderr := cli(append([]string{"run", "--out", out, "--reps", "1", "--parallel", "2"}, args...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, stderr)
		}
		return longMeans(t, filepath.Join(out, "results-long.csv"), "retransmissions", "tcp_reordered")
	}
	queries := run("queries", "../../scenarios/cluster-64-queries.toml", "--set", "cluster.nodes=16",
		"--set", "duration=12ms", "--set", "warmup=2ms")
	if len(queries) != 2 {
		t.Fatalf("cluster-64-queries: %d points, want native and VXLAN", len(queries))
	}
	for point, m := range queries {
		if m["retransmissions"] == 0 || m["tcp_reordered"] != 0 {
			t.Errorf("cluster-64-queries %s: %g retransmissions, %g reordered: want losses and no reordering", point, m["retransmissions"], m["tcp_reordered"])
		}
	}
	failure := run("failure", "../../scenarios/link-recovery.toml", "--set", "duration=60ms",
		"--set", "fabric.fail_at=15ms", "--set", "fabric.convergence=10ms")
	if len(failure) != 4 {
		t.Fatalf("link-recovery: %d points, want 4", len(failure))
	}
	for point, m := range failure {
		plain := strings.Contains(point, "plain")
		if plain && m["tcp_reordered"] == 0 || !plain && m["tcp_reordered"] != 0 {
			t.Errorf("link-recovery %s: %g reordered: want some with plain ECMP, none with resilient", point, m["tcp_reordered"])
		}
	}
}

// longMeans reads results-long.csv's means of the named metrics, by the
// point's parameters.
func longMeans(t *testing.T, file string, metrics ...string) map[string]map[string]float64 {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("%s: %d rows, %v", file, len(rows), err)
	}
	mi, vi := slices.Index(rows[0], "metric"), slices.Index(rows[0], "mean")
	out := map[string]map[string]float64{}
	for _, r := range rows[1:] {
		if !slices.Contains(metrics, r[mi]) {
			continue
		}
		point := strings.Join(r[1:mi], ",")
		if out[point] == nil {
			out[point] = map[string]float64{}
		}
		v, err := strconv.ParseFloat(r[vi], 64)
		if err != nil {
			t.Fatalf("%s: %s %s: %v", file, point, r[mi], err)
		}
		out[point][r[mi]] = v
	}
	if len(out) == 0 {
		t.Fatalf("%s: none of %v", file, metrics)
	}
	return out
}
