package report

import (
	"slices"
	"strings"
	"testing"
)

func TestMarkdown(t *testing.T) {
	d := &Document{Title: "r", Intro: []string{"intro"}, Sections: []Section{
		{Name: "paper-fig3", Title: "Fig. 3", Figures: []Image{{File: "paper-fig3/a.png", Alt: "paper-fig3/a.svg", Caption: "cap"}},
			Tables: []Table{{Caption: "t", Header: []string{"CNI", "x|y"}, Rows: [][]string{{"Cilium", "1"}}}},
			Checks: []Check{{Claim: "c", Source: "paper", SourceVal: "Cilium", Predicted: "Cilium", Status: Pass},
				{Claim: "n", Source: "vendor", SourceVal: "4543", Predicted: "4262", Difference: "−281", Status: Off}},
			Files: []string{"paper-fig3/results.json"}},
		{Name: "blog-wrk", Title: "wrk", Skipped: "needs workload http_load"},
	}}
	md := string(Markdown(d))
	for _, want := range []string{
		"| [paper-fig3](#paper-fig3) | Fig. 3 | 1/1 | 0/1 |", // tallies: orderings, numbers
		"| [blog-wrk](#blog-wrk) | wrk | skipped |  |",
		"![cap](paper-fig3/a.png)", "([SVG](paper-fig3/a.svg))",
		`| CNI | x\|y |`, // a pipe in a cell is escaped
		"| c | paper | Cilium | Cilium |  | PASS |",
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
