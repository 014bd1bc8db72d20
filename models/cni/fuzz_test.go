package cni

import (
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
)

// FuzzLoadModel: any input either fails with an error or yields a model
// whose every mode costs cleanly in both placements; never a panic.
// Seeds: testdata/fuzz/FuzzLoadModel plus the embedded models.
func FuzzLoadModel(f *testing.F) {
	for _, n := range builtinOrder {
		data, err := builtinFS.ReadFile("models/" + n + ".toml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse("fuzz.toml", data)
		if err != nil {
			if m != nil {
				t.Fatal("model and error both returned")
			}
			return
		}
		if _, err := m.Mode(m.DefaultMode); err != nil {
			t.Fatalf("default mode: %v", err)
		}
		_ = m.Row()
		for _, md := range m.Modes {
			opts := []PathOptions{{}}
			if md.Encryption != datapath.EncapNone {
				opts = append(opts, PathOptions{Encrypt: true})
			}
			for _, opt := range opts {
				for _, pl := range []datapath.Placement{datapath.Intra, datapath.Inter} {
					p, err := m.Path(md.Name, pl, opt, fixedCosts{2.4})
					if err != nil {
						t.Fatalf("valid model, mode %s %s: %v", md.Name, pl, err)
					}
					if len(p.Steps) == 0 {
						t.Fatalf("mode %s %s: empty path", md.Name, pl)
					}
				}
				_, _ = m.PodMTU(md.Name, 1500, opt)
			}
		}
	})
}
