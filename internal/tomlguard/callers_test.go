package tomlguard_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/models/cni"
	"github.com/cnisim/cnisim/models/podlaunch"
)

// Every strict decoder refuses the issue-19 reproducer (40 KB of nested
// inline tables, 3.7 GB inside the TOML library) at once, with the file
// and line.
func TestEveryDecoderGuarded(t *testing.T) {
	doc := []byte("x = " + strings.Repeat("{b = ", 6000) + "1" + strings.Repeat("}", 6000) + "\n")
	decoders := map[string]func() error{
		"scenario": func() error { _, err := scenario.Decode("f.toml", doc); return err },
		"scenario --set": func() error {
			_, err := scenario.ParseSet("name=" + string(doc[4:]))
			return err
		},
		"profile":           func() error { _, err := calibration.Parse(doc, "f.toml"); return err },
		"cni model":         func() error { _, err := cni.Parse("f.toml", doc); return err },
		"podlaunch plugin":  func() error { _, err := podlaunch.ParsePlugin(doc, "f.toml"); return err },
		"podlaunch cluster": func() error { _, err := podlaunch.ParseCluster(doc, "f.toml"); return err },
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
