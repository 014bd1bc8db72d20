package simulate

import (
	"math"
	"testing"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/sim"
)

// TestCPUJitterLatency: with exact cycles every tcp_rr transaction of one
// flow takes the same time (p99 = p50, replications agree); with the
// default 5% CPU jitter the latency has a spread and replications differ,
// while the mean moves by far less than the spread.
func TestCPUJitterLatency(t *testing.T) {
	t.Parallel()
	var means [2][2]float64
	for i, cv := range []float64{0, 0.05} {
		for rep := 0; rep < 2; rep++ {
			sc := scenarioFor("tcp_rr")
			sc.Cluster.CPUJitter = cv
			s := sample(t, sc, rep)
			lat := s.Dists[results.RTTMicros]
			p50, p99 := sim.Quantile(0.5, lat), sim.Quantile(0.99, lat)
			means[i][rep] = s.Scalars[results.TransactionsPerSec]
			if cv == 0 && p99 != p50 {
				t.Errorf("jitter 0, rep %d: p50 %v p99 %v us, want one value", rep, p50, p99)
			}
			if cv > 0 && !(p99 > p50*1.01) {
				t.Errorf("jitter %g, rep %d: p50 %v p99 %v us, want a spread", cv, rep, p50, p99)
			}
			t.Logf("jitter %g rep %d: %.0f trans/s, p50 %.3f p99 %.3f us", cv, rep, means[i][rep], p50, p99)
		}
	}
	if means[0][0] != means[0][1] || means[1][0] == means[1][1] {
		t.Errorf("transactions/s %v: want equal replications without jitter, different with", means)
	}
	if d := math.Abs(means[1][0]-means[0][0]) / means[0][0]; d > 0.01 {
		t.Errorf("jitter moved the transaction rate by %.2f%%", 100*d)
	}
}

// TestPolicyConntrack: Calico native with policy, tcp_rr, exact cycles.
// Stateless rules slow every packet toward the server, so more rules never
// raise the transaction rate; behind conntrack data packets are unaffected
// and the connect time grows by the one walk of the server pod's ingress
// rules by the SYN (on the server's node; the SYN-ACK goes back to the
// client and walks none): rules x 20 ns (the paper profile's iptables
// rule_cost, 48 cycles at 2.4 GHz).
func TestPolicyConntrack(t *testing.T) {
	t.Parallel()
	type out struct{ tps, connect float64 }
	run := func(rules int, conntrack bool) out {
		sc := scenarioFor("tcp_rr")
		sc.CNI.Plugin, sc.CNI.Mode, sc.CNI.Policy = "calico", "native", true
		sc.CNI.PolicyRules, sc.CNI.PolicyConntrack = rules, conntrack
		sc.Cluster.CPUJitter = 0
		s := sample(t, sc, 0)
		return out{s.Scalars[results.TransactionsPerSec], s.Scalars[results.ConnectSeconds]}
	}
	base := run(0, false)
	prev := base
	for _, rules := range []int{10, 100, 1000} {
		sl, ct := run(rules, false), run(rules, true)
		t.Logf("%d rules: stateless %.0f trans/s; conntrack %.0f trans/s, connect %.3f us (+%.3f)", rules, sl.tps, ct.tps, ct.connect*1e6, (ct.connect-base.connect)*1e6)
		if !(sl.tps < prev.tps) {
			t.Errorf("%d stateless rules: %.0f trans/s, not below %.0f", rules, sl.tps, prev.tps)
		}
		prev = sl
		if math.Abs(ct.tps-base.tps) > 1e-3*base.tps {
			t.Errorf("%d conntrack rules: %.0f trans/s, want the rule-free %.0f", rules, ct.tps, base.tps)
		}
		want := float64(rules) * 20e-9
		if got := ct.connect - base.connect; math.Abs(got-want) > 1e-9 {
			t.Errorf("%d conntrack rules: connect +%.4g s, want +%.4g s", rules, got, want)
		}
	}
}
