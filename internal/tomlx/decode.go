package tomlx

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// SyntaxError is a TOML syntax error (or an error of the TOML library
// without a position, Line 1) located in File.
type SyntaxError struct {
	File string
	Line int    // >= 1
	Msg  string // one line: the library's message, the last key, its hint
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s:%d: TOML syntax: %s", e.File, e.Line, e.Msg)
}

// Parse bounds data (Check) and decodes it into v, which may be a struct
// or a map. file names the input in errors.
func Parse(file string, data []byte, v any) (toml.MetaData, error) {
	if err := Check(file, data); err != nil {
		return toml.MetaData{}, err
	}
	md, err := toml.Decode(string(data), v)
	if err == nil {
		return md, nil
	}
	var pe toml.ParseError
	if errors.As(err, &pe) {
		// The library reports line 0 for some errors on the first line
		// ("\"\r\n"), where its ErrorWithPosition indexes out of range.
		return md, &SyntaxError{File: file, Line: max(pe.Position.Line, 1), Msg: oneLine(pe)}
	}
	return md, fmt.Errorf("%s: %w", file, err)
}

// oneLine renders a parse error without the multi-line excerpt, which
// tests and logs handle badly.
func oneLine(pe toml.ParseError) string {
	msg := pe.Message
	if pe.LastKey != "" {
		msg += fmt.Sprintf(" (after key %q)", pe.LastKey)
	}
	if pe.Usage != "" {
		msg += "; " + strings.Join(strings.Fields(pe.Usage), " ")
	}
	return msg
}

// Key is a key path as the TOML library lists it, array indices elided;
// callers name it through tomlx so that only this package imports the
// library for decoding.
type Key = toml.Key

// KeyCheck refuses a key (as toml.MetaData.Keys lists it, array indices
// elided) by returning an error without location; typ is its TOML type
// ("Hash" for a table, "ArrayHash" for an array of tables, ...).
type KeyCheck func(k Key, typ string) error

// Options tune Decode for a format.
type Options struct {
	// Check is the format's key check; nil accepts every key the target
	// type can hold.
	Check KeyCheck
	// Line locates a key for an error; nil uses Lines.Line, which finds
	// keys at the level of a table but not inside inline tables.
	Line func(k Key) int
}

// Decode is Parse into v with every key checked by its exact spelling:
// by opt.Check, then against v itself (keys the library could not place).
// It returns the key lines for the caller's own validation errors; they
// are valid even when the error is not nil.
func Decode(file string, data []byte, v any, opt Options) (Lines, error) {
	lines := Index(data)
	md, err := Parse(file, data, v)
	if err != nil {
		return lines, err
	}
	where := func(k toml.Key) string {
		if opt.Line != nil {
			if n := opt.Line(k); n > 0 {
				return Where(file, n)
			}
		}
		return lines.WhereKey(file, k...)
	}
	if opt.Check != nil {
		for _, k := range md.Keys() {
			if err := opt.Check(k, md.Type(k...)); err != nil {
				return lines, fmt.Errorf("%s: %w", where(k), err)
			}
		}
	}
	if und := md.Undecoded(); len(und) > 0 {
		return lines, fmt.Errorf("%s: unknown key %q", where(und[0]), und[0].String())
	}
	return lines, nil
}

// Value parses text as one TOML value (9000, 2.5, true, "text", [1, 2]);
// ok is false when it is not one. Callers bound text with Check first.
func Value(text string) (v any, ok bool) {
	var m map[string]any
	if _, err := toml.Decode("v = "+text, &m); err != nil {
		return nil, false
	}
	v, ok = m["v"]
	return v, ok
}

// Schema lists the exact key names allowed in each table: "" is the root,
// "cost" the tables of the array [[cost]].
type Schema map[string][]string

// Check is the Schema as a KeyCheck: a table not in the schema, or a key
// not listed for its table, is refused with the allowed names.
func (s Schema) Check(k Key, typ string) error {
	table, name := strings.Join(k[:len(k)-1], "."), k[len(k)-1]
	if _, known := s[k.String()]; !known && (typ == "Hash" || typ == "ArrayHash") {
		return fmt.Errorf("unknown table [%s] (allowed: %s)", k.String(), s.tables())
	}
	allowed, ok := s[table]
	if !ok {
		return fmt.Errorf("unknown table %q (allowed: %s)", table, s.tables())
	}
	if !slices.Contains(allowed, name) {
		return fmt.Errorf("unknown key %q (allowed: %s)", k.String(), strings.Join(allowed, ", "))
	}
	return nil
}

func (s Schema) tables() string {
	var ts []string
	for t := range s {
		if t != "" {
			ts = append(ts, "["+t+"]")
		}
	}
	slices.Sort(ts)
	return strings.Join(ts, ", ")
}
