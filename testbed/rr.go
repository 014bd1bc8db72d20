package testbed

import (
	"context"
	"fmt"
	"time"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/experiments/simulate"
)

// RR workload kinds the testbed measures and validate predicts.
const (
	KindTCPRR = "tcp_rr"
	KindUDPRR = "udp_rr"
)

// rrDuration is the simulated time of an RR prediction: at 20-50 us per
// transaction, 4,000 to 10,000 transactions, whose mean latency moves
// by well under 1% between replications with cpu_jitter 0.
const rrDuration = 200 * time.Millisecond

// RRScenario is the simulator scenario that predicts configuration c's
// RR latency (kind tcp_rr or udp_rr, 1-byte messages) with the profile
// (a built-in name or a file) on this testbed: its model graph (plugin,
// mode, placement), its rules in the profile's engine, one core per node
// at the run's clock (the testbed runs client, server and softirqs on one
// CPU; an RR transaction is serial, so one core per "node" of an
// inter-host graph takes the same time), and a wire that adds nothing (a
// veth pair: link_delay 0, 100 Gbit/s so a 1-byte frame serialises in
// nanoseconds; both assumed, not measured). cpu_jitter is 0: the mean is
// what is compared, and a deterministic run makes the table reproducible.
func RRScenario(c Config, kind, profile string, ghz float64) (*scenario.Scenario, error) {
	if kind != KindTCPRR && kind != KindUDPRR {
		return nil, fmt.Errorf("RR kind %q (valid: %s, %s)", kind, KindTCPRR, KindUDPRR)
	}
	if !(ghz > 0) {
		return nil, fmt.Errorf("cpu_ghz must be > 0, got %v", ghz)
	}
	sc := scenario.Defaults()
	sc.Name = "testbed-" + c.Name + "-" + kind
	sc.Replications, sc.Duration, sc.Warmup = 1, rrDuration, rrDuration/10
	sc.Cluster.Nodes, sc.Cluster.CoresPerNode, sc.Cluster.CPUGHz = 2, max(c.CPUs, 1), ghz
	sc.Cluster.LinkGbps, sc.Cluster.LinkDelay, sc.Cluster.CPUJitter = 100, 0, 0
	sc.CNI.Plugin, sc.CNI.Mode = c.Plugin, c.Mode
	if c.Rules > 0 {
		eng, ok := profileEngine[c.Engine]
		if !ok {
			return nil, fmt.Errorf("%s: rule engine %s has no profile engine to price its rules", c.Name, c.Engine)
		}
		// The model walks policy_rules only with policy on; the profile the
		// testbed calibrates has no plugin entries, so policy on costs the
		// other netfilter crossings as policy off would.
		sc.CNI.Policy, sc.CNI.PolicyRules, sc.CNI.PolicyEngine = true, c.Rules, eng
	}
	sc.Calibration.Profile = profile
	sc.Workload.Kind, sc.Workload.Placement, sc.Workload.Streams, sc.Workload.MessageBytes = kind, c.Placement, 1, 1
	return &sc, nil
}

// PredictRR runs RRScenario and returns the mean transaction time in
// microseconds: simulated seconds / transactions, as the testbed's
// measurement (RRLatencyUS) is wall seconds / transactions.
func PredictRR(ctx context.Context, c Config, kind, profile string, ghz float64) (float64, error) {
	sc, err := RRScenario(c, kind, profile, ghz)
	if err != nil {
		return 0, err
	}
	s, err := simulate.Run(ctx, sc, 0, sc.Seed)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", c.Name, kind, err)
	}
	tps, ok := s.Scalars[results.TransactionsPerSec]
	if !ok || !(tps > 0) {
		return 0, fmt.Errorf("%s %s: the simulation counted no transactions", c.Name, kind)
	}
	return 1e6 / tps, nil
}
