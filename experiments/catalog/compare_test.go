package catalog

import (
	"math"
	"testing"

	"github.com/cnisim/cnisim/experiments/report"
	"github.com/cnisim/cnisim/experiments/results"
)

type resultsFile = results.File

func TestNumber(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		src, pred float64
		want      report.Status
		diff      string
	}{
		{4543, 4543, report.Close, "+0 Mbit/s (+0.0%)"},
		{4543, 4900, report.Close, "+357 Mbit/s (+7.9%)"}, // within 10%
		{4543, 5100, report.Off, "+557 Mbit/s (+12.3%)"},  // beyond
		{4814, 4262, report.Off, "−552 Mbit/s (-11.5%)"},  // below
		{4543, math.NaN(), report.Off, ""},                // not measured
	} {
		got := number("x", "s", c.src, " Mbit/s", c.pred)
		if got.Status != c.want || got.Difference != c.diff {
			t.Errorf("number(%g, %g) = %v %q, want %v %q", c.src, c.pred, got.Status, got.Difference, c.want, c.diff)
		}
	}
}

func TestSpan(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		pred float64
		want report.Status
		diff string
	}{
		{800, report.Close, "inside"},
		{700, report.Close, "inside"},
		{900, report.Close, "+20 CPP outside"}, // 20 < 10% of 880
		{1000, report.Off, "+120 CPP outside"},
		{600, report.Off, "−100 CPP outside"},
	} {
		got := span("x", "s", 700, 880, " CPP", c.pred)
		if got.Status != c.want || got.Difference != c.diff {
			t.Errorf("span(700..880, %g) = %v %q, want %v %q", c.pred, got.Status, got.Difference, c.want, c.diff)
		}
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	for v, want := range map[float64]string{0: "0", 4543.2: "4543", 12.345: "12.35", 0.00012345: "0.0001234", -3: "-3"} {
		if got := num(v); got != want {
			t.Errorf("num(%v) = %q, want %q", v, got, want)
		}
	}
	if got := pm(results.Stat{Mean: 9.5, CI95: 0.25, N: 10}, 1); got != "9.5 ± 0.25" {
		t.Errorf("pm = %q", got)
	}
	if got := pm(results.Stat{Mean: 9.5, N: 1}, 1); got != "9.5" {
		t.Errorf("pm of one replication = %q, want no interval", got)
	}
}

// The goodput bound (DESIGN 2): at MTU 1500 with no encapsulation the MSS
// is 1448 and a frame takes 1538 bytes on the wire: 10 Gbit/s x
// 1448/1538 = 9414.8 Mbit/s; VXLAN's 50 bytes shrink the MSS to 1398 in
// the same frame: 9089.7 Mbit/s.
func TestWireBound(t *testing.T) {
	t.Parallel()
	e, _ := Lookup("whatif-encap-vs-direct")
	plan, err := e.Load("encap-flannel.toml", false, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	run := &Run{Plan: plan}
	for i := range plan.Len() {
		pt := plan.Point(i)
		if pt.Scenario.Cluster.LinkGbps != 10 {
			continue
		}
		want := map[string]float64{"host-gw": 10000 * 1448.0 / 1538, "vxlan": 10000 * 1398.0 / 1538}[pt.Scenario.CNI.Mode]
		if got := wireBoundMbps(Row{Run: run, Index: i}); math.Abs(got-want) > 1e-6 {
			t.Errorf("%s: bound %v, want %v", pt.Scenario.CNI.Mode, got, want)
		}
	}
}
