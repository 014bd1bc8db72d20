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
