package scenario

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// Resolved writes s as a scenario file with every key and its value, the
// sweep included, so that running the output repeats the run exactly.
func (s *Scenario) Resolved(w io.Writer) error {
	var b bytes.Buffer
	b.WriteString("# Resolved scenario written by cnisim: every key with the value the run used.\n")
	table := ""
	for _, f := range fields {
		if f.table != table {
			table = f.table
			if table == "workload" {
				s.writeStageTables(&b) // [calibration.cycles] and [calibration.scale] follow [calibration]
			}
			fmt.Fprintf(&b, "\n[%s]\n", table)
		}
		v, _ := s.value(f.key)
		fmt.Fprintf(&b, "%s = %s\n", f.name, Format(v))
	}
	if len(s.Sweep) > 0 {
		b.WriteString("\n[sweep]\n")
		for _, k := range slices.Sorted(maps.Keys(s.Sweep)) {
			fmt.Fprintf(&b, "%s = %s\n", quote(k), Format(s.Sweep[k]))
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

func (s *Scenario) writeStageTables(b *bytes.Buffer) {
	for _, t := range stageTables {
		m := *s.stageMap(t)
		if len(m) == 0 {
			continue
		}
		b.WriteString("\n[" + t + "]\n")
		for _, k := range tableStages(t) {
			if v, ok := m[k]; ok {
				fmt.Fprintf(b, "%s = %s\n", k, Format(v))
			}
		}
	}
}

// ResolvedString is Resolved into a string.
func (s *Scenario) ResolvedString() string {
	var b strings.Builder
	_ = s.Resolved(&b)
	return b.String()
}
