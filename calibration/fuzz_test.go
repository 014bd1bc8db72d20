package calibration

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzLoadProfile: Parse never panics, and whatever it accepts is valid and
// survives a write and re-read unchanged.
func FuzzLoadProfile(f *testing.F) {
	for _, glob := range []string{"testdata/*.toml", "profiles/*.toml"} {
		files, _ := filepath.Glob(glob)
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add([]byte(good))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data, "fuzz.toml")
		if err != nil {
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("accepted an invalid profile: %v", err)
		}
		out, err := p.TOML()
		if err != nil {
			t.Fatalf("cannot write an accepted profile: %v", err)
		}
		q, err := Parse(out, "rewritten.toml")
		if err != nil {
			t.Fatalf("cannot re-read the written profile: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("round trip changed the profile:\n%+v\n%+v", p, q)
		}
	})
}
