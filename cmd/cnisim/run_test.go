package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cnisim/cnisim/experiments/experimentstest"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
)

// withModel installs a simulator for one test.
func withModel(t *testing.T, m run.Model) {
	t.Helper()
	old := simulate
	simulate = m
	t.Cleanup(func() { simulate = old })
}

// cli runs the CLI and returns exit code, stdout and stderr.
func cli(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := runMain(args, &out, &errb)
	return code, out.String(), errb.String()
}

const smallScenario = "../../experiments/run/testdata/small.toml"

func TestRunOutDirRepeatsExactly(t *testing.T) {
	withModel(t, experimentstest.Fake)
	dir := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := cli("run", smallScenario, "--out", dir, "--reps", "2", "--set", "cluster.link_gbps=25")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout %q: with --out and no --format, results go only to files", stdout)
	}
	first, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"results.csv", "results-long.csv", "scenario.toml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	// --format csv-long prints the file --out wrote
	long, err := os.ReadFile(filepath.Join(dir, "results-long.csv"))
	if err != nil {
		t.Fatal(err)
	}
	code, printed, stderr := cli("run", smallScenario, "--reps", "2", "--set", "cluster.link_gbps=25", "--format", "csv-long")
	if code != 0 || printed != string(long) || !strings.HasPrefix(printed, "point,") {
		t.Errorf("--format csv-long: exit %d, %q, want the written results-long.csv %q (%s)", code, printed, long, stderr)
	}
	if !bytes.Contains(first, []byte(`"replications": 2`)) {
		t.Errorf("--reps not applied:\n%s", first)
	}
	// The written scenario.toml carries --set and --reps: running it alone
	// gives the same results, byte for byte.
	code, again, stderr := cli("run", filepath.Join(dir, "scenario.toml"), "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if again != string(first) {
		t.Errorf("rerun of scenario.toml differs:\n%s\n---\n%s", first, again)
	}
}

func TestRunParallelIdentical(t *testing.T) {
	withModel(t, experimentstest.Fake)
	var outs []string
	for _, p := range []string{"1", "8"} {
		for _, f := range []string{"json", "csv", "table"} {
			code, stdout, stderr := cli("run", smallScenario, "--parallel", p, "--format", f)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			outs = append(outs, stdout)
		}
	}
	for i := range 3 {
		if outs[i] != outs[i+3] {
			t.Errorf("format %d differs between --parallel 1 and 8", i)
		}
	}
}

func TestRunSeedChangesResults(t *testing.T) {
	withModel(t, experimentstest.Fake)
	_, a, _ := cli("run", smallScenario, "--format", "csv")
	_, b, _ := cli("run", smallScenario, "--format", "csv", "--seed", "8")
	_, c, _ := cli("run", smallScenario, "--format", "csv", "--set", "seed=8")
	if a == b || b != c {
		t.Error("--seed must change the results and equal --set seed=N")
	}
}

// Bad usage and bad input exit 2 with a message naming the problem and
// write nothing.
func TestRunBadInput(t *testing.T) {
	withModel(t, experimentstest.Fake)
	tmp := t.TempDir()
	write := fileWriter(t, tmp)
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown key", []string{write("a.toml", "[cluster]\nmtus = 1\n")}, []string{"a.toml:2:", "cluster.mtus", "unknown key"}},
		{"wrong case key", []string{write("b.toml", "[cluster]\nMtu = 1\n")}, []string{"b.toml:2:", `did you mean "cluster.mtu"`}},
		{"wrong type", []string{write("c.toml", "replications = \"ten\"\n")}, []string{"c.toml:1:", `replications = "ten"`, "want an integer"}},
		{"out of range", []string{write("d.toml", "[cluster]\nmtu = 70000\n")}, []string{"d.toml:2:", "cluster.mtu = 70000", "576..65535"}},
		{"bad duration", []string{write("e.toml", "duration = \"5 s\"\n")}, []string{"e.toml:1:", "duration", "duration string"}},
		{"warmup >= duration", []string{write("f.toml", "duration = \"1s\"\nwarmup = \"1s\"\n")}, []string{"f.toml:2:", "warmup", "less than duration"}},
		{"bad --set", []string{smallScenario, "--set", "cluster.mtu=jumbo"}, []string{"--set cluster.mtu=jumbo", "want an integer"}},
		{"bad --set key", []string{smallScenario, "--set", "cluster.speed=1"}, []string{"--set cluster.speed=1", "unknown key", "link_gbps"}},
		{"--set out of range", []string{smallScenario, "--set", "cni.pod_mtu=10"}, []string{"--set cni.pod_mtu=10", "576..65535"}},
		{"unknown format", []string{smallScenario, "--format", "xml"}, []string{`unknown format "xml"`, "table, json, csv"}},
		{"bad reps", []string{smallScenario, "--reps", "0"}, []string{"--reps 0", "replications"}},
		{"negative seed", []string{smallScenario, "--seed", "-3"}, []string{"--seed -3", "non-negative"}},
		{"negative parallel", []string{smallScenario, "--parallel", "-1"}, []string{"--parallel -1"}},
		{"missing file", []string{filepath.Join(tmp, "nope.toml")}, []string{"nope.toml", "no such file"}},
		{"no file", nil, []string{"missing a scenario file"}},
		{"two files", []string{smallScenario, smallScenario}, []string{"unexpected arguments"}},
		{"unknown flag", []string{smallScenario, "--shardz", "1"}, []string{"unknown flag: --shardz"}},
		{"syntax", []string{write("g.toml", "[cluster\n")}, []string{"g.toml:", "TOML syntax"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(tmp, "out-"+strings.ReplaceAll(c.name, " ", "-"))
			args := append([]string{"run", "--out", out}, c.args...)
			code, _, stderr := cli(args...)
			if code != 2 {
				t.Errorf("exit %d, want 2; stderr: %s", code, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("output directory exists after bad input")
			}
		})
	}
}

func TestRunTooManyPoints(t *testing.T) {
	withModel(t, experimentstest.Fake)
	// The fake model needs no model-data validation (flannel has no policy).
	oldValidate := validateScenario
	validateScenario = nil
	t.Cleanup(func() { validateScenario = oldValidate })
	p := filepath.Join(t.TempDir(), "big.toml")
	var b strings.Builder
	b.WriteString("replications = 1\nduration = \"1s\"\nwarmup = \"0s\"\n[sweep]\n\"cni.policy_rules\" = [")
	for i := range 10001 {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(i))
	}
	b.WriteString("]\n")
	os.WriteFile(p, []byte(b.String()), 0o644)
	code, _, stderr := cli("run", p, "--format", "csv")
	if code != 2 || !strings.Contains(stderr, "10001 points") || !strings.Contains(stderr, "--yes") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	code, stdout, stderr := cli("run", p, "--format", "csv", "--yes")
	if code != 0 || strings.Count(stdout, "\n") != 10002 {
		t.Errorf("with --yes: exit %d, %d lines: %s", code, strings.Count(stdout, "\n"), stderr)
	}
}

// A failed run exits 1 and writes nothing; a panic names point and seed.
func TestRunFailureWritesNothing(t *testing.T) {
	withModel(t, run.PerReplication(func(ctx context.Context, sc *scenario.Scenario, rep int, seed uint64) (run.Sample, error) {
		if sc.Cluster.MTU == 9000 {
			panic("model bug")
		}
		return experimentstest.FakeRun(ctx, sc, rep, seed)
	}))
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := cli("run", smallScenario, "--out", out, "--parallel", "1")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, w := range []string{"cluster.mtu=9000", "seed ", "panic: model bug"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	if stdout != "" {
		t.Errorf("stdout %q", stdout)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Error("output directory exists after a failed run")
	}
}

func TestRunNoSimulator(t *testing.T) {
	withModel(t, nil)
	code, _, stderr := cli("run", smallScenario)
	if code != 1 || !strings.Contains(stderr, "no simulator linked") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

func TestRunProgress(t *testing.T) {
	withModel(t, experimentstest.Fake)
	code, _, stderr := cli("run", smallScenario, "--progress", "--format", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// The run takes well under the bar's one-second delay: no bar.
	if strings.Contains(stderr, "replications  ETA") {
		t.Errorf("bar drawn for a short run: %q", stderr)
	}
}

func TestRunProgressLongRun(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: sleeps 12 x 120 ms to show progress (~1.5 s)")
	}
	withModel(t, run.PerReplication(func(ctx context.Context, sc *scenario.Scenario, rep int, seed uint64) (run.Sample, error) {
		time.Sleep(120 * time.Millisecond)
		return experimentstest.FakeRun(ctx, sc, rep, seed)
	}))
	code, stdout, stderr := cli("run", smallScenario, "--progress", "--parallel", "1", "--format", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "12/12 replications") || strings.Contains(stdout, "replications  ETA") {
		t.Errorf("progress belongs on stderr, ending at 12/12: stderr %q", stderr)
	}
}

// A run whose open flows pile up (three senders at 0.6 of the link each
// into one switch port) ends with a warning that it reached no steady
// state, after its results, and solve says so at the value it ran; a
// permutation at a third of the load (its open flows: 2.2 at mid-window,
// 2.3 at the end) does not.
func TestRunWarnsUnsteady(t *testing.T) {
	p := filepath.Join(t.TempDir(), "incast.toml")
	text := `name = "incast"
duration = "50ms"
warmup = "10ms"
[cluster]
nodes = 4
link_gbps = 10
[fabric]
kind = "switch"
buffer_bytes = 1_000_000
[workload]
kind = "tcp_stream"
pattern = "incast"
flow_sizes = "constant:100000"
load = 0.6
`
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := cli("run", p, "--format", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "warning: the run: no steady state: open flows grew from") || !strings.Contains(stderr, "of the offered load") {
		t.Errorf("no unsteady warning:\n%s", stderr)
	}
	// the flows piling up are open at the end: fct_us leaves them out
	if !strings.Contains(stderr, "flows started in the measured window") || !strings.Contains(stdout, "flows_censored.mean") {
		t.Errorf("no censored warning or flows_censored:\n%s", stderr)
	}
	if !strings.Contains(stdout, "offered_mbps.mean") || !strings.Contains(stdout, "flows_open_midway.mean") {
		t.Errorf("results lack offered_mbps or flows_open_midway:\n%s", stdout)
	}
	code, _, stderr = cli("run", p, "--format", "csv", "--set", "workload.pattern=permutation", "--set", "workload.load=0.2")
	if code != 0 || strings.Contains(stderr, "steady") {
		t.Errorf("permutation: exit %d, stderr:\n%s", code, stderr)
	}
	// solve says it at the value it ran: an FCT there counts only the
	// flows that finished
	code, _, stderr = cli("solve", p, "--maximise", "fct_us", "--reps", "2")
	if code != 0 || !strings.Contains(stderr, "solve: the scenario: warning: the run: no steady state") {
		t.Errorf("solve: exit %d, stderr:\n%s", code, stderr)
	}
}
