package run_test

import (
	"math"
	"testing"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func onePoint(t *testing.T) *scenario.Plan {
	t.Helper()
	p, err := scenario.Load("x.toml", []byte("replications = 3\n"), scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Closed forms: for 1, 2, 3 the mean is 2, the sample standard deviation 1
// and the 95% half-width t(0.975, 2) / sqrt(3) = 4.302652729911275 / 1.7320508
// (Student t table). Quantiles are of the pooled samples 1..5 (gonum's
// Empirical: the smallest x with CDF >= p).
func TestAggregateStatistics(t *testing.T) {
	t.Parallel()
	p := onePoint(t)
	var urs []run.UnitResult
	for rep, v := range []float64{3, 1, 2} { // order must not matter
		var s run.Sample
		s.Set(results.ThroughputMbps, v)
		s.SetGroup(results.CPPByStage, "bridge", 10*v)
		s.SetGroup(results.CPPByStage, "veth", v)
		if rep < 2 {
			s.Set(results.Drops, 5) // reported by two replications only
		}
		urs = append(urs, run.UnitResult{Unit: run.Unit{Point: 0, Rep: rep}, Sample: s})
	}
	urs[0].Sample.Observe(results.RTTMicros, 1, 2)
	urs[1].Sample.Observe(results.RTTMicros, 3, 4, 5)
	r := run.Aggregate(p, urs, "v")
	if len(r.Points) != 1 {
		t.Fatalf("%d points", len(r.Points))
	}
	ms := map[string]results.Metric{}
	var order []string
	for _, m := range r.Points[0].Metrics {
		ms[m.Name] = m
		order = append(order, m.Name)
	}
	want := []string{results.ThroughputMbps, results.RTTMicros, results.CPPByStage, results.Drops}
	if len(order) != len(want) {
		t.Fatalf("metrics %v, want %v", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("metric order %v, want %v (DESIGN 3 order)", order, want)
		}
	}
	th := ms[results.ThroughputMbps].Stat
	if !near(th.Mean, 2) || !near(th.StdDev, 1) || !near(th.CI95, 4.302652729911275/math.Sqrt(3)) || th.N != 3 || th.Quantiles {
		t.Errorf("throughput %+v", th)
	}
	if d := ms[results.Drops].Stat; d.N != 2 || d.Mean != 5 || d.StdDev != 0 {
		t.Errorf("drops %+v, want n=2 mean 5", d)
	}
	rtt := ms[results.RTTMicros].Stat
	// per-replication means 1.5 and 4 -> 2.75, n = 2; pooled quantiles of 1..5
	if !rtt.Quantiles || !near(rtt.Mean, 2.75) || rtt.N != 2 || rtt.P50 != 3 || rtt.P90 != 5 || rtt.P99 != 5 {
		t.Errorf("rtt %+v", rtt)
	}
	cpp := ms[results.CPPByStage].Members
	if len(cpp) != 2 || cpp[0].Name != "veth" || cpp[1].Name != "bridge" {
		t.Fatalf("cpp_by_stage %+v, want veth then bridge (canonical stage order)", cpp)
	}
	if !near(cpp[1].Stat.Mean, 20) {
		t.Errorf("bridge mean %v", cpp[1].Stat.Mean)
	}
}

func TestAbsentMetricsAbsent(t *testing.T) {
	t.Parallel()
	p := onePoint(t)
	var s run.Sample
	s.Observe(results.PodLaunchSeconds, 1.5)
	r := run.Aggregate(p, []run.UnitResult{{Sample: s}}, "v")
	if ms := r.Points[0].Metrics; len(ms) != 1 || ms[0].Name != results.PodLaunchSeconds {
		t.Errorf("metrics %+v, want only pod_launch_s", ms)
	}
}

// A distribution of one sample per replication (tcp_stream's rtt_us: the
// mean smoothed RTT of each replication) gets mean and interval but no
// quantiles: p50/p90/p99 of three replication means would pass for
// quantiles of pooled samples (and p90 = p99), which they are not.
func TestOneSamplePerReplicationNoQuantiles(t *testing.T) {
	t.Parallel()
	p := onePoint(t)
	var urs []run.UnitResult
	for rep, v := range []float64{10, 20, 30} {
		var s run.Sample
		s.Observe(results.RTTMicros, v)
		urs = append(urs, run.UnitResult{Unit: run.Unit{Point: 0, Rep: rep}, Sample: s})
	}
	r := run.Aggregate(p, urs, "v")
	st := r.Points[0].Metrics[0].Stat
	if st.Quantiles || !near(st.Mean, 20) || !near(st.StdDev, 10) || st.N != 3 {
		t.Errorf("rtt %+v, want mean 20, stddev 10, n 3 and no quantiles", st)
	}
}
