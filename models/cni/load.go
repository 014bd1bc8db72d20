package cni

import (
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cnisim/cnisim/internal/readfile"
	"github.com/cnisim/cnisim/internal/tomlx"
)

//go:embed models/*.toml
var builtinFS embed.FS

// builtinOrder is the paper's order (Table I), then the host baseline.
var builtinOrder = []string{"flannel", "weave", "cilium", "calico", "kube-router", HostBaseline}

// HostBaseline is the built-in without a pod network: node to node, what
// every benchmark reports as "bare metal".
const HostBaseline = "host"

// Names lists the built-in plugins in the paper's order.
func Names() []string { return append([]string(nil), builtinOrder...) }

// PodNetworks lists the built-in plugins that build a pod network: Names
// without the host baseline. It reads no model.
func PodNetworks() []string {
	return slices.DeleteFunc(Names(), func(n string) bool { return n == HostBaseline })
}

// Builtin returns a fresh copy of a built-in plugin model.
func Builtin(name string) (*Model, error) {
	for _, n := range builtinOrder {
		if n == name {
			file := "models/" + name + ".toml"
			data, err := builtinFS.ReadFile(file)
			if err != nil {
				return nil, fmt.Errorf("built-in plugin %s: %w", name, err)
			}
			m, err := Parse("builtin:"+file, data)
			if err != nil {
				return nil, err
			}
			m.Source = "builtin"
			return m, nil
		}
	}
	return nil, fmt.Errorf("unknown built-in plugin %q (built-in: %s)", name, strings.Join(builtinOrder, ", "))
}

// Load returns the built-in plugin of that name, or else reads the model
// file at that path.
func Load(nameOrPath string) (*Model, error) {
	for _, n := range builtinOrder {
		if n == nameOrPath {
			return Builtin(n)
		}
	}
	data, err := readfile.Read(nameOrPath, readfile.Limit, "a plugin model file")
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			where := nameOrPath
			if abs, err := filepath.Abs(nameOrPath); err == nil {
				where = abs
			}
			return nil, fmt.Errorf("plugin %q is neither a built-in (%s) nor a model file (looked for %s)", nameOrPath, strings.Join(builtinOrder, ", "), where)
		}
		return nil, fmt.Errorf("plugin model: %w", err)
	}
	m, err := Parse(nameOrPath, data)
	if err != nil {
		return nil, err
	}
	m.Source = nameOrPath
	return m, nil
}

// Parse decodes and validates a model file's contents; file names the
// source in errors. Unknown or misspelt keys are errors.
func Parse(file string, data []byte) (*Model, error) {
	var fm fileModel
	loc := newLocator(file, data)
	_, err := tomlx.Decode(file, data, &fm, tomlx.Options{
		Check: checkKey,
		// Steps are inline tables, where only the regular expression
		// finds a key.
		Line: func(k tomlx.Key) int { return loc.keyLine(k[len(k)-1]) },
	})
	if err != nil {
		return nil, err
	}
	return build(&fm, loc)
}

// checkKey compares a key's exact spelling against the tags:
// BurntSushi/toml matches keys case-insensitively.
func checkKey(k tomlx.Key, _ string) error {
	if knownKeys[k.String()] {
		return nil
	}
	return fmt.Errorf("unknown key %q in %s (valid: %s)", k[len(k)-1], where(k), strings.Join(allowedAt(k), ", "))
}

func where(k tomlx.Key) string {
	switch {
	case len(k) == 1:
		return "the top level"
	case len(k) == 2 && k[0] == "mode":
		return "a [[mode]]"
	case len(k) == 3 && k[1] == "device_offloads":
		return "a mode's device_offloads (devices with offload capabilities)"
	default:
		return "a step of " + strings.Join(k[:len(k)-1], ".")
	}
}
