package scenario

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/cnisim/cnisim/internal/tomlx"
)

// Override sets one key after the file is read: a --set, --seed or --reps
// flag. Source names it in errors ("--set cluster.mtu=9000").
type Override struct {
	Key    string
	Value  any // a TOML value: string, int64, float64, bool
	Source string
}

// ParseSet reads "key=value". The value is parsed as a TOML value
// (9000, 2.5, true, "text"; arrays are refused by type); anything that is not valid
// TOML is taken as a bare string, so cni.mode=host-gw and duration=2s
// need no quotes. The key must be a scenario key.
func ParseSet(s string) (Override, error) {
	src := "--set " + s
	key, text, ok := strings.Cut(s, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" {
		return Override{}, &FieldError{Where: src, Msg: "want key=value, such as cluster.mtu=9000"}
	}
	if !utf8.ValidString(text) {
		return Override{}, &FieldError{Where: src, Key: key, Msg: "value is not valid UTF-8"}
	}
	if err := checkSettable(key); err != nil {
		return Override{}, &FieldError{Where: src, Key: key, Msg: err.Error()}
	}
	if err := tomlx.Check(src, []byte(text)); err != nil {
		return Override{}, &FieldError{Where: src, Key: key, Msg: "value too large or nested too deeply (a scalar is expected)"}
	}
	v := parseValue(strings.TrimSpace(text))
	// Type-check now, against a throwaway scenario, so a bad value is
	// reported as the flag's fault whatever the file says.
	probe := Defaults()
	if err := probe.assign(key, v); err != nil {
		return Override{}, &FieldError{Where: src, Key: key, Value: Format(v), Msg: err.Error()}
	}
	return Override{Key: key, Value: v, Source: src}, nil
}

// parseValue reads text as a TOML value, or as a bare string.
func parseValue(text string) any {
	if v, ok := tomlx.Value(text); ok {
		return v // arrays and dates too: assign reports their type
	}
	return text
}

// checkSettable accepts the scalar keys and the stage tables' <table>.<stage>.
func checkSettable(key string) error {
	if strings.HasPrefix(key, sweepTable+".") || key == sweepTable {
		return fmt.Errorf("sweep entries cannot be set from the command line; --set the swept key itself to pin one value")
	}
	if _, _, ok := stageKey(key); ok {
		return nil // the stage name is checked by assign
	}
	if fieldByKey[key] == nil {
		return errUnknownKey(key)
	}
	return nil
}
