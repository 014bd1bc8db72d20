package main

import (
	"bytes"
	"os"
	"path/filepath"
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
