package podlaunch

import (
	"fmt"
	"time"
)

// Provenance says where a calibration number comes from.
type Provenance struct {
	Provenance string `toml:"provenance"` // quoted | derived | assumed
	Source     string `toml:"source"`     // where it is quoted, the arithmetic, or the reason
}

var provenances = []string{"quoted", "derived", "assumed"}

func (p Provenance) check() error {
	if !contains(provenances, p.Provenance) {
		return fmt.Errorf("provenance %q is not one of %s", p.Provenance, list(provenances))
	}
	if p.Source == "" {
		return fmt.Errorf("source is empty (say where the number is quoted, how it is derived, or why it is assumed)")
	}
	return nil
}

// Duration is a time.Duration written in TOML as a string with a unit
// ("25ms"): a bare integer would silently mean nanoseconds.
type Duration struct{ time.Duration }

// UnmarshalTOML accepts only strings such as "25ms" or "1.2s".
func (d *Duration) UnmarshalTOML(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("duration must be a string with a unit such as \"25ms\", got %T %v", v, v)
	}
	x, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	d.Duration = x
	return nil
}

// DurationParam is a duration with its provenance.
type DurationParam struct {
	Value Duration `toml:"value"`
	Provenance
}

// FloatParam is a number with its provenance.
type FloatParam struct {
	Value float64 `toml:"value"`
	Provenance
}

// IntParam is an integer with its provenance.
type IntParam struct {
	Value int `toml:"value"`
	Provenance
}

// StringParam is an enumerated choice with its provenance.
type StringParam struct {
	Value string `toml:"value"`
	Provenance
}

// paramKeys are the keys of every parameter's inline table.
var paramKeys = []string{"value", "provenance", "source"}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func list(xs []string) string {
	s := ""
	for i, x := range xs {
		if i > 0 {
			s += ", "
		}
		s += x
	}
	return s
}
