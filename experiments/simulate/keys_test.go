package simulate

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/internal/field"
)

// Every field a model names in an error (field.Errorf or a field.Error
// literal under models/) is either mapped to the scenario key that sets it,
// which must exist, or listed as set by no key: a new model check cannot
// report a field that the adapter does not know.
func TestEveryModelFieldHasAKey(t *testing.T) {
	named := regexp.MustCompile(`field\.(?:Errorf\(|Error\{Field: )"([A-Za-z.]+)"`)
	seen := map[string]bool{}
	err := filepath.WalkDir("../../models", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range named.FindAllStringSubmatch(string(b), -1) {
			seen[m[1]] = true
			if _, ok := scenarioKey[m[1]]; !ok && !noKey[m[1]] {
				t.Errorf("%s: field %s has no scenario key in scenarioKey (or noKey)", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) < 30 {
		t.Fatalf("found %d fields: the pattern no longer matches the models' errors", len(seen))
	}
	keys := map[string]bool{}
	for _, k := range scenario.Keys() {
		keys[k] = true
	}
	for f, k := range scenarioKey {
		if !seen[f] {
			t.Errorf("scenarioKey maps %s, which no model names", f)
		}
		if !keys[k] {
			t.Errorf("scenarioKey maps %s to %s, which is not a scenario key", f, k)
		}
	}
}

// keyed turns a model's field error into the scenario key's error, keeps
// the step's key for other errors, and passes unkeyed errors through.
func TestKeyed(t *testing.T) {
	fe := field.Errorf("network.Config.QdiscLen", 0, "must be >= 1")
	var se *scenario.FieldError
	if err := keyed("", fe); !errors.As(err, &se) || se.Key != "cluster.qdisc_packets" || se.Msg != "must be >= 1" || !errors.Is(err, fe) {
		t.Errorf("model field error: got %#v", err)
	}
	plain := errors.New("unknown plugin")
	if err := keyed("cni.plugin", plain); !errors.As(err, &se) || se.Key != "cni.plugin" || !errors.Is(err, plain) {
		t.Errorf("step error: got %#v", err)
	}
	if err := keyed("", plain); err != plain {
		t.Errorf("unkeyed error: got %#v", err)
	}
	if err := keyed("", field.Errorf("network.Config.RxRing", 0, "must be >= 1")); scenario.BlamesKey(err) {
		t.Errorf("a field no key sets blames a key: %v", err)
	}
}
