package report

import (
	"slices"
	"strings"
	"testing"
)

func TestMarkdown(t *testing.T) {
	t.Parallel()
	d := &Document{Title: "r", Intro: []string{"intro"}, Sections: []Section{
		{Name: "paper-fig3", Title: "Fig. 3", Figures: []Image{{File: "paper-fig3/a.png", Alt: "paper-fig3/a.svg", Caption: "cap"}},
			Tables: []Table{{Caption: "t", Header: []string{"CNI", "x|y"}, Rows: [][]string{{"Cilium", "1"}}}},
			Checks: []Check{{Claim: "c", Source: "paper", SourceVal: "Cilium", Predicted: "Cilium", Status: Pass, Kind: Ordering, Reps: 3},
				{Claim: "u", Source: "paper", SourceVal: "a > b", Predicted: "a 5 ± 3 vs b 4 ± 3", Status: Unresolved, Kind: Ordering, Reps: 2},
				{Claim: "n", Source: "vendor", SourceVal: "4543", Predicted: "4262", Difference: "−281", Status: Off, Kind: Magnitude, Tolerance: 0.1},
				{Claim: "e", Source: "paper", SourceVal: "80", Predicted: "80", Difference: "+0", Status: Close, Kind: Echo, Tolerance: 0.1}},
			Files: []string{"paper-fig3/results.json"}},
		{Name: "blog-wrk", Title: "wrk", Skipped: "needs workload http_load"},
	}}
	md := string(Markdown(d))
	for _, want := range []string{
		"| [paper-fig3](#paper-fig3) | Fig. 3 | 1/2 | 1 | 0/1 | 1/1 |", // tallies: orderings, unresolved, numbers, echoes
		"| [blog-wrk](#blog-wrk) | wrk | skipped |  |  |  |",
		"| u | ordering | paper | a > b | a 5 ± 3 vs b 4 ± 3 |  | not resolved at 2 replications |",
		"| n | magnitude within 10% | vendor | 4543 | 4262 | −281 | off |",
		"| e | echo of calibration input | paper | 80 | 80 | +0 | close |",
		"![cap](paper-fig3/a.png)", "([SVG](paper-fig3/a.svg))",
		`| CNI | x\|y |`, // a pipe in a cell is escaped
		"| c | ordering | paper | Cilium | Cilium |  | PASS |",
		"> Not run: needs workload http_load",
		"[results.json](paper-fig3/results.json)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	links := Links([]byte(md))
	want := []string{"paper-fig3/a.png", "paper-fig3/a.svg", "paper-fig3/results.json"}
	if !slices.Equal(links, want) {
		t.Errorf("Links = %v, want %v (anchors left out)", links, want)
	}
}
