package main

import (
	"bytes"

	"github.com/cnisim/cnisim/calibration"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recordedAEAD is the committed AEAD benchmark run.
const recordedAEAD = "../../testbed/testdata/aead-run1"

// The built-in layer aead-vm-6.18 is `testbed aead layer` of the
// committed run, byte for byte below its header comment.
func TestTestbedAEADRecorded(t *testing.T) {
	out := filepath.Join(t.TempDir(), "l.toml")
	if code, _, stderr := invoke("testbed", "aead", "layer", recordedAEAD, "--name", "aead-vm-6.18", "--cpu-ghz", "2.4", "--out", out); code != 0 {
		t.Fatalf("aead layer: exit %d: %s", code, stderr)
	}
	builtin, err := os.ReadFile("../../calibration/profiles/aead-vm-6.18.toml")
	if err != nil {
		t.Fatal(err)
	}
	body := builtin
	for bytes.HasPrefix(body, []byte("#")) {
		body = body[bytes.IndexByte(body, '\n')+1:]
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, body) {
		t.Errorf("calibration/profiles/aead-vm-6.18.toml is not `testbed aead layer %s --name aead-vm-6.18 --cpu-ghz 2.4` below its comment: regenerate it", recordedAEAD)
	}
	// layered over paper it replaces paper's three encrypt entries (each
	// of its own key), and the rest and the clock are paper's
	m, err := calibration.LoadLayers("paper,aead-vm-6.18")
	if err != nil {
		t.Fatal(err)
	}
	paper, _ := calibration.Builtin("paper")
	n := 0
	for _, e := range m.Costs {
		if e.Stage == "encrypt" {
			n++
			if !strings.Contains(e.Source, "cnisim testbed aead") {
				t.Errorf("encrypt entry %q %q not from the layer: %s", e.Plugin, e.Mode, e.Source)
			}
		}
	}
	if n != 3 || len(m.Costs) != len(paper.Costs) || m.GHz != paper.GHz {
		t.Errorf("layered: %d encrypt entries, %d costs (paper %d), %g GHz (paper %g)", n, len(m.Costs), len(paper.Costs), m.GHz, paper.GHz)
	}
}

func TestTestbedAEADUsage(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"testbed", "aead"}, "testbed aead: missing subcommand (run or layer)"},
		{[]string{"testbed", "aead", "fly"}, `testbed aead: unknown subcommand "fly" (valid: run, layer)`},
		{[]string{"testbed", "aead", "run"}, "--out DIR is required"},
		{[]string{"testbed", "aead", "run", "--out", dir, "--sizes", "1400"}, "two or more sizes"},
		{[]string{"testbed", "aead", "run", "--out", dir, "--sizes", "64,x"}, `size "x" is not an integer 1..65536`},
		{[]string{"testbed", "aead", "run", "--out", dir, "--reps", "0"}, "--reps must be 1..50"},
		{[]string{"testbed", "aead", "layer", recordedAEAD}, "--out LAYER.toml is required"},
		{[]string{"testbed", "aead", "layer", "--out", "x.toml"}, "missing the run DIR"},
		{[]string{"testbed", "aead", "layer", dir, "--out", filepath.Join(dir, "l.toml")}, "aead.json"},
		{[]string{"testbed", "aead", "layer", recordedAEAD, "--cpu-ghz", "-1", "--out", filepath.Join(dir, "l.toml")}, "--cpu-ghz must be 0"},
	} {
		code, _, stderr := invoke(c.args...)
		if code != 2 || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.msg)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "l.toml")); err == nil {
		t.Error("a failed layer wrote its file")
	}
}
