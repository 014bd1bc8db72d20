package tomlx

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/cnisim/cnisim/internal/tomlguard"
)

// Schema lists the exact key names allowed in each table: "" is the root,
// "cost" the tables of the array [[cost]]. BurntSushi/toml matches keys to
// struct tags case-insensitively, so the schema is what enforces spelling.
type Schema map[string][]string

// Decode decodes data into v and rejects keys outside schema. file names
// the input in errors. The returned Lines locates keys for later
// validation errors.
func Decode(file string, data []byte, v any, schema Schema) (*Lines, error) {
	lines := Index(data)
	if err := tomlguard.Check(file, data); err != nil {
		return lines, err
	}
	md, err := toml.Decode(string(data), v)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return lines, fmt.Errorf("%s:%d: %s", file, pe.Position.Line, oneLine(pe))
		}
		return lines, fmt.Errorf("%s: %w", file, err)
	}
	for _, k := range md.Keys() {
		if err := checkKey(file, lines, schema, k, md.Type(k...)); err != nil {
			return lines, err
		}
	}
	// Keys the schema allows but the struct lacks would be a programming
	// error; Undecoded catches them all the same.
	if und := md.Undecoded(); len(und) > 0 {
		k := und[0]
		return lines, fmt.Errorf("%s: unknown key %q", lines.Where(file, tableOf(k), -1, k[len(k)-1]), k.String())
	}
	return lines, nil
}

// oneLine renders a parse error with its position but without the
// multi-line excerpt, which tests and logs handle badly.
func oneLine(pe toml.ParseError) string {
	msg := pe.Message
	if pe.LastKey != "" {
		msg += fmt.Sprintf(" (last key %q)", pe.LastKey)
	}
	if pe.Usage != "" {
		msg += "; " + strings.TrimSpace(pe.Usage)
	}
	return msg
}

func tableOf(k toml.Key) string {
	return strings.Join(k[:len(k)-1], ".")
}

func checkKey(file string, lines *Lines, schema Schema, k toml.Key, typ string) error {
	table, name := tableOf(k), k[len(k)-1]
	if _, known := schema[k.String()]; !known && (typ == "Hash" || typ == "ArrayHash") {
		return fmt.Errorf("%s: unknown table [%s] (allowed: %s)", lines.Where(file, k.String(), -1, ""), k.String(), tables(schema))
	}
	allowed, ok := schema[table]
	if !ok {
		return fmt.Errorf("%s: unknown table %q (allowed: %s)", lines.Where(file, "", -1, k[0]), table, tables(schema))
	}
	if !slices.Contains(allowed, name) {
		return fmt.Errorf("%s: unknown key %q (allowed: %s)", lines.Where(file, table, -1, name), k.String(), strings.Join(allowed, ", "))
	}
	return nil
}

func tables(s Schema) string {
	var ts []string
	for t := range s {
		if t != "" {
			ts = append(ts, "["+t+"]")
		}
	}
	slices.Sort(ts)
	return strings.Join(ts, ", ")
}
