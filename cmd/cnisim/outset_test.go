package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/cnisim/cnisim/experiments/catalog"
	"github.com/cnisim/cnisim/experiments/experimentstest"
	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
)

// countingModel is the fake model counting its calls.
func countingModel(calls *atomic.Int64) run.Model {
	return run.PerReplication(func(ctx context.Context, sc *scenario.Scenario, rep int, seed uint64) (run.Sample, error) {
		calls.Add(1)
		return experimentstest.FakeRun(ctx, sc, rep, seed)
	})
}

// An --out that cannot hold the results is refused before anything runs
// (exit 2): under or at a regular file, a directory of other files, a
// place that cannot be written.
func TestOutRefusedBeforeRun(t *testing.T) {
	var calls atomic.Int64
	withModel(t, countingModel(&calls))
	tmp := t.TempDir()
	file := filepath.Join(tmp, "file")
	os.WriteFile(file, []byte("x"), 0o644)
	mine := filepath.Join(tmp, "mine")
	os.Mkdir(mine, 0o755)
	os.WriteFile(filepath.Join(mine, "notes.txt"), []byte("keep"), 0o644)
	cases := []struct {
		args []string
		msg  string
	}{
		{[]string{"run", smallScenario, "--out", filepath.Join(file, "sub")}, file + " is not a directory"},
		{[]string{"run", smallScenario, "--out", file}, "exists and is not a directory"},
		{[]string{"run", smallScenario, "--out", mine}, "notes.txt"},
		{[]string{"experiment", catalog.Names()[0], "--quick", "--out", mine}, "notes.txt"},
		{[]string{"merge", tmp, "--out", filepath.Join(file, "sub")}, file + " is not a directory"},
		{[]string{"run", smallScenario, "--shard", "0/2", "--out", filepath.Join(file, "sub")}, file + " is not a directory"},
		{[]string{"experiment", catalog.Names()[0], "--quick", "--out", filepath.Join(file, "sub")}, file + " is not a directory"},
		{[]string{"reproduce", "--quick", "--out", filepath.Join(file, "sub")}, file + " is not a directory"},
	}
	if st, err := os.Stat("/proc/self"); err == nil && st.IsDir() {
		cases = append(cases, struct {
			args []string
			msg  string
		}{[]string{"run", smallScenario, "--out", "/proc/self/cnisim-out"}, "cannot write in /proc/self"})
	}
	for _, c := range cases {
		code, _, stderr := cli(c.args...)
		if first, _, _ := strings.Cut(stderr, "\n"); code != 2 || !strings.Contains(first, "--out") || !strings.Contains(first, c.msg) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", c.args, code, stderr, c.msg)
		}
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("the model ran %d times", n)
	}
	if b, _ := os.ReadFile(filepath.Join(mine, "notes.txt")); string(b) != "keep" {
		t.Error("a user's file was touched")
	}
}

// Two runs into the same --out leave the second's set, whole, with its
// marker, and nothing beside it.
func TestRunOutReplacedWhole(t *testing.T) {
	withModel(t, experimentstest.Fake)
	tmp := t.TempDir()
	out := filepath.Join(tmp, "out")
	for _, seed := range []string{"1", "2"} {
		if code, _, stderr := cli("run", smallScenario, "--out", out, "--seed", seed); code != 0 {
			t.Fatal(stderr)
		}
	}
	for _, f := range []string{"results.json", "results.csv", "scenario.toml", results.Marker} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	b, _ := os.ReadFile(filepath.Join(out, "scenario.toml"))
	if !strings.Contains(string(b), "seed = 2") {
		t.Errorf("scenario.toml is not the second run's")
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 1 {
		t.Errorf("beside out: %v", ents)
	}
}

// An interrupted reproduce leaves DIR as it was: the experiments it
// finished are not moved in, REPORT.md is the previous one, and its
// staging directory is removed.
func TestReproduceInterruptLeavesPrevious(t *testing.T) {
	if testing.Short() {
		t.Skip("runs experiments")
	}
	var calls atomic.Int64
	var sent atomic.Bool
	fake := func(ctx context.Context, sc *scenario.Scenario, rep int, seed uint64) (run.Sample, error) {
		calls.Add(1)
		return experimentstest.FakeRun(ctx, sc, rep, seed)
	}
	withModel(t, run.PerReplication(func(ctx context.Context, sc *scenario.Scenario, rep int, seed uint64) (run.Sample, error) {
		if calls.Load() >= 200 && !sent.Swap(true) {
			syscall.Kill(os.Getpid(), syscall.SIGINT)
			<-ctx.Done()
		}
		return fake(ctx, sc, rep, seed)
	}))
	tmp := t.TempDir()
	out := filepath.Join(tmp, "out")
	first := filepath.Join(out, catalog.Names()[0])
	os.MkdirAll(first, 0o755)
	os.WriteFile(filepath.Join(first, "results.json"), []byte("previous"), 0o644)
	os.WriteFile(filepath.Join(out, "REPORT.md"), []byte("previous report"), 0o644)
	code, _, stderr := cli("reproduce", "--quick", "--out", out, "--parallel", "1")
	if code != 130 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "done in") {
		t.Fatalf("no experiment finished before the interrupt: the test proves nothing:\n%s", stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(first, "results.json")); string(b) != "previous" {
		t.Errorf("a finished experiment replaced the previous results")
	}
	if b, _ := os.ReadFile(filepath.Join(out, "REPORT.md")); string(b) != "previous report" {
		t.Errorf("REPORT.md replaced")
	}
	ents, _ := os.ReadDir(tmp)
	if len(ents) != 1 {
		t.Errorf("left beside out: %v", ents)
	}
	ents, _ = os.ReadDir(out)
	if len(ents) != 2 {
		t.Errorf("out holds %v", ents)
	}
}

// What a killed run left beside --out (kill -9 between staging and
// rename) is removed when the next run starts, even one that then fails.
func TestRunRemovesStaleAtStart(t *testing.T) {
	withModel(t, run.PerReplication(func(ctx context.Context, sc *scenario.Scenario, rep int, seed uint64) (run.Sample, error) {
		return run.Sample{}, errors.New("boom")
	}))
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("no true(1)")
	}
	tmp := t.TempDir()
	stale := filepath.Join(tmp, fmt.Sprintf(".out.tmp-%d-123", cmd.Process.Pid))
	os.MkdirAll(filepath.Join(stale, "x"), 0o755)
	if code, _, stderr := cli("run", smallScenario, "--out", filepath.Join(tmp, "out")); code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Errorf("left: %v", ents)
	}
}
