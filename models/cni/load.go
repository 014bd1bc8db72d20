package cni

import (
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/cnisim/cnisim/internal/readfile"
	"github.com/cnisim/cnisim/internal/tomlguard"
)

//go:embed models/*.toml
var builtinFS embed.FS

// builtinOrder is the paper's order (Table I), then the host baseline.
var builtinOrder = []string{"flannel", "weave", "cilium", "calico", "kube-router", "host"}

// Names lists the built-in plugins in the paper's order.
func Names() []string { return append([]string(nil), builtinOrder...) }

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
	if err := tomlguard.Check(file, data); err != nil {
		return nil, err
	}
	var fm fileModel
	md, err := toml.Decode(string(data), &fm)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			// The parser reports line 0 for some inputs (a lone "\r\n"), where
			// ErrorWithPosition would index out of range.
			return nil, fmt.Errorf("%s:%d: TOML syntax: %s", file, max(pe.Position.Line, 1), pe.Message)
		}
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	loc := newLocator(file, data)
	// BurntSushi/toml matches keys case-insensitively and reports keys it
	// could not place in Undecoded; comparing every key's exact spelling
	// against the tags catches both.
	for _, k := range md.Keys() {
		if !knownKeys[k.String()] {
			last := k[len(k)-1]
			return nil, loc.errf(loc.keyLine(last), "unknown key %q in %s (valid: %s)", last, where(k), strings.Join(allowedAt(k), ", "))
		}
	}
	if u := md.Undecoded(); len(u) > 0 {
		return nil, loc.errf(loc.keyLine(u[0][len(u[0])-1]), "unknown key %q", u[0].String())
	}
	return build(&fm, loc)
}

func where(k toml.Key) string {
	switch {
	case len(k) == 1:
		return "the top level"
	case len(k) == 2 && k[0] == "mode":
		return "a [[mode]]"
	default:
		return "a step of " + strings.Join(k[:len(k)-1], ".")
	}
}
