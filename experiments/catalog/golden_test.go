package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/experiments/report"
	"github.com/cnisim/cnisim/internal/golden"
)

// quickGolden is what testdata/quick/NAME.json pins of an experiment's
// quick form (`cnisim experiment NAME --quick`, as TestQuick runs it): the
// cells of every table, every check against the sources (claim, kind,
// source, the source's and the predicted value, difference, status) and
// the notes, exactly as the report prints them. The runs are deterministic
// (same seed, byte-identical results whatever the parallelism), so a cell
// that moves is a change of the simulator's numbers.
type quickGolden struct {
	Experiment string        `json:"experiment"`
	Update     string        `json:"how_to_update"`
	Skipped    string        `json:"skipped,omitempty"`
	Tables     []goldenTable `json:"tables"`
	Checks     []goldenCheck `json:"checks"`
	Notes      []string      `json:"notes"`
}

type goldenTable struct {
	Caption string     `json:"caption"`
	Header  []string   `json:"header"`
	Rows    [][]string `json:"rows"`
}

type goldenCheck struct {
	Claim      string `json:"claim"`
	Kind       string `json:"kind"`
	Source     string `json:"source"`
	SourceVal  string `json:"source_value"`
	Predicted  string `json:"predicted"`
	Difference string `json:"difference"`
	Status     string `json:"status"`
}

func quickGoldenOf(sec report.Section, update string) quickGolden {
	g := quickGolden{Experiment: sec.Name, Update: update, Skipped: sec.Skipped, Notes: sec.Notes}
	for _, t := range sec.Tables {
		g.Tables = append(g.Tables, goldenTable(t))
	}
	for _, c := range sec.Checks {
		g.Checks = append(g.Checks, goldenCheck{c.Claim, c.KindText(), c.Source, c.SourceVal, c.Predicted, c.Difference, c.StatusText()})
	}
	return g
}

// encode writes g as JSON with one table row, check or note per line, so
// that a diff of the file shows what moved.
func (g quickGolden) encode() []byte {
	var b bytes.Buffer
	j := func(v any) string {
		var s bytes.Buffer
		e := json.NewEncoder(&s)
		e.SetEscapeHTML(false)
		if err := e.Encode(v); err != nil {
			panic(err) // strings and slices of strings always encode
		}
		return strings.TrimSuffix(s.String(), "\n")
	}
	list := func(indent string, items []string) {
		for i, it := range items {
			b.WriteString(indent + it)
			if i < len(items)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
	}
	fmt.Fprintf(&b, "{\n  \"experiment\": %s,\n  \"how_to_update\": %s,\n", j(g.Experiment), j(g.Update))
	if g.Skipped != "" {
		fmt.Fprintf(&b, "  \"skipped\": %s,\n", j(g.Skipped))
	}
	b.WriteString("  \"tables\": [\n")
	for i, t := range g.Tables {
		fmt.Fprintf(&b, "    {\n      \"caption\": %s,\n      \"header\": %s,\n      \"rows\": [\n", j(t.Caption), j(t.Header))
		rows := make([]string, len(t.Rows))
		for k, r := range t.Rows {
			rows[k] = j(r)
		}
		list("        ", rows)
		b.WriteString("      ]\n    }")
		if i < len(g.Tables)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("  ],\n  \"checks\": [\n")
	checks := make([]string, len(g.Checks))
	for i, c := range g.Checks {
		checks[i] = j(c)
	}
	list("    ", checks)
	b.WriteString("  ],\n  \"notes\": [\n")
	notes := make([]string, len(g.Notes))
	for i, n := range g.Notes {
		notes[i] = j(n)
	}
	list("    ", notes)
	b.WriteString("  ]\n}\n")
	return b.Bytes()
}

// checkQuickGolden compares an experiment's quick section with its golden
// file; under -update it rewrites the file.
func checkQuickGolden(t *testing.T, sec report.Section) {
	t.Helper()
	path := filepath.Join("testdata", "quick", sec.Name+".json")
	got := quickGoldenOf(sec, golden.Command(t))
	data := got.encode()
	if golden.Update() {
		golden.Write(t, path, data)
		return
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("%s: no golden numbers: %v (create them: %s)", sec.Name, err, golden.Command(t))
		return
	}
	if bytes.Equal(raw, data) {
		return
	}
	var want quickGolden
	diffs := []string{"the file is not JSON (" + golden.FirstDiff(string(raw), string(data)) + ")"}
	if err := json.Unmarshal(raw, &want); err == nil {
		diffs = diffQuick(want, got)
		if len(diffs) == 0 {
			diffs = []string{"same values, different layout: " + golden.FirstDiff(string(raw), string(data))}
		}
	}
	const show = 12
	more := ""
	if len(diffs) > show {
		more = fmt.Sprintf("\n  ... and %d more", len(diffs)-show)
		diffs = diffs[:show]
	}
	t.Errorf("%s: the quick run's numbers moved from %s:\n  %s%s\nIf the change is intended, rewrite the golden files with %s and review the diff of experiments/catalog/testdata/quick before committing",
		sec.Name, path, strings.Join(diffs, "\n  "), more, golden.Command(t))
}

// diffQuick lists what differs between two goldens of one experiment, one
// line per cell, check field or note: "table 2 "caption", row "flannel",
// column "Gbit/s": golden 9.41, now 9.38".
func diffQuick(want, got quickGolden) []string {
	var d []string
	add := func(where, w, g string) {
		if w != g {
			d = append(d, fmt.Sprintf("%s: golden %q, now %q", where, w, g))
		}
	}
	add("skipped", want.Skipped, got.Skipped)
	add("number of tables", fmt.Sprint(len(want.Tables)), fmt.Sprint(len(got.Tables)))
	for i := range min(len(want.Tables), len(got.Tables)) {
		w, g := want.Tables[i], got.Tables[i]
		tn := fmt.Sprintf("table %d %q", i+1, short(g.Caption))
		add(tn+", caption", w.Caption, g.Caption)
		add(tn+", header", strings.Join(w.Header, " | "), strings.Join(g.Header, " | "))
		add(tn+", number of rows", fmt.Sprint(len(w.Rows)), fmt.Sprint(len(g.Rows)))
		for r := range min(len(w.Rows), len(g.Rows)) {
			for c := range max(len(w.Rows[r]), len(g.Rows[r])) {
				add(fmt.Sprintf("%s, row %d %q, column %q", tn, r+1, cellAt(g.Rows[r], 0), cellAt(g.Header, c)),
					cellAt(w.Rows[r], c), cellAt(g.Rows[r], c))
			}
		}
	}
	add("number of checks", fmt.Sprint(len(want.Checks)), fmt.Sprint(len(got.Checks)))
	for i := range min(len(want.Checks), len(got.Checks)) {
		w, g := want.Checks[i], got.Checks[i]
		cn := fmt.Sprintf("check %d %q", i+1, short(g.Claim))
		add(cn+", claim", w.Claim, g.Claim)
		add(cn+", kind", w.Kind, g.Kind)
		add(cn+", source", w.Source, g.Source)
		add(cn+", source value", w.SourceVal, g.SourceVal)
		add(cn+", predicted", w.Predicted, g.Predicted)
		add(cn+", difference", w.Difference, g.Difference)
		add(cn+", status", w.Status, g.Status)
	}
	add("number of notes", fmt.Sprint(len(want.Notes)), fmt.Sprint(len(got.Notes)))
	for i := range min(len(want.Notes), len(got.Notes)) {
		add(fmt.Sprintf("note %d", i+1), want.Notes[i], got.Notes[i])
	}
	return d
}

func cellAt(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}

func short(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:57]) + "..."
	}
	return s
}

func TestDiffQuick(t *testing.T) {
	t.Parallel()
	base := quickGolden{
		Experiment: "x",
		Tables:     []goldenTable{{Caption: "T", Header: []string{"cni", "Gbit/s"}, Rows: [][]string{{"flannel", "9.41"}, {"calico", "9.50"}}}},
		Checks:     []goldenCheck{{Claim: "calico fastest", Status: "PASS"}},
		Notes:      []string{"n"},
	}
	moved := base
	moved.Tables = []goldenTable{{Caption: "T", Header: []string{"cni", "Gbit/s"}, Rows: [][]string{{"flannel", "9.38"}, {"calico", "9.50"}}}}
	moved.Checks = []goldenCheck{{Claim: "calico fastest", Status: "FAIL"}}
	got := diffQuick(base, moved)
	want := []string{
		`table 1 "T", row 1 "flannel", column "Gbit/s": golden "9.41", now "9.38"`,
		`check 1 "calico fastest", status: golden "PASS", now "FAIL"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diffQuick:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if d := diffQuick(base, base); len(d) != 0 {
		t.Errorf("diffQuick of equal goldens: %q", d)
	}
	// The file round-trips: what encode writes decodes to the same golden.
	var back quickGolden
	if err := json.Unmarshal(base.encode(), &back); err != nil {
		t.Fatal(err)
	}
	if d := diffQuick(base, back); len(d) != 0 {
		t.Errorf("encode/decode: %q", d)
	}
}

// Every experiment of the catalogue has its golden numbers, and no golden
// file is left of an experiment that is gone (TestQuick writes them).
func TestQuickGoldensMatchCatalog(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "quick", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, f := range files {
		have[strings.TrimSuffix(filepath.Base(f), ".json")] = true
	}
	for _, name := range Names() {
		if !have[name] {
			t.Errorf("experiment %s has no testdata/quick/%s.json: go test ./experiments/catalog -run '^TestQuick$' -update", name, name)
		}
		delete(have, name)
	}
	for name := range have {
		t.Errorf("testdata/quick/%s.json: no experiment %s in the catalogue; delete the file", name, name)
	}
}
