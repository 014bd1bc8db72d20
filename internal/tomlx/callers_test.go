package tomlx_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/calibration/perf"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/models/cni"
	"github.com/cnisim/cnisim/models/podlaunch"
)

// decodersOf decodes doc as each file format the project reads, as file
// f.toml.
func decodersOf(doc []byte) map[string]func() error {
	return map[string]func() error{
		"scenario":          func() error { _, err := scenario.Decode("f.toml", doc); return err },
		"profile":           func() error { _, err := calibration.Parse(doc, "f.toml"); return err },
		"perf map":          func() error { _, err := perf.ParseMapping(doc, "f.toml"); return err },
		"cni model":         func() error { _, err := cni.Parse("f.toml", doc); return err },
		"podlaunch plugin":  func() error { _, err := podlaunch.ParsePlugin(doc, "f.toml"); return err },
		"podlaunch cluster": func() error { _, err := podlaunch.ParseCluster(doc, "f.toml"); return err },
	}
}

// Every strict decoder refuses the issue-19 reproducer (40 KB of nested
// inline tables, 3.7 GB inside the TOML library) at once, with the file
// and line.
func TestEveryDecoderGuarded(t *testing.T) {
	doc := []byte("x = " + strings.Repeat("{b = ", 6000) + "1" + strings.Repeat("}", 6000) + "\n")
	decoders := decodersOf(doc)
	decoders["scenario --set"] = func() error {
		_, err := scenario.ParseSet("name=" + string(doc[4:]))
		return err
	}
	for name, dec := range decoders {
		start := time.Now()
		err := dec()
		if err == nil || !strings.Contains(err.Error(), "nested") {
			t.Errorf("%s: got %v", name, err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s: took %v", name, d)
		}
	}
}

// Every decoder reports a syntax error that the TOML library places on
// line 0 ("\"\r\n": it says 0 for some errors on the first line) as line
// 1, with "TOML syntax", and never panics. Before the decoders were one,
// profiles, perf maps, pod-launch files and `validate` said "f.toml:0:".
func TestEveryDecoderLineZero(t *testing.T) {
	for _, src := range []string{"\"\r\n", "a = \"\r\n", "x\r\n"} {
		doc := []byte(src)
		decoders := decodersOf(doc)
		for name, dec := range decoders {
			err := dec()
			if err == nil || !strings.HasPrefix(err.Error(), "f.toml:1: TOML syntax: ") {
				t.Errorf("%s on %q: got %v, want f.toml:1: TOML syntax: ...", name, src, err)
			}
		}
	}
}
