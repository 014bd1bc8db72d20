package calibration

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/cnisim/cnisim/internal/readfile"
	"github.com/cnisim/cnisim/internal/tomlx"
)

var profileSchema = tomlx.Schema{"": profileKeys, "cost": entryKeys, "rule_cost": ruleCostKeys, "gro_frame": frameCostKeys, "gso_segment": frameCostKeys}

// Parse decodes and validates a profile. file names the input in errors,
// which carry the line of the offending key where it can be found.
func Parse(data []byte, file string) (*Profile, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s: empty profile (want name, cpu_ghz and [[cost]] tables)", file)
	}
	var p Profile
	lines, err := tomlx.Decode(file, data, &p, tomlx.Options{Check: profileSchema.Check})
	if err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, locate(file, lines, err)
	}
	return &p, nil
}

// locate prefixes each FieldError joined in err with file:line.
func locate(file string, lines tomlx.Lines, err error) error {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	out := make([]error, len(errs))
	for i, e := range errs {
		var fe *FieldError
		if !errors.As(e, &fe) {
			out[i] = fmt.Errorf("%s: %w", file, e)
			continue
		}
		out[i] = fmt.Errorf("%s: %w", lines.Where(file, fe.table(), fe.Entry, fe.Key), e)
	}
	return errors.Join(out...)
}

// LoadFile reads and validates the profile at path.
func LoadFile(path string) (*Profile, error) {
	data, err := readfile.Read(path, readfile.Limit, "a calibration profile")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("calibration profile %q: no such file (looked for %s)", path, LookedAt(path))
	}
	if err != nil {
		return nil, fmt.Errorf("calibration profile: %w", err)
	}
	return Parse(data, path)
}

// LookedAt is the absolute form of path, for errors that say where a file
// was looked for (a relative path in a scenario is relative to the
// scenario file, in --set to the working directory).
func LookedAt(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// IsPath reports whether Load treats s as a file path rather than a
// built-in name: it ends in .toml or contains a path separator.
func IsPath(s string) bool {
	return strings.HasSuffix(s, ".toml") || strings.ContainsRune(s, '/') || strings.ContainsRune(s, filepath.Separator)
}

// Load returns the built-in profile called nameOrPath, or the profile read
// from the file nameOrPath if IsPath says it is one. The result is the
// caller's own copy.
func Load(nameOrPath string) (*Profile, error) {
	if IsPath(nameOrPath) {
		return LoadFile(nameOrPath)
	}
	return Builtin(nameOrPath)
}
