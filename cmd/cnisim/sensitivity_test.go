package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/experiments/experimentstest"
)

// The plumbing, with the fake model (which ignores the profile: every
// elasticity 0): the stages the base run crossed are varied, the files
// written whole, the same bytes whatever --parallel.
func TestSensitivityFake(t *testing.T) {
	withModel(t, experimentstest.Fake)
	old := pathStages
	pathStages = nil // the fake's cpp_by_stage says which stages
	t.Cleanup(func() { pathStages = old })
	tmp := t.TempDir()
	out := func(name string, args ...string) []byte {
		t.Helper()
		dir := filepath.Join(tmp, name)
		code, _, stderr := cli(append([]string{"sensitivity", smallScenario, "--reps", "2", "--out", dir}, args...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if !strings.Contains(stderr, "the run crosses 2 stages: veth, vxlan; 4 more runs") {
			t.Errorf("stderr: %s", stderr)
		}
		b, err := os.ReadFile(filepath.Join(dir, "sensitivity.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"results.json", "results.csv", "scenario.toml", "sensitivity.csv"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Error(err)
			}
		}
		return b
	}
	one := out("p1", "--parallel", "1")
	if two := out("p2", "--parallel", "2"); string(two) != string(one) {
		t.Errorf("--parallel 2 gave other elasticities:\n%s", firstDiff(one, two))
	}
	var doc struct {
		Step   float64
		Points []struct {
			Stages map[string]map[string]any
		}
	}
	if err := json.Unmarshal(one, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Step != 0.2 || len(doc.Points) != 4 || len(doc.Points[0].Stages) != 2 {
		t.Fatalf("sensitivity.json: %+v", doc)
	}
	if e, ok := doc.Points[0].Stages["vxlan"]["throughput_mbps"].(map[string]any); !ok || e["elasticity"] != 0.0 {
		t.Errorf("sensitivity.json, vxlan's throughput: %v, want an elasticity of 0 (the fake ignores costs)", doc.Points[0].Stages["vxlan"])
	}
}

// With the simulator: a one-core request-response whose every packet
// crosses the VXLAN stage slows as that stage dears (a negative
// elasticity, resolved), and hinges on it more than on veth's.
func TestSensitivityRealSimulator(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: 5 short runs of the simulator")
	}
	withRealSimulator(t)
	dir := t.TempDir()
	sc := filepath.Join(dir, "rr.toml")
	if err := os.WriteFile(sc, []byte(`name = "rr"
replications = 2
duration = "60ms"
warmup = "10ms"
[cluster]
cpu_jitter = 0.1
[cni]
plugin = "flannel"
mode = "vxlan"
[workload]
kind = "tcp_rr"
`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := cli("sensitivity", sc, "--stages", "veth,vxlan", "--metric", "transactions_per_s", "--format", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	e := map[string]float64{}
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n")[1:] {
		f := strings.Split(l, ",")
		var v float64
		if err := json.Unmarshal([]byte(f[3]), &v); err != nil { // stage, provenance, metric, elasticity
			t.Fatalf("%q: %v", l, err)
		}
		e[f[0]] = v
	}
	if !(e["vxlan"] < -0.01) || !(e["vxlan"] < e["veth"]) || e["veth"] > 0 {
		t.Errorf("elasticities of transactions_per_s %v: want vxlan's negative and below veth's", e)
	}
}

// With offloads, one stream at 100 Gbit/s is bound by the receiving
// core's per-frame GRO work: sensitivity varies gro_frame without being
// told (and not netdev, where the model books those cycles but the
// profile prices nothing), and the throughput hinges on it most.
func TestSensitivityFrameStages(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: 23 short runs of the simulator")
	}
	withRealSimulator(t)
	sc := filepath.Join(t.TempDir(), "gro.toml")
	if err := os.WriteFile(sc, []byte(`name = "gro"
replications = 2
duration = "30ms"
warmup = "5ms"
[cluster]
link_gbps = 100
offloads = true
[cni]
plugin = "flannel"
mode = "vxlan"
[workload]
kind = "tcp_stream"
`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := cli("sensitivity", sc, "--metric", "throughput_mbps", "--format", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "gro_frame") || strings.Contains(stderr, "netdev") {
		t.Errorf("the stages varied: %s", stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	f := strings.Split(lines[1], ",") // the first stage: the one the metric depends on most
	var e float64
	if err := json.Unmarshal([]byte(f[3]), &e); err != nil || f[0] != "gro_frame" || f[1] != "measured" || !(e < -0.5) {
		t.Errorf("first row %q (%v): want gro_frame, measured, an elasticity below -0.5", lines[1], err)
	}
}

// Bad input: exit 2, the flag named.
func TestSensitivityBadInput(t *testing.T) {
	withModel(t, experimentstest.Fake)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--step", "1.5"}, "--step 1.5: want a step in (0, 0.9]"},
		{[]string{"--step", "big"}, `--step "big": want a fraction or a percentage`},
		{[]string{"--stages", "vxlam"}, "--stages vxlam: not a stage (allowed: veth, "},
		{[]string{"--metric", "fct_us"}, "--metric: the run reports no fct_us"},
		{[]string{"--format", "xml"}, `unknown format "xml"`},
		{[]string{"--format", "csv-long"}, "--format csv-long: sensitivity prints table, json or csv"},
	} {
		code, stdout, stderr := cli(append([]string{"sensitivity", smallScenario, "--reps", "2"}, tc.args...)...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q: want exit 2 and %q", tc.args, code, stdout, stderr, tc.want)
		}
	}
	withRealSimulator(t)
	code, _, stderr := cli("sensitivity", smallScenario, "--set", "calibration.profile=testbed-vm-6.18-xeon", "--stages", "ovs")
	if code != 2 || !strings.Contains(stderr, "prices no ovs stage") {
		t.Errorf("a stage the profile does not price: exit %d: %s", code, stderr)
	}
	sc := filepath.Join(t.TempDir(), "swept.toml")
	os.WriteFile(sc, []byte("name = \"s\"\n[sweep]\n\"calibration.scale.vxlan\" = [1, 2]\n"), 0o644)
	if code, _, stderr := cli("sensitivity", sc); code != 2 || !strings.Contains(stderr, "the scenario sweeps calibration.scale.vxlan") {
		t.Errorf("a swept scale: exit %d: %s", code, stderr)
	}
}
