package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/experiments/experimentstest"
)

// --baseline writes comparison.json and .csv and a table: the same bytes
// whatever --parallel, and from a merge of shards given the baseline.
func TestBaselineRunAndMerge(t *testing.T) {
	withModel(t, experimentstest.Fake)
	tmp := t.TempDir()
	read := func(dir, f string) []byte {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	single := filepath.Join(tmp, "single")
	code, stdout, stderr := cli("run", smallScenario, "--reps", "3", "--baseline", "cni.mode=host-gw", "--out", single, "--format", "table", "--parallel", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, w := range []string{"paired differences against cni.mode=host-gw", "cluster.mtu=9000  cni.mode=vxlan  minus  cluster.mtu=9000  cni.mode=host-gw", "±ci95 unpaired"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("the table lacks %q:\n%s", w, stdout)
		}
	}
	js := read(single, "comparison.json")
	if !bytes.Contains(js, []byte(`"throughput_mbps": {"baseline": `)) || bytes.Count(js, []byte(`"params"`)) != 2 {
		t.Fatalf("comparison.json: want the two vxlan points, throughput among their metrics:\n%s", js)
	}
	csv := read(single, "comparison.csv")
	if code, _, stderr := cli("run", smallScenario, "--reps", "3", "--baseline", "cni.mode=host-gw", "--out", filepath.Join(tmp, "p2"), "--parallel", "2"); code != 0 {
		t.Fatalf("--parallel 2: exit %d: %s", code, stderr)
	}
	if got := read(filepath.Join(tmp, "p2"), "comparison.json"); !bytes.Equal(got, js) {
		t.Errorf("--parallel 2: comparison.json differs:\n%s", firstDiff(js, got))
	}
	shards := filepath.Join(tmp, "shards")
	runShards(t, shards, 4, "--reps", "3")
	merged := filepath.Join(tmp, "merged")
	if code, _, stderr := cli("merge", shards, "--out", merged, "--baseline", "cni.mode=host-gw"); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	if got := read(merged, "comparison.json"); !bytes.Equal(got, js) {
		t.Errorf("merge: comparison.json differs from the single run's:\n%s", firstDiff(js, got))
	}
	if got := read(merged, "comparison.csv"); !bytes.Equal(got, csv) {
		t.Errorf("merge: comparison.csv differs from the single run's:\n%s", firstDiff(csv, got))
	}
	// without --baseline: no comparison files, no comparison table
	plain := filepath.Join(tmp, "plain")
	code, stdout, _ = cli("run", smallScenario, "--reps", "2", "--out", plain, "--format", "table")
	if code != 0 || strings.Contains(stdout, "paired") {
		t.Errorf("without --baseline: exit %d, a comparison in the table: %v", code, strings.Contains(stdout, "paired"))
	}
	if _, err := os.Stat(filepath.Join(plain, "comparison.json")); err == nil {
		t.Error("without --baseline: comparison.json written")
	}
}

// A baseline off the sweep is bad input (exit 2) naming the flag and what
// is allowed; nothing runs.
func TestBaselineBadInput(t *testing.T) {
	withModel(t, experimentstest.Fake)
	tmp := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", smallScenario, "--baseline", "cluster.mtu=1400"}, "cluster.mtu = 1400: not one of the swept values (1500, 9000)"},
		{[]string{"run", smallScenario, "--baseline", "cluster.nodes=4"}, "cluster.nodes: not a swept key (swept: cluster.mtu, cni.mode)"},
		{[]string{"run", smallScenario, "--baseline", "mtu"}, "--baseline mtu: want key=value"},
		{[]string{"run", smallScenario, "--baseline", "cluster.mtu=big"}, "--baseline cluster.mtu=big: cluster.mtu"},
		{[]string{"run", smallScenario, "--baseline", "cni.mode=vxlan", "--shard", "0/2", "--out", filepath.Join(tmp, "s")}, "pass it to cnisim merge"},
	} {
		code, stdout, stderr := cli(tc.args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q: want exit 2 and %q", tc.args, code, stdout, stderr, tc.want)
		}
	}
	shards := filepath.Join(tmp, "shards")
	runShards(t, shards, 2, "--reps", "2")
	code, _, stderr := cli("merge", shards, "--out", filepath.Join(tmp, "m"), "--baseline", "cni.mode=ipip")
	if code != 2 || !strings.Contains(stderr, `not one of the swept values ("vxlan", "host-gw")`) {
		t.Errorf("merge: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(tmp, "m")); err == nil {
		t.Error("a refused merge wrote its output directory")
	}
}
