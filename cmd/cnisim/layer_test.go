package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A partial measured profile layered over "paper", named relative to the
// scenario file, validates and runs from another working directory; the
// partial profile alone is refused, and a missing file's error says where
// it was looked for.
func TestLayeredProfileRelativePaths(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "sub")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	node := "name = \"node1\"\ncpu_ghz = 2.4\n[[cost]]\nstage = \"veth\"\ncycles = 1234\nprovenance = \"assumed\"\nsource = \"test: a partial profile\"\n"
	if err := os.WriteFile(filepath.Join(dir, "node1.toml"), []byte(node), 0o644); err != nil {
		t.Fatal(err)
	}
	write := fileWriter(t, dir)
	short := "duration = \"20ms\"\nwarmup = \"5ms\"\nreplications = 1\n"
	cases := []struct {
		name, text string
		args       []string
		code       int
		want       string // in stdout+stderr
	}{
		{"array, relative to the file", short + "[calibration]\nprofile = [\"paper\", \"node1.toml\"]\n", nil, 0, "valid scenario"},
		{"string list", short + "[calibration]\nprofile = \"paper,node1.toml\"\n", nil, 0, "valid scenario"},
		{"validate tells the layers", short + "[calibration]\nprofile = [\"paper\", \"node1.toml\"]\n", nil, 0, "0 replace earlier entries, 1 add)\n  layered profile \"paper+node1\""},
		{"partial alone", short + "[calibration]\nprofile = \"node1.toml\"\n", nil, 2, "no cost for stage"},
		{"missing layer says where", short + "[calibration]\nprofile = [\"paper\", \"nosuch.toml\"]\n", nil, 2, filepath.Join(dir, "nosuch.toml")},
		{"--set is relative to the working directory", short, []string{"--set", "calibration.profile=paper,node1.toml"}, 2, "looked for " + mustAbs(t, "node1.toml")},
		{"not a string", short + "[calibration]\nprofile = [\"paper\", 3]\n", nil, 2, "layer 2: want a string"},
		{"empty array", short + "[calibration]\nprofile = []\n", nil, 2, "non-empty array"},
		{"a shadowed generic entry is warned about", short + "[calibration]\nprofile = [\"paper\", \"node1.toml\"]\n", nil, 0, "warning: calibration.profile layer 2 (" + filepath.Join(dir, "node1.toml") + "): "},
		{"sweep over layered profiles", short + "[sweep]\n\"calibration.profile\" = [\"paper\", [\"paper\", \"node1.toml\"]]\n", nil, 0, "2 point(s) over calibration.profile"},
		{"plugin relative to the file", short + "[cni]\nplugin = \"nosuch-plugin.toml\"\n", nil, 2, "looked for " + filepath.Join(dir, "nosuch-plugin.toml")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := write("s.toml", c.text)
			cmd := "validate"
			if len(c.args) > 0 { // validate has no --set
				cmd = "run"
			}
			code, stdout, stderr := cli(append([]string{cmd, p}, c.args...)...)
			if code != c.code || !strings.Contains(stdout+stderr, c.want) {
				t.Errorf("exit %d, want %d; output %q, want %q", code, c.code, stdout+stderr, c.want)
			}
		})
	}
	p := write("s.toml", cases[0].text)
	code, stdout, stderr := cli("run", p, "--format", "json")
	if code != 0 || !strings.Contains(stdout, "throughput_mbps") {
		t.Fatalf("run: exit %d: %s %s", code, stdout, stderr)
	}
}

func mustAbs(t *testing.T, p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// submit maps each file layer of a layered profile on its own.
func TestSubmitLayeredProfile(t *testing.T) {
	t.Parallel()
	to := layered(func(key, p string) (string, error) { return "/mnt/" + filepath.Base(p), nil })
	for _, c := range []struct{ key, in, want string }{
		{"calibration.profile", "paper,sub/node1.toml", "paper,/mnt/node1.toml"},
		{"calibration.profile", "a.toml,b.toml", "/mnt/a.toml,/mnt/b.toml"},
		{"calibration.profile", "sub/one.toml", "/mnt/one.toml"},
		{"cni.plugin", "x,y.toml", "/mnt/x,y.toml"},
	} {
		if got, err := to(c.key, c.in); err != nil || got != c.want {
			t.Errorf("%s %q -> %q, %v; want %q", c.key, c.in, got, err, c.want)
		}
	}
}
