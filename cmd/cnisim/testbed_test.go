package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cnisim/cnisim/testbed"
)

// recordedRun is the committed real run the testbed-validation experiment
// reads (testbed.RecordedRun).
const recordedRun = "../../" + testbed.RecordedRun

// recordedRuns are the committed runs and the built-in profile each
// calibrates to: run4 on an AMD EPYC host, run7 on an Intel Xeon host (the
// same VM kind and kernel), the latter with its TCP_RR scripts.
var recordedRuns = []struct{ dir, profile string }{
	{"../../testbed/testdata/run4", "testbed-vm-6.18"},
	{recordedRun, testbed.RecordedProfile},
}

func TestTestbedUsage(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"testbed"}, "missing subcommand (run, calibrate, validate, compare, aead, gro, gso, incast or timers)"},
		{[]string{"testbed", "fly"}, `unknown subcommand "fly" (valid: run, calibrate, validate, compare, aead, gro, gso, incast, timers)`},
		{[]string{"testbed", "timers"}, "--out DIR is required"},
		{[]string{"testbed", "timers", "--out", filepath.Join(dir, "never"), "--tries", "0"}, "--tries: 0 is not in 1..1000"},
		{[]string{"testbed", "timers", "--out", filepath.Join(dir, "never"), "--segments", "11"}, "--segments: 11 is not in 1..10"},
		{[]string{"testbed", "timers", "--out", dir, "extra"}, "unexpected arguments"},
		{[]string{"testbed", "run"}, "--out DIR is required"},
		{[]string{"testbed", "run", "--out", dir, "--configs", "routed,warp"}, `--configs: unknown configuration "warp" (valid: routed`},
		{[]string{"testbed", "run", "--out", dir, "--configs", "nft-x"}, `--configs: configuration "nft-x": rule count`},
		{[]string{"testbed", "run", "--out", dir, "--reps", "99"}, "--reps must be an odd number in 1..19"},
		{[]string{"testbed", "run", "--out", filepath.Join(dir, "never"), "--reps", "4"}, "an even count has no middle one), got 4"},
		{[]string{"testbed", "run", "--out", dir, "--mbps", "-1"}, "--mbps must be >= 0"},
		{[]string{"testbed", "run", "--out", dir, "extra"}, "unexpected arguments"},
		{[]string{"testbed", "calibrate", "--out", filepath.Join(dir, "p.toml")}, "missing the run DIR"},
		{[]string{"testbed", "calibrate", dir}, "--out PROFILE.toml is required"},
		{[]string{"testbed", "calibrate", dir, "--out", filepath.Join(dir, "p.toml")}, "measurements.json"},
		{[]string{"testbed", "validate", recordedRun}, "--profile is required"},
		{[]string{"testbed", "validate", recordedRun, "--profile", "nosuch"}, "--profile:"},
	} {
		code, _, stderr := invoke(c.args...)
		if code != 2 || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.msg)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "p.toml")); err == nil {
		t.Error("a failed calibrate wrote its profile")
	}
	if _, err := os.Stat(filepath.Join(dir, "never")); err == nil {
		t.Error("a run refused for its --reps created its --out directory")
	}
}

// The committed run calibrates and validates without root, and
// validate's points.json reproduces the committed one (the recorded
// report the testbed-validation experiment reads) byte for byte.
func TestTestbedRecorded(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: calibrates and validates the recorded testbed runs (~10 s)")
	}
	for _, rec := range recordedRuns {
		t.Run(rec.profile, func(t *testing.T) { testRecorded(t, rec.dir, rec.profile) })
	}
}

func testRecorded(t *testing.T, run, name string) {
	dir := t.TempDir()
	prof := filepath.Join(dir, "p.toml")
	if code, _, stderr := invoke("testbed", "calibrate", run, "--name", name, "--out", prof); code != 0 {
		t.Fatalf("calibrate: exit %d: %s", code, stderr)
	}
	// The built-in profile is this calibration, byte for byte below its
	// header comment.
	builtin, err := os.ReadFile("../../calibration/profiles/" + name + ".toml")
	if err != nil {
		t.Fatal(err)
	}
	body := builtin
	for bytes.HasPrefix(body, []byte("#")) {
		body = body[bytes.IndexByte(body, '\n')+1:]
	}
	if got, _ := os.ReadFile(prof); !bytes.Equal(got, body) {
		t.Errorf("calibration/profiles/%s.toml is not `testbed calibrate %s --name %s` below its comment: regenerate it", name, run, name)
	}
	code, stdout, stderr := invoke("testbed", "validate", run, "--profile", prof, "--out", dir)
	if code != 0 {
		t.Fatalf("validate: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"| routed |", "| nft-5000 |", "LOO cycles per packet: median |error|", "TCP_RR latency by", "TCP_RR us predicted",
		"TCP_RR latency leave-one-out"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("validate output lacks %q:\n%s", want, stdout)
		}
	}
	for _, f := range []string{"validate.md", "validate.json", "validate.png", "validate.svg", testbed.PointsFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	got, _ := os.ReadFile(filepath.Join(dir, testbed.PointsFile))
	want, err := os.ReadFile(filepath.Join(run, testbed.PointsFile))
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("points.json differs from the committed one (%v): re-run validate --out on the recorded run", err)
	}
	p, err := os.ReadFile(prof)
	if err != nil || !strings.Contains(string(p), `provenance = "measured"`) || !strings.Contains(string(p), "kernel") {
		t.Errorf("profile without measured provenance: %v", err)
	}
}

// The subprocess tests use their own prefix, so that the testbed
// package's tests running at the same time (go test ./...) never see or
// remove their namespaces.
const subPrefix = "cnitc-"

func needTestbed(t *testing.T) {
	t.Helper()
	testbed.Prefix = subPrefix
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Skip("testbed integration: needs root on Linux")
	}
	if _, err := exec.LookPath("perf"); err != nil {
		t.Skip("testbed integration: needs perf")
	}
	if testing.Short() {
		t.Skip("-short")
	}
}

// `testbed run --quick` end to end, then calibrate and validate on its
// output: under a minute.
func TestTestbedRunQuick(t *testing.T) {
	needTestbed(t)
	dir := t.TempDir()
	start := time.Now()
	code, _, stderr := invoke("testbed", "run", "--quick", "--out", dir)
	if code != 0 {
		t.Fatalf("run --quick: exit %d: %s", code, stderr)
	}
	if d := time.Since(start); d > 60*time.Second {
		t.Errorf("run --quick took %v, want under a minute", d)
	}
	left, _ := testbed.Leftovers()
	if len(left) > 0 {
		t.Errorf("left namespaces %v", left)
	}
	prof := filepath.Join(dir, "p.toml")
	if code, _, stderr := invoke("testbed", "calibrate", dir, "--out", prof); code != 0 {
		t.Fatalf("calibrate: exit %d: %s", code, stderr)
	}
	if code, stdout, stderr := invoke("testbed", "validate", dir, "--profile", prof); code != 0 || !strings.Contains(stdout, "| routed |") {
		t.Fatalf("validate: exit %d: %s\n%s", code, stderr, stdout)
	}
}

// SIGINT in the middle of a run: exit 130, and no namespace is left.
func TestTestbedSIGINTCleansUp(t *testing.T) {
	needTestbed(t)
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "testbed", "run", "--quick", "--out", dir)
	cmd.Env = append(os.Environ(), "CNISIM_TEST_MAIN=1", "CNISIM_TESTBED_PREFIX="+subPrefix)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until a topology exists, then interrupt.
	done := waitProcess(cmd)
	if !awaitLeftovers(t, 1, done) {
		cmd.Process.Kill()
		<-done
		t.Fatalf("no namespace appeared: %s", errb.String())
	}
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	err := <-done
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Errorf("exit %v, want 130: %s", err, errb.String())
	}
	if left, _ := testbed.Leftovers(); len(left) > 0 {
		t.Errorf("left namespaces after SIGINT: %v", left)
		testbed.Cleanup()
	}
}

// waitProcess waits for cmd in the background; the channel gets Wait's
// error once it exits.
func waitProcess(cmd *exec.Cmd) chan error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	return done
}

// awaitLeftovers waits until at least n test namespaces exist, while the
// run is alive: false if it exited first or after 150 s. The run may
// first wait up to 2 minutes for the testbed lock (testbed.Lock), which
// the testbed package's tests, run at the same time by go test ./...,
// hold while they build their topologies; a fixed 20 s made these tests
// fail whenever they did.
func awaitLeftovers(t *testing.T, n int, done chan error) bool {
	t.Helper()
	deadline := time.Now().Add(150 * time.Second)
	for time.Now().Before(deadline) {
		if left, _ := testbed.Leftovers(); len(left) >= n {
			return true
		}
		select {
		case err := <-done:
			t.Logf("the run exited before its topology appeared: %v", err)
			done <- err // for the caller's receive
			return false
		case <-time.After(20 * time.Millisecond):
		}
	}
	return false
}

// A run killed with -9 cannot clean up: the next run's Cleanup (called
// first thing by every run) removes what it left.
func TestTestbedKill9LeftoversRemoved(t *testing.T) {
	needTestbed(t)
	cmd := exec.Command(os.Args[0], "testbed", "run", "--quick", "--configs", "bridge", "--out", t.TempDir())
	cmd.Env = append(os.Environ(), "CNISIM_TEST_MAIN=1", "CNISIM_TESTBED_PREFIX="+subPrefix)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := waitProcess(cmd)
	if !awaitLeftovers(t, 3, done) {
		cmd.Process.Kill()
		<-done
		t.Fatal("no topology appeared")
	}
	cmd.Process.Kill()
	<-done
	removed, err := testbed.CleanupKilled() // what the next run does first
	if err != nil || len(removed) < 3 {
		t.Errorf("Cleanup after kill -9 removed %v (%v), want the 3 namespaces of bridge", removed, err)
	}
	if left, _ := testbed.Leftovers(); len(left) > 0 {
		t.Errorf("left: %v", left)
	}
	// the killed run's perf scratch directory goes too
	if dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), subPrefix+"perf-*")); len(dirs) > 0 {
		t.Errorf("left scratch directories: %v", dirs)
	}
}

// TestTestbedCompare: a run compared with itself repeats everywhere; bad
// arguments are refused with the flag or argument named.
func TestTestbedCompare(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := invoke("testbed", "compare", recordedRun, recordedRun, "--out", dir)
	if code != 0 || !strings.Contains(stdout, "24 of 24 configurations repeat within 5%") {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	for _, f := range []string{"repeat.md", "repeat.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"testbed", "compare", recordedRun}, "the two run DIRs"},
		{[]string{"testbed", "compare", recordedRun, recordedRun, "--tolerance", "-1"}, "--tolerance -1: want a percentage in 0..100"},
		{[]string{"testbed", "compare", recordedRun, dir}, "measurements.json"},
	} {
		if code, _, stderr := invoke(tc.args...); code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want an error naming %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestTestbedPooled: a run pooled with itself gives the run's own
// leave-one-out figures, and the report names the pooled run.
func TestTestbedPooled(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: calibrates the recorded run twice")
	}
	_, single, _ := invoke("testbed", "validate", recordedRun, "--profile", testbed.RecordedProfile)
	code, pooled, stderr := invoke("testbed", "validate", recordedRun, recordedRun, "--profile", testbed.RecordedProfile)
	if code != 0 || !strings.Contains(pooled, "pooled with 1 other run(s)") {
		t.Fatalf("exit %d: %s%s", code, pooled, stderr)
	}
	summary := func(out string) string {
		i := strings.Index(out, "LOO cycles per packet")
		if i < 0 {
			return ""
		}
		return out[i:]
	}
	if s := summary(single); s == "" || s != summary(pooled) {
		t.Errorf("pooled with itself:\n%s\nalone:\n%s", summary(pooled), s)
	}
	if code, _, stderr := invoke("testbed", "calibrate", recordedRun, t.TempDir(), "--out", filepath.Join(t.TempDir(), "p.toml")); code != 2 || !strings.Contains(stderr, "measurements.json") {
		t.Errorf("a second DIR without a run: exit %d: %s", code, stderr)
	}
}
