package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/calibration"
)

// recordedGRO is the committed GRO benchmark run.
const recordedGRO = "../../testbed/testdata/gro-run1"

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

func TestTestbedGROUsage(t *testing.T) {
	dir := t.TempDir()
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
