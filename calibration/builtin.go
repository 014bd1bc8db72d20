package calibration

import (
	"embed"
	"fmt"
	"path"
	"slices"
	"strings"
)

//go:embed profiles/*.toml
var builtinFS embed.FS

// BuiltinNames returns the names of the built-in profiles, sorted.
func BuiltinNames() []string {
	ents, _ := builtinFS.ReadDir("profiles") // embedded: cannot fail
	var names []string
	for _, e := range ents {
		if n, ok := strings.CutSuffix(e.Name(), ".toml"); ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// Builtin returns a fresh copy of the built-in profile name.
func Builtin(name string) (*Profile, error) {
	if !slices.Contains(BuiltinNames(), name) {
		return nil, fmt.Errorf("unknown calibration profile %q (built-in: %s; or give a path to a .toml file)",
			name, strings.Join(BuiltinNames(), ", "))
	}
	file := path.Join("profiles", name+".toml")
	data, err := builtinFS.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return Parse(data, "builtin:"+file)
}
