package scenario

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cnisim/cnisim/internal/tomlx"
)

// decoder fills a Scenario from the generic TOML tree, key by key, so that
// spelling, types and ranges are checked exactly (BurntSushi's struct
// decoding matches keys case-insensitively and wraps negative integers
// into unsigned fields).
type decoder struct {
	file  string
	lines lineIndex
	s     *Scenario
	errs  errList
}

// Decode reads a scenario file strictly and checks its ranges; file names
// the input in errors. The sweep is decoded but not expanded (see Load).
func Decode(file string, data []byte) (*Scenario, error) {
	d, err := decode(file, data)
	if err != nil {
		return nil, err
	}
	if err := d.locate(d.s.validate(), nil).err(); err != nil {
		return nil, err
	}
	return d.s, nil
}

func decode(file string, data []byte) (*decoder, error) {
	var raw map[string]any
	if _, err := tomlx.Parse(file, data, &raw); err != nil {
		var se *tomlx.SyntaxError
		if errors.As(err, &se) {
			return nil, &FieldError{Where: fmt.Sprintf("%s:%d", file, se.Line), Line: se.Line, Msg: "TOML syntax: " + se.Msg}
		}
		return nil, err
	}
	def := Defaults()
	def.Name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	d := &decoder{file: file, lines: indexLines(data), s: &def}
	d.table("", raw)
	if err := d.errs.err(); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *decoder) add(path []string, key string, v any, msg string) {
	n := d.lines.line(path...)
	val := ""
	if v != nil {
		val = Format(v)
	}
	d.errs = append(d.errs, &FieldError{Where: d.where(n), Line: n, Key: key, Value: val, Msg: msg})
}

func (d *decoder) where(line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", d.file, line)
	}
	return d.file
}

func (d *decoder) table(table string, m map[string]any) {
	prefix := []string{}
	if table != "" {
		prefix = strings.Split(table, ".")
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		key := join(table, k)
		path := append(slices.Clone(prefix), k)
		switch {
		case table == "" && k == sweepTable:
			d.sweep(v)
		case slices.Contains(stageTables, table):
			if err := d.s.assign(table+"."+k, v); err != nil {
				d.add(path, key, v, err.Error())
			}
		case isTable(key):
			sub, ok := v.(map[string]any)
			if !ok {
				d.add(path, key, v, fmt.Sprintf("want a table [%s], got %s", key, typeName(v)))
				continue
			}
			d.table(key, sub)
		case fieldByKey[key] != nil:
			if err := d.s.assign(key, v); err != nil {
				d.add(path, key, v, err.Error())
			}
		default:
			d.add(path, key, nil, errUnknownKey(key).Error())
		}
	}
}

func (d *decoder) sweep(v any) {
	m, ok := v.(map[string]any)
	if !ok {
		d.add([]string{sweepTable}, sweepTable, v, "want a table [sweep] of \"key\" = [values]")
		return
	}
	for k, vals := range m {
		arr, ok := vals.([]any)
		if !ok {
			d.add([]string{sweepTable, k}, "sweep."+quoteKey(k), vals, "want an array of values, such as [1500, 9000]")
			continue
		}
		d.s.Sweep[k] = arr
	}
}

// locate fills Where and Line of errors from the file's key lines, or from
// the override that set the key.
func (d *decoder) locate(errs errList, overrides map[string]string) errList {
	for _, e := range errs {
		if e.Where != "" {
			continue
		}
		if src, ok := overrides[e.Key]; ok {
			e.Where = src
			continue
		}
		e.Line = d.lines.lineOf(e.Key)
		e.Where = d.where(e.Line)
	}
	return errs
}

// quoteKey quotes a sweep key for messages: sweep."cluster.mtu".
func quoteKey(k string) string { return quote(k) }
