package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every example scenario a user starts from validates.
func TestValidateExamples(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("../../scenarios/*.toml")
	if len(files) < 4 {
		t.Fatalf("found %d example scenarios", len(files))
	}
	for _, f := range files {
		code, stdout, stderr := cli("validate", f)
		if code != 0 || !strings.Contains(stdout, "valid scenario") {
			t.Errorf("%s: exit %d: %s%s", f, code, stdout, stderr)
		}
	}
}

func TestValidateBad(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	cases := []struct{ text, want string }{
		{"[cluster]\nnodes = 0\n", "x.toml:2: cluster.nodes = 0: out of range"},
		{"name = \"x\"\ncpu_ghz = 2.4\n[[cost]]\nstage = \"veth\"\n", "unknown provenance"},
		{"[cluster\n", "TOML syntax"},
		{"\"\r\n", "x.toml:1: TOML syntax"}, // the library says line 0: was "x.toml:0:"
		{"[sweep]\n\"cni.mode\" = 3\n", "want an array"},
	}
	for _, c := range cases {
		p := filepath.Join(tmp, "x.toml")
		os.WriteFile(p, []byte(c.text), 0o644)
		code, _, stderr := cli("validate", p)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, stderr %q, want %q", c.text, code, stderr, c.want)
		}
	}
	if code, _, _ := cli("validate"); code != 2 {
		t.Errorf("no file: exit %d", code)
	}
}

// validate --costs lists each point's stage costs with their provenance
// and source; the overrides of the scenario are in them; a file that is
// not a scenario is refused.
func TestValidateCosts(t *testing.T) {
	withRealSimulator(t)
	dir := t.TempDir()
	sc := filepath.Join(dir, "c.toml")
	if err := os.WriteFile(sc, []byte(`name = "c"
[cni]
plugin = "flannel"
[calibration.cycles]
vxlan = 700
[sweep]
"cni.mode" = ["vxlan", "host-gw"]
`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := cli("validate", "--costs", sc)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, w := range []string{`{cni.mode="vxlan"}`, `{cni.mode="host-gw"}`, "provenance", "source",
		"vxlan                4        700         0  assumed    override", "netfilter            8     977.78         0  assumed    paper III.C"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("validate --costs lacks %q:\n%s", w, stdout)
		}
	}
	if strings.Count(stdout, "vxlan  ") != 1 {
		t.Errorf("host-gw crosses no vxlan stage:\n%s", stdout)
	}
	if code, _, stderr := cli("validate", "--costs", "../../calibration/profiles/paper.toml"); code != 2 || !strings.Contains(stderr, "is not a scenario") {
		t.Errorf("--costs on a profile: exit %d: %s", code, stderr)
	}
}
