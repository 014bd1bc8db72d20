package main

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
)

// TestSolveQuantileTarget: a flow completion time of i x 1000 / cores
// microseconds for flows i = 1..100 has its 99th percentile at 99,000 /
// cores (the empirical quantile: the 99th smallest), so a p99 of at most
// 10,000 us needs 10 cores; the mean (50,500 / cores) would say 6.
func TestSolveQuantileTarget(t *testing.T) {
	withModel(t, run.PerReplication(func(ctx context.Context, sc *scenario.Scenario, rep int, seed uint64) (run.Sample, error) {
		var s run.Sample
		for i := 1; i <= 100; i++ {
			s.Observe(results.FCTMicros, float64(i)*1000/float64(sc.Cluster.CoresPerNode))
		}
		return s, ctx.Err()
	}))
	sc := solveScenario(t, "")
	for _, c := range []struct {
		target string
		want   float64
	}{{"fct_us.p99<=10000", 10}, {"fct_us.p50<=10000", 5}, {"fct_us<=10000", 6}} {
		code, stdout, stderr := cli("solve", sc, "--target", c.target, "--vary", "cluster.cores_per_node", "--max", "32", "--format", "json", "--parallel", "1")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.target, code, stderr)
		}
		var rep struct{ Answer struct{ Value, Mean float64 } }
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Answer.Value != c.want {
			t.Errorf("%s: answer %v (mean %v), want %v", c.target, rep.Answer.Value, rep.Answer.Mean, c.want)
		}
	}
	code, _, stderr := cli("solve", sc, "--target", "fct_us.p95<=10000", "--vary", "cluster.cores_per_node", "--max", "32", "--parallel", "1")
	if code != 2 || !strings.Contains(stderr, `"fct_us.p95" is not reported`) || !strings.Contains(stderr, "fct_us[.p50|.p90|.p99]") {
		t.Errorf("p95: exit %d: %s", code, stderr)
	}
}

// TestQuantileStat: each replication's quantile of its own observations,
// summarised over the replications (not the pooled quantile run prints);
// names that are not a distribution's p50, p90 or p99 are not read.
func TestQuantileStat(t *testing.T) {
	res := &results.Results{Points: []results.Point{{Metrics: []results.Metric{
		{Name: results.FCTMicros, Stat: results.Stat{Quantiles: true, N: 2}},
		{Name: results.ThroughputMbps, Stat: results.Stat{N: 2}},
	}}}}
	var urs []run.UnitResult
	for rep, off := range []float64{0, 1000} { // replication 1's flows all 1,000 us slower
		u := run.UnitResult{Unit: run.Unit{Rep: rep}}
		for i := 1; i <= 100; i++ {
			u.Sample.Observe(results.FCTMicros, float64(i)+off)
		}
		urs = append(urs, u)
	}
	st, ok := quantileStat(res, urs, "fct_us.p90")
	if want := (90.0 + 1090) / 2; !ok || st.N != 2 || st.Mean != want || math.Abs(st.StdDev-1000/math.Sqrt2) > 1e-9 {
		t.Errorf("fct_us.p90 = %+v, %v; want mean %v over 2 replications, stddev %v", st, ok, want, 1000/math.Sqrt2)
	}
	for _, name := range []string{"fct_us", "fct_us.p95", "throughput_mbps.p99", "rtt_us.p99", "fct_us.mean"} {
		if _, ok := quantileStat(res, urs, name); ok {
			t.Errorf("%s read as a quantile", name)
		}
	}
}

// TestUntilQuantile: --until takes a distribution's quantile, and refuses
// other members of a distribution naming the ones it has.
func TestUntilQuantile(t *testing.T) {
	if tg, err := parseUntil("fct_us.p99=5%", 64, 2); err != nil || tg.Metric != "fct_us.p99" || tg.RelHalfWidth != 0.05 {
		t.Errorf("fct_us.p99=5%%: %+v, %v", tg, err)
	}
	for in, want := range map[string]string{
		"fct_us.p95=5%":          "fct_us.p50, fct_us.p90 or fct_us.p99",
		"throughput_mbps.p99=5%": "throughput_mbps is a scalar, it has no members",
	} {
		if _, err := parseUntil(in, 64, 2); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error with %q", in, err, want)
		}
	}
}
