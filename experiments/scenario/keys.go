package scenario

import (
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/models/datapath"
)

// field is one scalar key of the format, found from the struct tags so the
// Go types and the file format cannot drift apart.
type field struct {
	key   string // dotted, "cluster.mtu"
	table string // "cluster"; "" for the root
	name  string // "mtu"
	index []int  // reflect field path from Scenario
	typ   reflect.Type
}

// Special keys: the free-form stage tables and the sweep table.
const (
	cyclesTable = "calibration.cycles"
	scaleTable  = "calibration.scale"
	sweepTable  = "sweep"
)

// stageTables are the free-form tables keyed by stage kind (cnisim list
// stages): [calibration.cycles] replaces a stage's cycles per crossing,
// [calibration.scale] multiplies its costs. Each of their entries is a key
// of its own, <table>.<stage>, for --set and [sweep].
var stageTables = []string{cyclesTable, scaleTable}

// stageKey splits a stage table's key into its table and stage.
func stageKey(key string) (table, stage string, ok bool) {
	for _, t := range stageTables {
		if stage, ok := strings.CutPrefix(key, t+"."); ok {
			return t, stage, true
		}
	}
	return "", "", false
}

// tableStages are the entries a stage table takes: every stage kind, and
// in [calibration.scale] the policy and Service rules and the offloads' per-frame
// costs too.
func tableStages(table string) []string {
	if table == scaleTable {
		return calibration.ScaleStages()
	}
	return datapath.KindNames()
}

// checkStage accepts an entry of a stage table, naming the allowed ones
// otherwise.
func checkStage(table, stage string) error {
	if slices.Contains(tableStages(table), stage) {
		return nil
	}
	if table == scaleTable {
		return calibration.CheckScaleStage(stage)
	}
	_, err := datapath.ParseKind(stage)
	return err
}

// stageMap is the scenario's map of a stage table.
func (s *Scenario) stageMap(table string) *map[string]float64 {
	if table == scaleTable {
		return &s.Calibration.Scale
	}
	return &s.Calibration.Cycles
}

var (
	fields     []*field          // in struct (and Resolved) order
	fieldByKey map[string]*field // dotted key -> field
	tableKeys  map[string][]string
	tableOrder []string // "" first, then tables in struct order
	durType    = reflect.TypeFor[time.Duration]()
)

func init() {
	fieldByKey = map[string]*field{}
	tableKeys = map[string][]string{}
	walk(reflect.TypeFor[Scenario](), "", nil)
}

func walk(t reflect.Type, table string, index []int) {
	tableOrder = append(tableOrder, table)
	for i := range t.NumField() {
		f := t.Field(i)
		name := f.Tag.Get("toml")
		idx := append(slices.Clone(index), i)
		key := join(table, name)
		tableKeys[table] = append(tableKeys[table], name)
		switch {
		case key == sweepTable || slices.Contains(stageTables, key):
			// free-form tables, handled by name
		case f.Type.Kind() == reflect.Struct:
			walk(f.Type, key, idx)
		default:
			fd := &field{key: key, table: table, name: name, index: idx, typ: f.Type}
			fields = append(fields, fd)
			fieldByKey[key] = fd
		}
	}
}

func join(table, name string) string {
	if table == "" {
		return name
	}
	return table + "." + name
}

// isTable reports whether key names a table of the format (including the
// free-form ones).
func isTable(key string) bool {
	_, ok := tableKeys[key]
	return ok || key == sweepTable || slices.Contains(stageTables, key)
}

// Keys returns every scalar key of the format in file order, the form
// accepted by --set and [sweep] (plus "calibration.cycles.<stage>" and "calibration.scale.<stage>").
func Keys() []string {
	ks := make([]string, len(fields))
	for i, f := range fields {
		ks[i] = f.key
	}
	return ks
}

// allowedIn lists the keys allowed directly in a table, for messages.
func allowedIn(table string) string {
	return strings.Join(tableKeys[table], ", ")
}

// closeMatch finds a key differing only in case, for a helpful message.
func closeMatch(table, name string) string {
	for _, k := range tableKeys[table] {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	return ""
}

// NumericKeys returns the keys whose values are numbers or durations, in
// file order: what the extreme-value tests must cover.
func NumericKeys() []string {
	var ks []string
	for _, f := range fields {
		switch f.typ.Kind() {
		case reflect.Int, reflect.Int64, reflect.Uint64, reflect.Float64:
			ks = append(ks, f.key)
		}
	}
	return ks
}
