package sim_test

import (
	"go/build"
	"strings"
	"testing"
)

// DESIGN section 1: sim imports nothing of the project, so the engine can
// be read, tested and benchmarked alone.
func TestImportsNothingOfTheProject(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if strings.HasPrefix(imp, "github.com/cnisim/cnisim") {
			t.Errorf("sim imports %s", imp)
		}
	}
}
