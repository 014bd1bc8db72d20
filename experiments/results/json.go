package results

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"strconv"
)

// WriteJSON writes r in the layout of DESIGN 3, keys in a fixed order, one
// metric per line.
func (r *Results) WriteJSON(w io.Writer) error {
	var b bytes.Buffer
	b.WriteString("{\n")
	b.WriteString(`  "cnisim_version": ` + jstr(r.Version) + ",\n")
	b.WriteString(`  "scenario": ` + jstr(r.Scenario) + ",\n")
	b.WriteString(`  "seed": ` + strconv.FormatUint(r.Seed, 10) + ",\n")
	b.WriteString(`  "replications": ` + strconv.Itoa(r.Replications) + ",\n")
	b.WriteString(`  "points": [`)
	for i, p := range r.Points {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n    {\n      \"params\": {")
		for j, pa := range p.Params {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(jstr(pa.Key) + ": " + jvalue(pa.Value))
		}
		b.WriteString("},\n      \"metrics\": {")
		for j, m := range p.Metrics {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n        " + jstr(m.Name) + ": ")
			if m.Members == nil {
				b.WriteString(m.Stat.json())
				continue
			}
			b.WriteByte('{')
			for k, mem := range m.Members {
				if k > 0 {
					b.WriteByte(',')
				}
				b.WriteString("\n          " + jstr(mem.Name) + ": " + mem.Stat.json())
			}
			b.WriteString("\n        }")
		}
		b.WriteString("\n      }\n    }")
	}
	if len(r.Points) > 0 {
		b.WriteString("\n  ")
	}
	b.WriteString("]\n}\n")
	_, err := w.Write(b.Bytes())
	return err
}

func (s Stat) json() string {
	sd, ci := "null", "null" // undefined with one replication
	if s.Spread() {
		sd, ci = jnum(s.StdDev), jnum(s.CI95)
	}
	out := `{"mean": ` + jnum(s.Mean) + `, "stddev": ` + sd + `, "ci95": ` + ci + `, "n": ` + strconv.Itoa(s.N)
	if s.Quantiles {
		out += `, "p50": ` + jnum(s.P50) + `, "p90": ` + jnum(s.P90) + `, "p99": ` + jnum(s.P99)
	}
	return out + "}"
}

func jstr(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// jnum formats as encoding/json does (shortest round-trip form); NaN and
// infinities, which JSON lacks, are written as null.
func jnum(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "null"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func jvalue(v any) string {
	switch x := v.(type) {
	case float64:
		return jnum(x)
	case string:
		return jstr(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}
