package run

import (
	"testing"
)

// TestSampleQuantiles: a replication's DIST.p50/.p90/.p99 are its own
// observations' empirical quantiles (for 1..100: the 50th, 90th and 99th
// smallest), Value and EachValue agree, and a distribution of one
// observation, another quantile or a scalar has none.
func TestSampleQuantiles(t *testing.T) {
	var s Sample
	for i := 100; i >= 1; i-- { // out of order: Value sorts
		s.Observe("fct_us", float64(i))
	}
	s.Observe("rtt_us", 42)
	s.Set("throughput_mbps", 1)
	each := map[string]float64{}
	s.EachValue(func(m string, v float64) { each[m] = v })
	for name, want := range map[string]float64{"fct_us": 50.5, "fct_us.p50": 50, "fct_us.p90": 90, "fct_us.p99": 99, "rtt_us": 42} {
		if v, ok := s.Value(name); !ok || v != want {
			t.Errorf("Value(%s) = %v, %v; want %v", name, v, ok, want)
		}
		if v, ok := each[name]; !ok || v != want {
			t.Errorf("EachValue's %s = %v, %v; want %v", name, v, ok, want)
		}
	}
	for _, name := range []string{"fct_us.p95", "fct_us.mean", "rtt_us.p99", "throughput_mbps.p99"} {
		if v, ok := s.Value(name); ok {
			t.Errorf("Value(%s) = %v: want none", name, v)
		}
		if _, ok := each[name]; ok {
			t.Errorf("EachValue gave %s", name)
		}
	}
	if len(each) != 6 {
		t.Errorf("EachValue gave %d metrics, want 6: %v", len(each), each)
	}
}
