package scenario

import (
	"path/filepath"
	"strings"
	"testing"
)

// File paths in a scenario resolve against its directory with
// PathsFromFile; built-in names, absolute paths and overrides are kept.
func TestPathsFromFile(t *testing.T) {
	text := "[cni]\nplugin = \"models/my.toml\"\n[calibration]\nprofile = [\"paper\", \"node1.toml\", \"/abs/p.toml\"]\n" +
		"[sweep]\n\"calibration.profile\" = [\"x.toml\", [\"paper\", \"y.toml\"]]\n"
	file := filepath.Join("dir", "sub", "s.toml")
	for _, c := range []struct {
		name                    string
		opt                     Options
		plugin, profile, sweep0 string
	}{
		{"from the file", Options{PathsFromFile: true}, "dir/sub/models/my.toml", "paper,dir/sub/node1.toml,/abs/p.toml", "dir/sub/x.toml"},
		{"as written", Options{}, "models/my.toml", "paper,node1.toml,/abs/p.toml", "x.toml"},
		{"--set stays relative to the working directory", Options{PathsFromFile: true,
			Overrides: []Override{{Key: "calibration.profile", Value: "paper,here.toml", Source: "--set"}}}, "dir/sub/models/my.toml", "paper,here.toml", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := Load(file, []byte(text), c.opt)
			if err != nil {
				t.Fatal(err)
			}
			if p.Base.CNI.Plugin != c.plugin || p.Base.Calibration.Profile != c.profile {
				t.Errorf("plugin %q profile %q, want %q %q", p.Base.CNI.Plugin, p.Base.Calibration.Profile, c.plugin, c.profile)
			}
			if c.sweep0 == "" {
				return
			}
			if got := p.Point(0).Scenario.Calibration.Profile; got != c.sweep0 {
				t.Errorf("point 0 profile %q, want %q", got, c.sweep0)
			}
			if got := p.Point(1).Scenario.Calibration.Profile; !strings.HasSuffix(got, "y.toml") || !strings.HasPrefix(got, "paper,") {
				t.Errorf("point 1 profile %q", got)
			}
		})
	}
}

func TestProfileListErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ text, want string }{
		{"[calibration]\nprofile = []\n", "non-empty array"},
		{"[calibration]\nprofile = [\"paper\", 1]\n", "layer 2: want a string"},
		{"[calibration]\nprofile = [\"paper\", \"a,b.toml\"]\n", "without \",\""},
		{"[calibration]\nprofile = [\"paper\", \" \"]\n", "layer 2: want a non-empty name"},
	} {
		_, err := Load("s.toml", []byte(c.text), Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "s.toml:2") {
			t.Errorf("%q: %v, want s.toml:2 and %q", c.text, err, c.want)
		}
	}
}
