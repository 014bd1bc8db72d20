package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every built-in model and profile file validates; broken ones exit 2
// naming the file and what is wrong.
func TestValidateModelsAndProfiles(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("../../models/cni/models/*.toml")
	files = append(files, "../../models/cni/testdata/antrea.toml", "../../calibration/profiles/paper.toml")
	for _, f := range files {
		if code, out, errs := invoke("validate", f); code != 0 || !strings.Contains(out, "valid") {
			t.Errorf("validate %s: exit %d %q %q", f, code, out, errs)
		}
	}
	dir := t.TempDir()
	bad := []struct{ name, body, want string }{
		{"model.toml", "name = \"x\"\ndefault_mode = \"a\"\n[[mode]]\nname = \"a\"\nnetwork_model = \"L3+Overlay\"\nencapsulation = \"vxlan\"\nintra = [{ stage = \"warp\", side = \"src\", context = \"send\" }]\ninter = [{ stage = \"tcp\", side = \"src\", context = \"send\" }]\n", "warp"},
		{"model2.toml", "name = \"x\"\ndefault_mode = \"a\"\nbogus = 1\n[[mode]]\nname = \"a\"\n", "bogus"},
		{"profile.toml", "name = \"p\"\ncpu_ghz = 2.4\n[[cost]]\nstage = \"veth\"\ncycles = -3\nprovenance = \"assumed\"\nsource = \"x\"\n", "cycles"},
		{"profile2.toml", "name = \"p\"\ncpu_ghz = 2.4\n[[cost]]\nstage = \"veth\"\ncycles = 3\nprovenance = \"guessed\"\nsource = \"x\"\n", "provenance"},
		{"syntax.toml", "name = \n", "syntax"},
		{"what.toml", "colour = \"blue\"\n", "not a file cnisim knows"},
	}
	for _, b := range bad {
		p := filepath.Join(dir, b.name)
		os.WriteFile(p, []byte(b.body), 0o644)
		code, _, errs := invoke("validate", p)
		if code != 2 || !strings.Contains(errs, b.want) || !strings.Contains(errs, b.name) {
			t.Errorf("validate %s: exit %d, stderr %q; want 2 and %q", b.name, code, errs, b.want)
		}
	}
}
