// Package field is the error a model returns for a bad value of one of
// its own configuration fields. A model names the field as its package
// spells it ("network.Config.QdiscLen"), never as a scenario key: the
// adapter that builds the configuration from a scenario
// (experiments/simulate) holds the one map from field names to keys, so
// that a user is told the key and line of the value, and a library user
// the field.
package field

import "fmt"

// Error is a bad value of one field.
type Error struct {
	Field string // package.Type.Field, e.g. "tcp.Options.RcvBuf"
	Value any    // the offending value
	Msg   string // what is wrong and what is allowed
}

func (e *Error) Error() string { return fmt.Sprintf("%s = %v: %s", e.Field, e.Value, e.Msg) }

// Errorf returns the error of field holding value.
func Errorf(field string, value any, format string, a ...any) error {
	return &Error{Field: field, Value: value, Msg: fmt.Sprintf(format, a...)}
}
