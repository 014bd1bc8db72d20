package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
)

// A run whose estimated cost exceeds the machine is refused before it
// starts, exit 2 with one line naming --yes; --yes runs it (here with a
// fake simulator that only counts).
func TestRunRefusesHugeCost(t *testing.T) {
	var ran atomic.Int64
	withModel(t, run.PerReplication(func(_ context.Context, _ *scenario.Scenario, _ int, _ uint64) (run.Sample, error) {
		ran.Add(1)
		var s run.Sample
		s.Set("throughput_mbps", 1)
		return s, nil
	}))
	p := filepath.Join(t.TempDir(), "week.toml")
	os.WriteFile(p, []byte("replications = 3\nduration = \"168h\"\n"), 0o644)
	code, _, stderr := cli("run", p, "--format", "csv")
	if code != 2 || ran.Load() != 0 || strings.Count(stderr, "\n") != 2 || !strings.Contains(stderr, "estimated cost") || !strings.Contains(stderr, "pass --yes") {
		t.Errorf("exit %d, %d replications ran: %s", code, ran.Load(), stderr)
	}
	if code, _, stderr := cli("run", p, "--format", "csv", "--yes"); code != 0 || ran.Load() != 3 {
		t.Errorf("with --yes: exit %d, %d replications ran: %s", code, ran.Load(), stderr)
	}
}
