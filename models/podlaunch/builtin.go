package podlaunch

import (
	"embed"
	"fmt"
	"sort"
	"strings"
)

//go:embed params/*.toml
var builtinFS embed.FS

// Plugins returns the built-in plugin names, sorted.
func Plugins() []string {
	ents, err := builtinFS.ReadDir("params")
	if err != nil {
		panic(err) // embedded: cannot fail
	}
	var names []string
	for _, e := range ents {
		n := strings.TrimSuffix(e.Name(), ".toml")
		if n != "cluster" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// BuiltinPlugin returns the built-in parameters of a plugin, freshly
// decoded (the caller's own copy).
func BuiltinPlugin(name string) (*PluginParams, error) {
	if name == "cluster" || strings.ContainsAny(name, "/.") {
		return nil, fmt.Errorf("unknown plugin %q (built-in: %s)", name, list(Plugins()))
	}
	file := "params/" + name + ".toml"
	data, err := builtinFS.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("unknown plugin %q (built-in: %s)", name, list(Plugins()))
	}
	p, err := ParsePlugin(data, file)
	if err != nil {
		return nil, err
	}
	if p.Plugin != name {
		return nil, fmt.Errorf("%s: plugin = %q, want %q", file, p.Plugin, name)
	}
	return p, nil
}

// BuiltinCluster returns the built-in cluster parameters.
func BuiltinCluster() (*ClusterParams, error) {
	const file = "params/cluster.toml"
	data, err := builtinFS.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return ParseCluster(data, file)
}

// DefaultLimits returns the built-in cluster file's limits.
func DefaultLimits() Limits {
	c, err := BuiltinCluster()
	if err != nil {
		panic(err) // the embedded file is tested
	}
	return c.Limits.limits()
}
