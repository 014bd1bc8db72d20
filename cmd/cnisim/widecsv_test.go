package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/experiments/results"
)

// A results.csv wider than a spreadsheet says so and names the long file;
// one that fits says nothing.
func TestWarnWide(t *testing.T) {
	for _, tc := range []struct {
		members int
		warn    bool
	}{{4096, false}, {4097, true}} { // four columns per member: 16,384 fits, 16,388 does not
		mems := make([]results.Member, tc.members)
		for i := range mems {
			mems[i] = results.Member{Name: fmt.Sprintf("node%d.total", i), Stat: results.Stat{Mean: 1, N: 1}}
		}
		res := &results.Results{Replications: 1, Points: []results.Point{{Metrics: []results.Metric{{Name: results.CPUCoresUsedByNode, Members: mems}}}}}
		var errb bytes.Buffer
		warnWide(res, &errb)
		if got := strings.Contains(errb.String(), "results-long.csv"); got != tc.warn {
			t.Errorf("%d members (%d columns): warned %v, want %v: %q", tc.members, res.CSVColumns(), got, tc.warn, errb.String())
		}
	}
}
