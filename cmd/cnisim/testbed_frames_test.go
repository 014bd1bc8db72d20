package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/calibration"
)

// recordedGRO and recordedGSO are the committed runs of the two
// benchmarks.
const (
	recordedGRO = "../../testbed/testdata/gro-run1"
	recordedGSO = "../../testbed/testdata/gso-run1"
)

// The built-in layer gro-vm-6.18 is `testbed gro layer` of the committed
// run, byte for byte below its header comment.
func TestTestbedGRORecorded(t *testing.T) {
	out := filepath.Join(t.TempDir(), "l.toml")
	if code, _, stderr := invoke("testbed", "gro", "layer", recordedGRO, "--name", "gro-vm-6.18", "--out", out); code != 0 {
		t.Fatalf("gro layer: exit %d: %s", code, stderr)
	}
	builtin, err := os.ReadFile("../../calibration/profiles/gro-vm-6.18.toml")
	if err != nil {
		t.Fatal(err)
	}
	body := builtin
	for bytes.HasPrefix(body, []byte("#")) {
		body = body[bytes.IndexByte(body, '\n')+1:]
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, body) {
		t.Errorf("calibration/profiles/gro-vm-6.18.toml is not `testbed gro layer %s --name gro-vm-6.18` below its comment: regenerate it", recordedGRO)
	}
	// layered over paper it adds the gro_frame entries, and the costs
	// and the clock are paper's
	m, err := calibration.LoadLayers("paper,gro-vm-6.18")
	if err != nil {
		t.Fatal(err)
	}
	paper, _ := calibration.Builtin("paper")
	frame, ok := m.GROFrameCycles("")
	vx, vok := m.GROFrameCycles("vxlan")
	if !ok || !vok || !(frame > 0) || !(vx > 0) || len(m.Costs) != len(paper.Costs) || m.GHz != paper.GHz {
		t.Errorf("layered: gro_frame %v %v, vxlan %v %v, %d costs (paper %d), %g GHz (paper %g)", frame, ok, vx, vok, len(m.Costs), len(paper.Costs), m.GHz, paper.GHz)
	}
}

// testbed gso layer of the committed run writes [[gso_segment]] entries
// only; layered over paper they replace the default per-segment cost, and
// the costs and clock stay paper's.
func TestTestbedGSORecorded(t *testing.T) {
	out := filepath.Join(t.TempDir(), "l.toml")
	code, _, stderr := invoke("testbed", "gso", "layer", recordedGSO, "--name", "gso-vm", "--out", out)
	if code != 0 {
		t.Fatalf("gso layer: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "2 gso_segment entries") {
		t.Errorf("stderr %q", stderr)
	}
	m, err := calibration.LoadLayers("paper," + out)
	if err != nil {
		t.Fatal(err)
	}
	paper, _ := calibration.Builtin("paper")
	seg, ok := m.GSOSegmentCycles("")
	vx, vok := m.GSOSegmentCycles("vxlan")
	// the run's medians (testbed/testdata/gso-run1/README.md): 704 per
	// plain segment, 64 more per VXLAN one
	if !ok || !vok || math.Abs(seg-704) > 1 || math.Abs(vx-64.38) > 1 || len(m.GROFrames) != 0 || len(m.Costs) != len(paper.Costs) || m.GHz != paper.GHz {
		t.Errorf("layered: gso_segment %v %v, vxlan %v %v, %d gro_frame, %d costs (paper %d), %g GHz (paper %g)", seg, ok, vx, vok, len(m.GROFrames), len(m.Costs), len(paper.Costs), m.GHz, paper.GHz)
	}
	// a GRO run is not a GSO run, nor the other way round
	if code, _, stderr := invoke("testbed", "gso", "layer", recordedGRO, "--out", out); code != 2 || !strings.Contains(stderr, "gso.json") {
		t.Errorf("gso layer of a GRO run: exit %d, %s", code, stderr)
	}
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join(recordedGSO, "gso.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "gro.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := invoke("testbed", "gro", "layer", dir, "--out", out); code != 2 || !strings.Contains(stderr, `kind "gso", want gro`) {
		t.Errorf("gro layer of a GSO run: exit %d, %s", code, stderr)
	}
}

func TestTestbedGROUsage(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"testbed", "gso"}, "testbed gso: missing subcommand (run or layer)"},
		{[]string{"testbed", "gso", "fly"}, `testbed gso: unknown subcommand "fly" (valid: run, layer)`},
		{[]string{"testbed", "gso", "run", "--out", dir, "--reps", "51"}, "--reps must be 1..50"},
		{[]string{"testbed", "gso", "run", "--out", dir, "--tunnels", "vxlan"}, "must include none"},
		{[]string{"testbed", "gso", "layer", dir, "--out", filepath.Join(dir, "l.toml")}, "gso.json"},
	} {
		code, _, stderr := invoke(c.args...)
		if code != 2 || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.msg)
		}
	}
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"testbed", "gro"}, "testbed gro: missing subcommand (run or layer)"},
		{[]string{"testbed", "gro", "fly"}, `testbed gro: unknown subcommand "fly" (valid: run, layer)`},
		{[]string{"testbed", "gro", "run"}, "--out DIR is required"},
		{[]string{"testbed", "gro", "run", "--out", dir, "--tunnels", "none,geneve"}, `--tunnels "none,geneve": unknown tunnel "geneve" (allowed: none, vxlan, gre, ipip)`},
		{[]string{"testbed", "gro", "run", "--out", dir, "--tunnels", "vxlan"}, "must include none"},
		{[]string{"testbed", "gro", "run", "--out", dir, "--dur", "100ms"}, "--dur must be 0.5s..5m"},
		{[]string{"testbed", "gro", "run", "--out", dir, "--dur", "ten"}, "--dur"},
		{[]string{"testbed", "gro", "run", "--out", dir, "--reps", "0"}, "--reps must be 1..50"},
		{[]string{"testbed", "gro", "layer", recordedGRO}, "--out LAYER.toml is required"},
		{[]string{"testbed", "gro", "layer", "--out", "x.toml"}, "missing the run DIR"},
		{[]string{"testbed", "gro", "layer", dir, "--out", filepath.Join(dir, "l.toml")}, "gro.json"},
		{[]string{"testbed", "gro", "layer", recordedGRO, "--cpu-ghz", "-1", "--out", filepath.Join(dir, "l.toml")}, "--cpu-ghz must be 0"},
	} {
		code, _, stderr := invoke(c.args...)
		if code != 2 || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.msg)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "l.toml")); err == nil {
		t.Error("a failed layer wrote its file")
	}
	if _, err := os.Stat(filepath.Join(dir, "gro.json")); err == nil {
		t.Error("a refused run wrote gro.json")
	}
}
