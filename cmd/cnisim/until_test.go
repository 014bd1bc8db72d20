package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/experiments/experimentstest"
)

// --until raises the replications until the target holds and writes what
// a run of the final count writes, byte for byte; the scenario.toml it
// writes states the count.
func TestUntilEqualsRunOfFinalCount(t *testing.T) {
	withModel(t, experimentstest.Fake)
	tmp := t.TempDir()
	until := filepath.Join(tmp, "until")
	// the fake's 2% noise: the widest throughput interval is within 0.5%
	// at 8 replications, not before
	code, _, stderr := cli("run", smallScenario, "--reps", "2", "--until", "throughput_mbps=0.5%", "--out", until, "--parallel", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, w := range []string{"2 replications: throughput_mbps's 95% interval is", "raising to 4", "replications per point: throughput_mbps's 95% interval within"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	toml, err := os.ReadFile(filepath.Join(until, "scenario.toml"))
	if err != nil {
		t.Fatal(err)
	}
	var reps string
	for _, l := range strings.Split(string(toml), "\n") {
		if v, ok := strings.CutPrefix(l, "replications = "); ok {
			reps = v
		}
	}
	if reps == "" || reps == "2" {
		t.Fatalf("scenario.toml states replications %q: want the raised count", reps)
	}
	once := filepath.Join(tmp, "once")
	if code, _, stderr := cli("run", smallScenario, "--reps", reps, "--out", once, "--parallel", "1"); code != 0 {
		t.Fatalf("--reps %s: exit %d: %s", reps, code, stderr)
	}
	want, got := readOut(t, once), readOut(t, until)
	for f := range want {
		if got[f] != want[f] {
			t.Errorf("%s differs from a run of %s replications:\n%s", f, reps, firstDiff([]byte(want[f]), []byte(got[f])))
		}
	}
	// with --baseline the target is the paired difference's; the budget
	// stops it with a warning
	code, _, stderr = cli("run", smallScenario, "--reps", "2", "--baseline", "cni.mode=host-gw", "--until", "throughput_mbps=1e-9", "--max-reps", "4",
		"--out", filepath.Join(tmp, "budget"))
	if code != 0 || !strings.Contains(stderr, "warning: --until: the budget of 4 replications per point spent") || !strings.Contains(stderr, "of the baseline's mean at") {
		t.Errorf("budget: exit %d: %s", code, stderr)
	}
}

// --until's bad input: exit 2, the flag and what is allowed named.
func TestUntilBadInput(t *testing.T) {
	withModel(t, experimentstest.Fake)
	tmp := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--until", "throughput"}, "want METRIC=REL"},
		{[]string{"--until", "goodput=5%"}, `unknown metric "goodput" (cnisim list metrics)`},
		{[]string{"--until", "cpp_by_stage=5%"}, "cpp_by_stage is a group: name a member"},
		{[]string{"--until", "throughput_mbps.x=5%"}, "throughput_mbps is a scalar, it has no members"},
		{[]string{"--until", "throughput_mbps=0"}, "want a positive fraction or percentage"},
		{[]string{"--until", "throughput_mbps=-5%"}, "want a positive fraction or percentage"},
		{[]string{"--until", "throughput_mbps=5%", "--max-reps", "1"}, "--max-reps 1: want 2..1000000"},
		{[]string{"--until", "throughput_mbps=5%", "--max-reps", "2", "--reps", "3"}, "below the scenario's 3 replications"},
		{[]string{"--max-reps", "8"}, "--max-reps is --until's budget"},
		{[]string{"--until", "throughput_mbps=5%", "--shard", "0/2", "--out", filepath.Join(tmp, "s")}, "--until with --shard"},
		{[]string{"--until", "fct_us=5%"}, "no point reports fct_us"},
	} {
		code, stdout, stderr := cli(append([]string{"run", smallScenario}, tc.args...)...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q: want exit 2 and %q", tc.args, code, stdout, stderr, tc.want)
		}
	}
}
