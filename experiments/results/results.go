package results

import (
	"slices"

	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/models/datapath"
)

// Results is one run: every sweep point with its metrics.
type Results struct {
	Version      string // cnisim_version
	Scenario     string // the scenario's name
	Seed         uint64
	Replications int
	Points       []Point
}

// Point is one sweep point's row.
type Point struct {
	Params  []scenario.Param // sweep coordinates, in axis order (none without a sweep)
	Metrics []Metric         // in Order; metrics that do not apply are absent
}

// Metric is one summarised metric: a Stat, or for a grouped metric
// (cpp_by_stage) one Stat per member.
type Metric struct {
	Name    string
	Stat    Stat
	Members []Member // non-nil for grouped metrics
}

// Member is one entry of a grouped metric, such as cpp_by_stage.veth.
type Member struct {
	Name string
	Stat Stat
}

// Stat summarises one metric across replications. For a distribution the
// mean, stddev and ci95 are those of the per-replication means (so the
// confidence interval rests on independent replications) and the
// quantiles are of all samples pooled across replications.
type Stat struct {
	Mean, StdDev, CI95 float64 // CI95 is the half-width of the Student-t 95% interval
	N                  int     // replications that reported the metric
	Quantiles          bool    // P50, P90, P99 are set (a distribution)
	P50, P90, P99      float64
}

// Metric names of DESIGN 3, in the order results list them.
const (
	ThroughputMbps     = "throughput_mbps"
	RTTMicros          = "rtt_us"
	TransactionsPerSec = "transactions_per_s"
	RequestsPerSec     = "requests_per_s"
	CPUCoresUsed       = "cpu_cores_used"
	CPPTotal           = "cpp_total"
	CPPByStage         = "cpp_by_stage"
	FIBPer100kPackets  = "fib_lookups_per_100k_packets"
	Retransmissions    = "retransmissions"
	Drops              = "drops"
	ConnectSeconds     = "connect_s"
	PodLaunchSeconds   = "pod_launch_s"
)

// Order is the canonical metric order; other names follow, sorted.
var Order = []string{
	ThroughputMbps, RTTMicros, TransactionsPerSec, RequestsPerSec, CPUCoresUsed,
	CPPTotal, CPPByStage, FIBPer100kPackets, Retransmissions, Drops, ConnectSeconds,
	PodLaunchSeconds,
}

// SortMetricNames orders names: canonical ones first in Order, then the
// rest alphabetically.
func SortMetricNames(names []string) {
	slices.SortFunc(names, func(a, b string) int { return compareRank(a, b, rankMetric) })
}

// SortMemberNames orders group members: stage kinds in canonical order
// (veth, bridge, ...), then other names alphabetically.
func SortMemberNames(names []string) {
	slices.SortFunc(names, func(a, b string) int { return compareRank(a, b, rankStage) })
}

func rankMetric(s string) int {
	if i := slices.Index(Order, s); i >= 0 {
		return i
	}
	return len(Order)
}

func rankStage(s string) int {
	if k, err := datapath.ParseKind(s); err == nil {
		return int(k)
	}
	return datapath.NumKinds
}

func compareRank(a, b string, rank func(string) int) int {
	ra, rb := rank(a), rank(b)
	switch {
	case ra != rb:
		return ra - rb
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
