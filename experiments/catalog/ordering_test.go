package catalog

import (
	"math"
	"testing"

	"github.com/cnisim/cnisim/experiments/report"
	"github.com/cnisim/cnisim/experiments/results"
)

// An ordering passes only when the two sides' 95% intervals separate; with
// overlapping intervals (Fig. 7a at few launches) or one replication it is
// "not resolved at N replications"; means the wrong way round fail.
func TestOrderingNeedsSeparatedIntervals(t *testing.T) {
	t.Parallel()
	st := func(m, ci float64, n int) results.Stat { return results.Stat{Mean: m, CI95: ci, N: n} }
	for _, tc := range []struct {
		name   string
		ok     bool
		hi, lo []results.Stat
		want   report.Status
		text   string
	}{
		{"separated", true, one(st(10, 1, 5)), one(st(7, 1, 5)), report.Pass, "PASS"},
		{"touching", true, one(st(10, 1.5, 5)), one(st(7, 1.5, 5)), report.Unresolved, "not resolved at 5 replications"},
		{"overlapping", true, one(st(10, 3, 3)), one(st(9, 3, 4)), report.Unresolved, "not resolved at 3 replications"},
		{"one replication", true, one(st(10, 0, 1)), one(st(1, 0, 1)), report.Unresolved, "not resolved at 1 replications"},
		{"groups separated", true, []results.Stat{st(10, 1, 3), st(12, 1, 3)}, []results.Stat{st(5, 1, 3), st(8, 0.5, 3)}, report.Pass, "PASS"},
		{"groups: one pair overlaps", true, []results.Stat{st(10, 1, 3), st(12, 1, 3)}, []results.Stat{st(5, 1, 3), st(8, 1.5, 3)}, report.Unresolved, ""},
		{"absent member ignored", true, one(st(10, 1, 3)), []results.Stat{{}, st(5, 1, 3)}, report.Pass, "PASS"},
		{"wrong way", false, one(st(7, 1, 5)), one(st(10, 1, 5)), report.Fail, "FAIL"},
	} {
		c := ordering("c", "s", "x", "y", tc.ok, apart(tc.hi, tc.lo))
		if c.Status != tc.want || c.Kind != report.Ordering || (tc.text != "" && c.StatusText() != tc.text) {
			t.Errorf("%s: %v %q kind %v, want %v %q", tc.name, c.Status, c.StatusText(), c.Kind, tc.want, tc.text)
		}
	}
	if s := all(apart(one(st(10, 1, 3)), one(st(5, 1, 3))), apart(one(st(10, 1, 2)), one(st(9, 1, 2)))); s.resolved || s.n != 2 {
		t.Errorf("all: %+v, want unresolved at 2", s)
	}
}

// perRepRatio summarises each replication's own ratio, leaving out those
// missing a metric or with a zero denominator: (1/2, 3/4, 5/10) x 1/0.5.
func TestPerRepRatio(t *testing.T) {
	t.Parallel()
	run := &Run{PerRep: [][]map[string]float64{{
		{"c": 1, "g": 2}, {"c": 3, "g": 4}, {"c": 9}, {"c": 7, "g": 0}, {"c": 5, "g": 10},
	}}}
	r := perRepRatio(Row{Run: run, Index: 0}, "c", "g", 0.5)
	// (1 + 1.5 + 1) / 3; sample stddev of 1, 1.5, 1 = 0.288675...
	if r.N != 3 || !near(r.Mean, 3.5/3) || !near(r.StdDev, 0.28867513459481287) {
		t.Errorf("perRepRatio %+v", r)
	}
}

func TestKinds(t *testing.T) {
	t.Parallel()
	if k := number("a", "s", 100, "", 105).KindText(); k != "magnitude within 10%" {
		t.Errorf("number kind %q", k)
	}
	if k := echo(number("a", "s", 100, "", 105)).KindText(); k != "echo of calibration input" {
		t.Errorf("echo kind %q", k)
	}
	if c := numberWithin("a", "s", 1, "", 1.02, 0.01); c.Status != report.Off || c.KindText() != "magnitude within 1%" {
		t.Errorf("numberWithin %+v %q", c, c.KindText())
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

// Labels not found (-1, when every value is NaN) leave a side empty: not
// resolved, never a panic.
func TestOrderingMissingLabel(t *testing.T) {
	t.Parallel()
	ss := []results.Stat{{Mean: 1, N: 3}, {Mean: 2, N: 3}}
	if s := apart(without(ss, -1, -1), at(ss, -1, -1)); s.resolved {
		t.Errorf("empty side resolved: %+v", s)
	}
	if s := top(ss, -1); s.resolved {
		t.Errorf("top(-1) resolved")
	}
	if got := at(ss, 5, 1, -1); len(got) != 1 || got[0].Mean != 2 {
		t.Errorf("at = %+v", got)
	}
}
