package calibration

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cnisim/cnisim/models/datapath"
)

// Provenance says where a number comes from (DESIGN 2, "Costs and
// calibration").
type Provenance string

const (
	// Measured: measured by the profile's author; Source gives the command,
	// date, kernel and CPU.
	Measured Provenance = "measured"
	Quoted   Provenance = "quoted"  // a number in a source; Source says where
	Derived  Provenance = "derived" // arithmetic on quoted or measured numbers; Source gives it
	Assumed  Provenance = "assumed" // no source; Source gives the reason
)

// Provenances lists the valid provenances.
var Provenances = []Provenance{Measured, Quoted, Derived, Assumed}

// Profile is a calibration profile: per-stage costs at CPU frequency GHz,
// and the per-rule costs of policy engines (RuleCost).
type Profile struct {
	Name        string  `toml:"name"`
	Description string  `toml:"description,omitempty"`
	GHz         float64 `toml:"cpu_ghz"`
	// PerByteScaling is how the entries' cycles_per_byte move with the
	// cluster's clock, for entries that state none (see Scaling; "" is
	// ScaleClock).
	PerByteScaling Scaling    `toml:"per_byte_scaling,omitempty"`
	Costs          []Entry    `toml:"cost"`
	RuleCosts      []RuleCost `toml:"rule_cost,omitempty"`
	// GROFrames and GSOSegments are the per-frame costs of GRO merging
	// and of software GSO's cutting (framecost.go).
	GROFrames   []FrameCost `toml:"gro_frame,omitempty"`
	GSOSegments []FrameCost `toml:"gso_segment,omitempty"`
}

// Entry is the cost of one crossing of a stage kind, optionally restricted
// to a plugin, a mode of that plugin and a placement.
type Entry struct {
	Stage         string  `toml:"stage"`
	Cycles        float64 `toml:"cycles"`
	CyclesPerByte float64 `toml:"cycles_per_byte,omitempty"`
	// PerByteScaling overrides the profile's per_byte_scaling for this
	// entry ("" inherits it).
	PerByteScaling Scaling    `toml:"per_byte_scaling,omitempty"`
	Plugin         string     `toml:"plugin,omitempty"`
	Mode           string     `toml:"mode,omitempty"`
	Placement      string     `toml:"placement,omitempty"`
	Provenance     Provenance `toml:"provenance"`
	Source         string     `toml:"source"`
}

// Profile and entry keys, exactly as spelt in TOML.
var (
	profileKeys = []string{"name", "description", "cpu_ghz", "per_byte_scaling", "cost", "rule_cost", "gro_frame", "gso_segment"}
	entryKeys   = []string{"stage", "cycles", "cycles_per_byte", "per_byte_scaling", "plugin", "mode", "placement", "provenance", "source"}
)

// FieldError is a validation error located at a key: Entry is the index of
// the table in the array Table ("cost" when empty, or "rule_cost"), or -1
// for a top-level key.
type FieldError struct {
	Table string
	Entry int
	Key   string
	Msg   string
}

func (e *FieldError) Error() string {
	if e.Entry < 0 {
		return fmt.Sprintf("%s: %s", e.Key, e.Msg)
	}
	return fmt.Sprintf("%s[%d].%s: %s", e.table(), e.Entry, e.Key, e.Msg)
}

// table is the array of tables the error is in.
func (e *FieldError) table() string {
	if e.Entry < 0 {
		return ""
	}
	if e.Table == "" {
		return "cost"
	}
	return e.Table
}

// Validate checks the profile; the error joins one *FieldError per problem.
func (p *Profile) Validate() error {
	var errs []error
	addIn := func(table string, i int, key, format string, a ...any) {
		errs = append(errs, &FieldError{Table: table, Entry: i, Key: key, Msg: fmt.Sprintf(format, a...)})
	}
	add := func(i int, key, format string, a ...any) { addIn("", i, key, format, a...) }
	if strings.TrimSpace(p.Name) == "" {
		add(-1, "name", "must not be empty")
	}
	if !inRange(p.GHz, MinGHz, MaxGHz) {
		add(-1, "cpu_ghz", "must be a number in %v..%v, got %v", MinGHz, MaxGHz, p.GHz)
	}
	if err := checkScaling(p.PerByteScaling); err != nil {
		add(-1, "per_byte_scaling", "%v", err)
	}
	seen := map[entryKey]int{}
	for i, e := range p.Costs {
		if _, err := datapath.ParseKind(e.Stage); err != nil {
			add(i, "stage", "%v", err)
		}
		if !inRange(e.Cycles, 0, MaxCycles) {
			add(i, "cycles", "must be a number in 0..%g, got %v", float64(MaxCycles), e.Cycles)
		}
		if !inRange(e.CyclesPerByte, 0, MaxCyclesPerByte) {
			add(i, "cycles_per_byte", "must be a number in 0..%g, got %v", float64(MaxCyclesPerByte), e.CyclesPerByte)
		}
		if err := checkScaling(e.PerByteScaling); err != nil {
			add(i, "per_byte_scaling", "%v", err)
		}
		if e.Mode != "" && e.Plugin == "" {
			add(i, "mode", "mode %q needs a plugin (a mode belongs to one plugin)", e.Mode)
		}
		if err := checkPlacement(e.Placement); err != nil {
			add(i, "placement", "%v", err)
		}
		if !validProvenance(e.Provenance) {
			add(i, "provenance", "unknown provenance %q (valid: %s)", e.Provenance, provenanceList())
		}
		if strings.TrimSpace(e.Source) == "" {
			add(i, "source", "must say where the number comes from (measured: command, date, kernel, CPU; quoted: where; derived: the arithmetic; assumed: the reason)")
		}
		k := e.key()
		if j, dup := seen[k]; dup {
			add(i, "stage", "duplicate of cost[%d]: same stage %q, plugin %q, mode %q, placement %q", j, e.Stage, e.Plugin, e.Mode, e.Placement)
		} else {
			seen[k] = i
		}
	}
	p.validateRuleCosts(addIn)
	validateFrameCosts("gro_frame", p.GROFrames, addIn)
	validateFrameCosts("gso_segment", p.GSOSegments, addIn)
	return errors.Join(errs...)
}

type entryKey struct{ stage, plugin, mode, placement string }

func (e *Entry) key() entryKey { return entryKey{e.Stage, e.Plugin, e.Mode, e.Placement} }

func checkPlacement(s string) error {
	switch datapath.Placement(s) {
	case "", datapath.Intra, datapath.Inter:
		return nil
	}
	return fmt.Errorf("unknown placement %q (valid: intra, inter, or empty for both)", s)
}

func provenanceList() string {
	s := make([]string, len(Provenances))
	for i, p := range Provenances {
		s[i] = string(p)
	}
	return strings.Join(s, ", ")
}

func validProvenance(p Provenance) bool {
	for _, v := range Provenances {
		if p == v {
			return true
		}
	}
	return false
}

// Clone returns a deep copy, so that overrides do not touch a shared profile.
func (p *Profile) Clone() *Profile {
	q := *p
	q.Costs = append([]Entry(nil), p.Costs...)
	q.RuleCosts = make([]RuleCost, len(p.RuleCosts))
	for i, r := range p.RuleCosts {
		r.CyclesPerRule, r.NsPerRule = clonePtr(r.CyclesPerRule), clonePtr(r.NsPerRule)
		r.TableBytesPerRule, r.CacheBytes, r.UncachedCyclesPerRule = clonePtr(r.TableBytesPerRule), clonePtr(r.CacheBytes), clonePtr(r.UncachedCyclesPerRule)
		q.RuleCosts[i] = r
	}
	if p.RuleCosts == nil {
		q.RuleCosts = nil
	}
	q.GROFrames = append([]FrameCost(nil), p.GROFrames...)
	q.GSOSegments = append([]FrameCost(nil), p.GSOSegments...)
	return &q
}

func clonePtr(v *float64) *float64 {
	if v == nil {
		return nil
	}
	x := *v
	return &x
}
