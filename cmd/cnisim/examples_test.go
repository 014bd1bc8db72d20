package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every example scenario a user starts from runs with the real simulator in
// a quick form (--reps 2, short durations) and writes its three files.
func TestExampleScenariosRun(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: runs every example scenario with the real simulator (~5 s)")
	}
	files, err := filepath.Glob("../../scenarios/*.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no example scenarios: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			out := t.TempDir()
			code, _, stderr := invoke("run", f, "--reps", "2", "--set", "duration=60ms", "--set", "warmup=20ms", "--out", out)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, name := range []string{"results.json", "results.csv", "results-long.csv", "scenario.toml"} {
				b, err := os.ReadFile(filepath.Join(out, name))
				if err != nil || len(b) == 0 {
					t.Errorf("%s: %v (%d bytes)", name, err, len(b))
				}
			}
			b, _ := os.ReadFile(filepath.Join(out, "results.json"))
			// a connection-churn example (nodeport) reports connections, a
			// request-response one (measured-rr) transactions, not bytes
			if !strings.Contains(string(b), `"throughput_mbps"`) && !strings.Contains(string(b), `"connections_per_s"`) &&
				!strings.Contains(string(b), `"transactions_per_s"`) {
				t.Errorf("results.json lacks throughput_mbps, connections_per_s and transactions_per_s")
			}
		})
	}
}
