package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/sim"
)

// A replication stuck at one simulated instant ends the run with exit 1
// and one line naming the unit and the instant, not a hang or a stack.
func TestRunNoProgressOneLine(t *testing.T) {
	withModel(t, run.PerReplication(func(ctx context.Context, sc *scenario.Scenario, rep int, seed uint64) (run.Sample, error) {
		e := sim.NewEngine()
		var h sim.HandlerFunc
		h = func(e *sim.Engine, arg uint64) { e.After(0, h, arg) }
		e.Schedule(7*sim.Millisecond, h, 0)
		e.Run()
		return run.Sample{}, nil
	}))
	code, out, stderr := cli("run", smallScenario, "--reps", "1", "--parallel", "1")
	if code != 1 || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	t.Log(stderr)
	if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "replication 0") || !strings.Contains(stderr, "no progress at t = 7ms") {
		t.Errorf("stderr %q, want one line naming the unit and the instant", stderr)
	}
}

// SIGINT stops a run inside a replication that would take minutes: the
// process exits 130 within a second or so, not at the replication's end.
func TestSignalStopsInsideReplication(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the simulator in a subprocess")
	}
	wd := t.TempDir()
	sc := filepath.Join(wd, "long.toml")
	text := strings.Replace(goodScenario, `duration = "20ms"`, `duration = "1000s"`, 1)
	if err := os.WriteFile(sc, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "run", sc, "--reps", "1", "--parallel", "1")
	cmd.Env = append(os.Environ(), "CNISIM_TEST_MAIN=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second) // well inside the replication
	sent := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("still running 30 s after SIGINT")
	}
	took := time.Since(sent)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 || !strings.Contains(stderr.String(), "interrupted (SIGINT) after 0 of 1 replications") {
		t.Fatalf("exit %v, stderr %q", err, stderr.String())
	}
	t.Logf("stopped %v after SIGINT", took)
	if took > 3*time.Second { // a second, with room for a loaded machine
		t.Errorf("stopped %v after SIGINT", took)
	}
}
