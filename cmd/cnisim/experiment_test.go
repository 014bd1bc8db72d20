package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An experiment and a `run` of the scenario file it writes give
// byte-identical results.json (issue 8: one path for both).
func TestExperimentResultsJSONIsRuns(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: runs an experiment with the real simulator (~1 s)")
	}
	dir := t.TempDir()
	exp, rerun := filepath.Join(dir, "exp"), filepath.Join(dir, "run")
	var stdout, stderr bytes.Buffer
	if code := runMain([]string{"experiment", "whatif-policy-rules", "--quick", "--out", exp}, &stdout, &stderr); code != 0 {
		t.Fatalf("experiment: exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "| policy rules |") {
		t.Errorf("experiment's stdout lacks its table:\n%s", stdout.String())
	}
	if code := runMain([]string{"run", filepath.Join(exp, "scenario.toml"), "--out", rerun}, &stdout, &stderr); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr.String())
	}
	a, _ := os.ReadFile(filepath.Join(exp, "results.json"))
	b, _ := os.ReadFile(filepath.Join(rerun, "results.json"))
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Errorf("results.json of the experiment and of `cnisim run` of its scenario.toml differ")
	}
	for _, f := range []string{"results.csv", "policy-rules.png", "policy-rules.svg"} {
		if st, err := os.Stat(filepath.Join(exp, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestExperimentUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"experiment"}, {"experiment", "no-such"}, {"experiment", "paper-fig3", "--reps", "-1"},
		{"reproduce", "extra"}, {"experiment", "whatif-policy-rules", "--set", "tcp.nope=1"}, {"reproduce", "--set", "cluster.mtu"},
	} {
		var stdout, stderr bytes.Buffer
		if code := runMain(args, &stdout, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	if code := runMain([]string{"list", "experiments"}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "blog-async-curl") {
		t.Errorf("list experiments: exit %d:\n%s", code, stdout.String())
	}
}

// --set runs an experiment with a key overridden in every scenario: the
// written scenario carries it (so `cnisim run` of it repeats the
// numbers), the numbers move, and the section's command says so; a key
// the experiment sweeps is refused with the scenario named.
func TestExperimentSet(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: runs an experiment with the real simulator twice (~1 s)")
	}
	dir := t.TempDir()
	plain, set := filepath.Join(dir, "plain"), filepath.Join(dir, "set")
	var stdout, stderr bytes.Buffer
	if code := runMain([]string{"experiment", "whatif-policy-rules", "--quick", "--out", plain}, &stdout, &stderr); code != 0 {
		t.Fatalf("experiment: exit %d: %s", code, stderr.String())
	}
	stderr.Reset()
	if code := runMain([]string{"experiment", "whatif-policy-rules", "--quick", "--set", "cluster.mtu=9000", "--out", set}, &stdout, &stderr); code != 0 {
		t.Fatalf("experiment --set: exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "with --set cluster.mtu=9000") {
		t.Errorf("stderr does not say the --set it ran with:\n%s", stderr.String())
	}
	toml, _ := os.ReadFile(filepath.Join(set, "scenario.toml"))
	if !strings.Contains(string(toml), "mtu = 9000") {
		t.Errorf("scenario.toml lacks the --set:\n%s", toml)
	}
	a, _ := os.ReadFile(filepath.Join(plain, "results.json"))
	b, _ := os.ReadFile(filepath.Join(set, "results.json"))
	if len(a) == 0 || bytes.Equal(a, b) {
		t.Errorf("--set cluster.mtu=9000 left results.json as it was")
	}
	stderr.Reset()
	if code := runMain([]string{"experiment", "whatif-policy-rules", "--quick", "--set", "cni.policy_rules=5", "--out", filepath.Join(dir, "swept")}, &stdout, &stderr); code == 0 ||
		!strings.Contains(stderr.String(), "sweeps cni.policy_rules") {
		t.Errorf("--set of a swept key: exit %d, %q; want it refused, the key named", code, stderr.String())
	}
}

// The report of a reproduce with --set says so once, in its first line.
func TestReportIntroSets(t *testing.T) {
	f := experimentFlags{sets: []string{"tcp.linux_cubic=true", "cluster.tsq_orphan=true"}}
	if err := f.check(); err != nil {
		t.Fatal(err)
	}
	intro := reportIntro(f)[0]
	for _, want := range []string{"`cnisim reproduce --set tcp.linux_cubic=true --set cluster.tsq_orphan=true`",
		"with `--set tcp.linux_cubic=true` and `--set cluster.tsq_orphan=true` in every scenario (not the model's default"} {
		if !strings.Contains(intro, want) {
			t.Errorf("intro lacks %q:\n%s", want, intro)
		}
	}
}
