package scenario

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// assign sets key to v, a TOML value as the decoder returns it (string,
// int64, float64, bool, time types, []any, map[string]any). File keys,
// --set and sweep values all come through here, so they accept the same
// types: integers for integer keys, integers or floats for float keys,
// strings for text and for durations ("300ms").
func (s *Scenario) assign(key string, v any) error {
	if table, stage, ok := stageKey(key); ok {
		if err := checkStage(table, stage); err != nil {
			return err
		}
		x, err := toFloat(v)
		if err != nil {
			return err
		}
		m := s.stageMap(table)
		if *m == nil {
			*m = map[string]float64{}
		}
		(*m)[stage] = x
		return nil
	}
	if key == profileKey {
		if arr, ok := v.([]any); ok {
			str, err := layerList(arr)
			if err != nil {
				return err
			}
			v = str
		}
	}
	if key == traceNodesKey {
		str, err := traceNodes(v)
		if err != nil {
			return err
		}
		v = str
	}
	f, ok := fieldByKey[key]
	if !ok {
		return errUnknownKey(key)
	}
	dst := reflect.ValueOf(s).Elem().FieldByIndex(f.index)
	switch {
	case f.typ == durType:
		str, ok := v.(string)
		if !ok {
			return fmt.Errorf("want a duration string such as \"300ms\" or \"2s\", got %s %s", typeName(v), Format(v))
		}
		d, err := time.ParseDuration(str)
		if err != nil {
			return fmt.Errorf("want a duration string such as \"300ms\" or \"2s\" (units ns, us, ms, s, m, h), got %q", str)
		}
		dst.SetInt(int64(d))
	case f.typ.Kind() == reflect.String:
		str, ok := v.(string)
		if !ok {
			return fmt.Errorf("want a string, got %s %s", typeName(v), Format(v))
		}
		dst.SetString(str)
	case f.typ.Kind() == reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("want true or false, got %s %s", typeName(v), Format(v))
		}
		dst.SetBool(b)
	case f.typ.Kind() == reflect.Int || f.typ.Kind() == reflect.Int64:
		n, ok := v.(int64)
		if !ok {
			return fmt.Errorf("want an integer, got %s %s", typeName(v), Format(v))
		}
		if dst.OverflowInt(n) {
			return fmt.Errorf("integer %d does not fit", n)
		}
		dst.SetInt(n)
	case f.typ.Kind() == reflect.Uint64:
		n, ok := v.(int64)
		if !ok || n < 0 {
			return fmt.Errorf("want a non-negative integer, got %s %s", typeName(v), Format(v))
		}
		dst.SetUint(uint64(n))
	case f.typ.Kind() == reflect.Float64:
		x, err := toFloat(v)
		if err != nil {
			return err
		}
		dst.SetFloat(x)
	default:
		panic("scenario: unhandled field type " + f.typ.String())
	}
	return nil
}

func toFloat(v any) (float64, error) {
	switch x := v.(type) {
	case int64:
		return float64(x), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, fmt.Errorf("want a finite number, got %v", x)
		}
		return x, nil
	}
	return 0, fmt.Errorf("want a number, got %s %s", typeName(v), Format(v))
}

// value returns the canonical value of key in s: int64, uint64, float64,
// bool, string, or a duration as its string ("300ms"). ok is false for an
// unknown key.
func (s *Scenario) value(key string) (any, bool) {
	if table, stage, ok := stageKey(key); ok {
		v, ok := (*s.stageMap(table))[stage]
		return v, ok
	}
	f, ok := fieldByKey[key]
	if !ok {
		return nil, false
	}
	src := reflect.ValueOf(s).Elem().FieldByIndex(f.index)
	switch {
	case f.typ == durType:
		return FormatDuration(time.Duration(src.Int())), true
	case f.typ.Kind() == reflect.String:
		return src.String(), true
	case f.typ.Kind() == reflect.Bool:
		return src.Bool(), true
	case f.typ.Kind() == reflect.Uint64:
		return src.Uint(), true
	case f.typ.Kind() == reflect.Float64:
		return src.Float(), true
	default:
		return src.Int(), true
	}
}

// FormatDuration writes d as Go does, with "us" for microseconds so files
// stay ASCII; time.ParseDuration reads it back.
func FormatDuration(d time.Duration) string {
	return strings.Replace(d.String(), "µs", "us", 1)
}

// Format renders a value as TOML (strings quoted, floats with a decimal
// point) for messages and for Resolved.
func Format(v any) string {
	switch x := v.(type) {
	case string:
		return quote(x)
	case float64:
		s := strconv.FormatFloat(x, 'g', -1, 64)
		switch {
		case math.IsInf(x, 1):
			return "inf"
		case math.IsInf(x, -1):
			return "-inf"
		case math.IsNaN(x):
			return "nan"
		case !strings.ContainsAny(s, ".e"):
			s += ".0"
		}
		return s
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = Format(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		return "{...}"
	}
	return fmt.Sprint(v)
}

// quote writes a TOML basic string.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// typeName is the TOML name of a decoded value's type.
func typeName(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case int64:
		return "integer"
	case float64:
		return "float"
	case bool:
		return "boolean"
	case []any, []map[string]any:
		return "array"
	case map[string]any:
		return "table"
	}
	return "datetime"
}
