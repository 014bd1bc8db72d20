package results

import (
	"strings"
	"testing"

	"github.com/cnisim/cnisim/experiments/scenario"
)

func TestGrowing(t *testing.T) {
	for _, tc := range []struct {
		mid, end float64
		want     bool
	}{
		{0, 19, false},    // too few to tell
		{0, 20, true},     // from none to 20
		{100, 149, false}, // under half again
		{100, 150, true},  // half again, 50 > 3 x 10
		{10, 15, false},   // under 20
		{20, 30, false},   // half again, but 10 <= 3 x sqrt(20)
		{20, 34, true},    // 14 > 13.4
		{500, 400, false}, // shrinking
		{2546, 2546, false},
	} {
		if got := Growing(tc.mid, tc.end); got != tc.want {
			t.Errorf("Growing(%v, %v) = %v, want %v", tc.mid, tc.end, got, tc.want)
		}
	}
}

func scalar(name string, mean float64) Metric {
	return Metric{Name: name, Stat: Stat{Mean: mean, N: 1}}
}

// Unsteady flags the points whose open flows grew, names their sweep
// values, quotes the carried share of the offered load when both are
// there, and says nothing of points without the probe.
func TestUnsteady(t *testing.T) {
	r := &Results{Points: []Point{
		{Params: []scenario.Param{{Key: "workload.load", Value: 0.3}}, Metrics: []Metric{
			scalar(ThroughputMbps, 500), scalar(OfferedMbps, 1000), scalar(FlowsOpenMidway, 100), scalar(FlowsUnfinished, 300)}},
		{Params: []scenario.Param{{Key: "workload.load", Value: 0.1}}, Metrics: []Metric{
			scalar(ThroughputMbps, 990), scalar(OfferedMbps, 1000), scalar(FlowsOpenMidway, 100), scalar(FlowsUnfinished, 110)}},
		{Metrics: []Metric{scalar(ThroughputMbps, 1), scalar(FlowsUnfinished, 300)}}, // no probe: long-lived flows
		{Metrics: []Metric{scalar(FlowsOpenMidway, 0), scalar(FlowsUnfinished, 40)}},
	}}
	got := r.Unsteady()
	if len(got) != 2 {
		t.Fatalf("%d lines, want 2: %q", len(got), got)
	}
	for i, want := range [][]string{
		{"point workload.load=0.3: no steady state", "from 100 at mid-window to 300", "carried 50% of the offered load"},
		{"the run: no steady state", "from 0 at mid-window to 40 at the end;"},
	} {
		for _, w := range want {
			if !strings.Contains(got[i], w) {
				t.Errorf("line %d: %q lacks %q", i, got[i], w)
			}
		}
	}
	if strings.Contains(got[1], "carried") {
		t.Errorf("line 1 quotes a carried share without offered_mbps: %q", got[1])
	}
}

// Censored flags the points where more than 1% of the measured flows were
// open at the end, or fewer (one a replication at least) that lift the
// p99 floor past 1.1 times the p99, quotes the p99 and its floor when it has them, and says nothing
// at 1% with the floor near the p99, or without the counts (long-lived
// flows).
func TestCensored(t *testing.T) {
	fct := Metric{Name: FCTMicros, Stat: Stat{Mean: 900, N: 1, Quantiles: true, P50: 500, P99: 18000}}
	r := &Results{Points: []Point{
		{Params: []scenario.Param{{Key: "cni.mode", Value: "vxlan"}}, Metrics: []Metric{
			fct, scalar(FlowsMeasured, 869), scalar(FlowsCensored, 123), scalar(FCTp99Floor, 39634)}},
		{Metrics: []Metric{scalar(FlowsMeasured, 1000), scalar(FlowsCensored, 10)}}, // 1%: not flagged
		{Metrics: []Metric{scalar(FlowsMeasured, 1000), scalar(FlowsCensored, 11)}},
		{Metrics: []Metric{scalar(FlowsUnfinished, 300)}},
		// under 1% open, but lifting the floor past 1.1 x the p99: flagged
		{Metrics: []Metric{fct, scalar(FlowsMeasured, 1000), scalar(FlowsCensored, 5), scalar(FCTp99Floor, 19801)}},
		{Metrics: []Metric{fct, scalar(FlowsMeasured, 1000), scalar(FlowsCensored, 5), scalar(FCTp99Floor, 19799)}},
		{Metrics: []Metric{fct, scalar(FlowsMeasured, 1000), scalar(FlowsCensored, 0), scalar(FCTp99Floor, 25000)}},
		// under one open flow a replication: the floor's distance is the
		// replications' p99s against the pooled one, not censoring
		{Metrics: []Metric{fct, scalar(FlowsMeasured, 523), scalar(FlowsCensored, 0.33), scalar(FCTp99Floor, 353221)}},
	}}
	got := r.Censored()
	if len(got) != 3 {
		t.Fatalf("%d lines, want 3: %q", len(got), got)
	}
	for i, want := range [][]string{
		{"point cni.mode=vxlan: 123 of the 869 flows", "(14.2%", "(18000 µs of those that finished", "at least 39634 µs", "workload.measure_until"},
		{"the run: 11 of the 1000 flows", "(1.1%", "its p99 reads low. Set workload.measure_until"},
		{"the run: 5 of the 1000 flows", "(0.5%", "at least 19801 µs"},
	} {
		for _, w := range want {
			if !strings.Contains(got[i], w) {
				t.Errorf("line %d: %q lacks %q", i, got[i], w)
			}
		}
	}
	if n := len(r.Caveats()); n != 3 {
		t.Errorf("%d caveats, want the 3 censored lines", n)
	}
}
