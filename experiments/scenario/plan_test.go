package scenario

import (
	"reflect"
	"strings"
	"testing"
)

// Points are the cartesian product in sorted key order, values in file
// order, the last key varying fastest; params carry canonical values.
func TestSweepExpansion(t *testing.T) {
	t.Parallel()
	src := `[sweep]
"cni.mode" = ["vxlan", "host-gw"]
"cluster.mtu" = [9000, 1500]
"cluster.cpu_ghz" = [2, 3.5]
duration = ["2000ms", "3s"]
`
	p, err := Load("f.toml", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Len() != 16 {
		t.Fatalf("%d points, want 2x2x2x2", p.Len())
	}
	wantKeys := []string{"cluster.cpu_ghz", "cluster.mtu", "cni.mode", "duration"}
	for i, a := range p.Axes {
		if a.Key != wantKeys[i] {
			t.Fatalf("axis %d is %s, want %s", i, a.Key, wantKeys[i])
		}
	}
	// Canonical values: integer 2 for a float key is 2.0; "2000ms" is "2s".
	if !reflect.DeepEqual(p.Axes[0].Values, []any{2.0, 3.5}) || !reflect.DeepEqual(p.Axes[3].Values, []any{"2s", "3s"}) {
		t.Errorf("canonical values %v %v", p.Axes[0].Values, p.Axes[3].Values)
	}
	var got []string
	for i := range p.Len() {
		got = append(got, FormatParams(p.Point(i).Params))
	}
	if got[0] != `{cluster.cpu_ghz=2.0, cluster.mtu=9000, cni.mode="vxlan", duration="2s"}` ||
		got[1] != `{cluster.cpu_ghz=2.0, cluster.mtu=9000, cni.mode="vxlan", duration="3s"}` ||
		got[2] != `{cluster.cpu_ghz=2.0, cluster.mtu=9000, cni.mode="host-gw", duration="2s"}` ||
		got[15] != `{cluster.cpu_ghz=3.5, cluster.mtu=1500, cni.mode="host-gw", duration="3s"}` {
		t.Errorf("order:\n%v", got)
	}
	pt := p.Point(15)
	if pt.Scenario.Cluster.CPUGHz != 3.5 || pt.Scenario.Cluster.MTU != 1500 || pt.Scenario.CNI.Mode != "host-gw" || len(pt.Scenario.Sweep) != 0 {
		t.Errorf("point 15 scenario %+v", pt.Scenario)
	}
	// Points are independent copies.
	pt.Scenario.Calibration.Cycles["veth"] = 1
	if _, ok := p.Point(15).Scenario.Calibration.Cycles["veth"]; ok {
		t.Error("points share state")
	}
}

func TestNoSweepIsOnePoint(t *testing.T) {
	t.Parallel()
	p, err := Load("f.toml", nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Len() != 1 || len(p.Point(0).Params) != 0 {
		t.Errorf("len %d params %v", p.Len(), p.Point(0).Params)
	}
}

// A stage's cost multiplier sweeps like any key, and Resolved writes it
// in its own table, which loads back to the same point.
func TestSweepScale(t *testing.T) {
	t.Parallel()
	p, err := Load("f.toml", []byte("[calibration.scale]\nnetfilter = 2\n[sweep]\n\"calibration.scale.vxlan\" = [0.8, 1, 1.2]\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	sc := p.Point(2).Scenario
	if sc.Calibration.Scale["vxlan"] != 1.2 || sc.Calibration.Scale["netfilter"] != 2 || p.Point(0).Scenario.Calibration.Scale["vxlan"] != 0.8 {
		t.Errorf("scale sweep: %v, point 0 %v", sc.Calibration.Scale, p.Point(0).Scenario.Calibration.Scale)
	}
	var b strings.Builder
	if err := sc.Resolved(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "\n[calibration.scale]\nnetfilter = 2.0\nvxlan = 1.2\n") {
		t.Errorf("Resolved lacks the scale table:\n%s", b.String())
	}
	back, err := Load("r.toml", []byte(b.String()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Base.Calibration.Scale, sc.Calibration.Scale) {
		t.Errorf("round trip: %v, want %v", back.Base.Calibration.Scale, sc.Calibration.Scale)
	}
	o, err := ParseSet("calibration.scale.socket_copy=1.5")
	if err != nil || o.Key != "calibration.scale.socket_copy" {
		t.Errorf("--set: %+v %v", o, err)
	}
}

func TestSweepCycles(t *testing.T) {
	t.Parallel()
	p, err := Load("f.toml", []byte("[sweep]\n\"calibration.cycles.vxlan\" = [450, 900]\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Point(1).Scenario.Calibration.Cycles["vxlan"] != 900 {
		t.Error("cycles sweep not applied")
	}
	if !reflect.DeepEqual(p.Axes[0].Values, []any{450.0, 900.0}) {
		t.Errorf("values %v", p.Axes[0].Values)
	}
}

// [calibration.scale] also takes rules (the [[rule_cost]] entries);
// [calibration.cycles] does not, and a wrong name lists both.
func TestScaleRulesKey(t *testing.T) {
	t.Parallel()
	p, err := Load("f.toml", []byte("[calibration.scale]\nrules = 2\n"), Options{})
	if err != nil || p.Base.Calibration.Scale["rules"] != 2 {
		t.Fatalf("scale rules: %v %v", err, p)
	}
	var b strings.Builder
	if err := p.Base.Resolved(&b); err != nil || !strings.Contains(b.String(), "[calibration.scale]\nrules = 2.0\n") {
		t.Errorf("Resolved: %v\n%s", err, b.String())
	}
	if _, err := Load("f.toml", []byte("[calibration.cycles]\nrules = 2\n"), Options{}); err == nil {
		t.Error("calibration.cycles.rules accepted")
	}
	_, err = ParseSet("calibration.scale.rulez=2")
	if err == nil || !strings.Contains(err.Error(), "or rules (the [[rule_cost]] entries)") {
		t.Errorf("a wrong scale name: %v", err)
	}
}

// [calibration.scale] takes the offloads' per-frame costs too.
func TestScaleFrameKeys(t *testing.T) {
	t.Parallel()
	p, err := Load("f.toml", []byte("[calibration.scale]\ngro_frame = 1.2\n[sweep]\n\"calibration.scale.gso_segment\" = [0.8, 1.2]\n"), Options{})
	if err != nil || p.Base.Calibration.Scale["gro_frame"] != 1.2 || p.Len() != 2 || p.Point(1).Scenario.Calibration.ScaleOf("gso_segment") != 1.2 {
		t.Fatalf("scale frame keys: %v %v", err, p)
	}
	if _, err := Load("f.toml", []byte("[calibration.scale]\ngro_frame = -1\n"), Options{}); err == nil || !strings.Contains(err.Error(), "calibration.scale.gro_frame") {
		t.Errorf("a negative factor: %v", err)
	}
}
