package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/calibration"
)

// calibrate perf --base paper writes the derived entries unchanged plus
// every paper entry perf did not calibrate (with paper's provenance), so the
// file alone runs a scenario that the partial profile cannot.
func TestCalibratePerfBaseRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	part, full := filepath.Join(dir, "part.toml"), filepath.Join(dir, "node1.toml")
	fix := perfFixtures + "bridge.script.gz"
	if code, _, stderr := invoke(perfArgs(fix, "6464", "--out", part)...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	code, _, stderr := invoke(perfArgs(fix, "6464", "--out", full, "--base", "paper")...)
	if code != 0 || !strings.Contains(stderr, "entries from base paper") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	p, err := calibration.LoadFile(part)
	if err != nil {
		t.Fatal(err)
	}
	f, err := calibration.LoadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	paper, _ := calibration.Load("paper")
	if f.Name != "node1" || f.GHz != p.GHz {
		t.Errorf("name %q ghz %v, want node1 %v", f.Name, f.GHz, p.GHz)
	}
	want := calibration.Layer(paper, p).Costs
	if len(f.Costs) != len(want) {
		t.Fatalf("%d entries, want %d (paper %d, derived %d)", len(f.Costs), len(want), len(paper.Costs), len(p.Costs))
	}
	for i := range want {
		if f.Costs[i] != want[i] {
			t.Errorf("cost[%d] = %+v, want %+v", i, f.Costs[i], want[i])
		}
	}
	if len(f.RuleCosts) != len(paper.RuleCosts) {
		t.Errorf("%d rule costs, want paper's %d", len(f.RuleCosts), len(paper.RuleCosts))
	}
	sc := func(profile string) string {
		s := filepath.Join(dir, "s.toml")
		os.WriteFile(s, []byte("duration = \"20ms\"\nwarmup = \"5ms\"\nreplications = 1\n[calibration]\nprofile = \""+profile+"\"\n"), 0o644)
		return s
	}
	if code, _, stderr := cli("validate", sc("part.toml")); code != 2 || !strings.Contains(stderr, "no cost for stage") {
		t.Errorf("partial profile: exit %d, %s", code, stderr)
	}
	if code, out, stderr := cli("validate", sc("node1.toml")); code != 0 {
		t.Errorf("--base profile: exit %d, %s%s", code, out, stderr)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{perfArgs(fix, "6464", "--base", "paper"), "--base needs --out"},
		{perfArgs(fix, "6464", "--out", filepath.Join(dir, "x.toml"), "--base", "nosuch"), `--base: unknown calibration profile "nosuch"`},
	} {
		if code, _, stderr := invoke(c.args...); code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, %q, want %q", c.args, code, stderr, c.want)
		}
	}
}
