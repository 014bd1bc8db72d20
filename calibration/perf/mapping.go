package perf

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/cnisim/cnisim/internal/readfile"
	"github.com/cnisim/cnisim/internal/tomlx"
)

// Mapping is a rule table with a description for provenance.
type Mapping struct {
	Rules []Rule
	Desc  string // "builtin", or the map file, its hash and how it combines
}

// BuiltinMapping returns the built-in rule table.
func BuiltinMapping() Mapping {
	return Mapping{Rules: DefaultRules(), Desc: "builtin"}
}

// mapFile is the schema of a map file:
//
//	replace = false      # true: the rules replace the built-in table; false: they come first
//	[[rule]]
//	pattern = "mlx5e_*"
//	stage = "nic"
//	space = "kernel"     # optional: kernel (default), user or any
//	owner = false        # optional: true claims what is called beneath the frame
//	boundary = false     # optional: true ends an owner's claim (device hand-off, softirq entry)
type mapFile struct {
	Replace bool   `toml:"replace"`
	Rule    []Rule `toml:"rule"`
}

var mapSchema = tomlx.Schema{"": {"replace", "rule"}, "rule": {"pattern", "stage", "space", "owner", "boundary"}}

// ParseMapping decodes a map file. Its rules are prepended to the built-in
// table (so they win where both match a frame) unless replace = true.
func ParseMapping(data []byte, file string) (Mapping, error) {
	var mf mapFile
	lines, err := tomlx.Decode(file, data, &mf, tomlx.Options{Check: mapSchema.Check})
	if err != nil {
		return Mapping{}, err
	}
	if len(mf.Rule) == 0 {
		return Mapping{}, fmt.Errorf("%s: no [[rule]] tables (each has pattern and stage)", file)
	}
	for i, r := range mf.Rule {
		if _, key, err := checkRule(r); err != nil {
			return Mapping{}, fmt.Errorf("%s: rule[%d].%s: %v", lines.Where(file, "rule", i, key), i, key, err)
		}
	}
	sum := sha256.Sum256(data)
	m := Mapping{Rules: append([]Rule(nil), mf.Rule...)}
	how := "prepended to builtin"
	if mf.Replace {
		how = "replacing builtin"
	} else {
		m.Rules = append(m.Rules, DefaultRules()...)
	}
	m.Desc = fmt.Sprintf("map %s (sha256 %s, %d rules %s)", file, hex.EncodeToString(sum[:])[:16], len(mf.Rule), how)
	return m, nil
}

// LoadMapping reads a map file.
func LoadMapping(path string) (Mapping, error) {
	data, err := readfile.Read(path, readfile.Limit, "a perf map file")
	if err != nil {
		return Mapping{}, fmt.Errorf("perf map: %w", err)
	}
	return ParseMapping(data, path)
}
