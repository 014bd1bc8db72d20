package scenario

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// FieldError is bad input at one key. Where says where the value came
// from ("file.toml:12", "--set cluster.mtu=100"); Value is the offending
// value as TOML ("" when there is none). A model-layer Validate hook may
// return one (Where left empty) and Load will locate the key.
type FieldError struct {
	Where string
	Line  int // line in the scenario file, 0 if unknown or not from the file
	Key   string
	Value string
	Msg   string // what is wrong and what is allowed
	Cause error  // a sentinel such as ErrTooManyPoints, or nil
}

// ErrTooManyPoints is the cause of the error Load returns for a sweep
// larger than Options.MaxPoints.
var ErrTooManyPoints = errors.New("too many sweep points")

func (e *FieldError) Unwrap() error { return e.Cause }

func (e *FieldError) Error() string {
	var b strings.Builder
	if e.Where != "" {
		b.WriteString(e.Where + ": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		if e.Value != "" {
			b.WriteString(" = " + e.Value)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

func errUnknownKey(key string) error {
	table, name := splitKey(key)
	if isTable(table) || table == "" {
		msg := fmt.Sprintf("unknown key (allowed in %s: %s)", tableLabel(table), allowedIn(table))
		if m := closeMatch(table, name); m != "" {
			msg = fmt.Sprintf("unknown key: keys are case-sensitive, did you mean %q?", join(table, m))
		}
		return errors.New(msg)
	}
	return fmt.Errorf("unknown key (tables: %s)", strings.Join(tableOrder[1:], ", "))
}

func tableLabel(table string) string {
	if table == "" {
		return "the top level"
	}
	return "[" + table + "]"
}

// splitKey splits "a.b.c" into table "a.b" and name "c".
func splitKey(key string) (string, string) {
	i := strings.LastIndexByte(key, '.')
	if i < 0 {
		return "", key
	}
	return key[:i], key[i+1:]
}

// errList is several field errors, reported in file order.
type errList []*FieldError

func (l errList) err() error {
	if len(l) == 0 {
		return nil
	}
	sort.SliceStable(l, func(i, j int) bool {
		if l[i].Line != l[j].Line {
			return l[i].Line < l[j].Line
		}
		return l[i].Key < l[j].Key
	})
	shown := l
	if len(l) > maxErrors {
		shown = l[:maxErrors]
	}
	errs := make([]error, len(shown), len(shown)+1)
	for i, e := range shown {
		errs[i] = e
	}
	if n := len(l) - len(shown); n > 0 {
		errs = append(errs, fmt.Errorf("... and %d more errors", n))
	}
	return errors.Join(errs...)
}
