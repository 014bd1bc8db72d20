package results

import (
	"slices"
	"strings"

	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/workload"
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
// quantiles are of all samples pooled across replications. With fewer
// than two replications StdDev and CI95 are undefined (Spread is false):
// the writers print them as null (JSON), an empty cell (CSV) or "-"
// (table), never as 0, which would read as "no variation".
type Stat struct {
	Mean, StdDev, CI95 float64 // CI95 is the half-width of the Student-t 95% interval
	N                  int     // replications that reported the metric
	Quantiles          bool    // P50, P90, P99 are set (a distribution)
	P50, P90, P99      float64
}

// Spread reports whether StdDev and CI95 are defined: they need at least
// two replications.
func (s Stat) Spread() bool { return s.N >= 2 }

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
	TCPTimeouts        = "tcp_timeouts"         // retransmission timeouts, both directions
	TCPLossProbes      = "tcp_loss_probes"      // tail loss probes sent, both directions
	TCPReordered       = "tcp_reordered"        // original segments delivered after later ones, both directions
	TCPAcksPerSegment  = "tcp_acks_per_segment" // pure ACKs sent per data segment received, both directions
	Drops              = "drops"
	ConnectSeconds     = "connect_s"
	PodLaunchSeconds   = "pod_launch_s"
)

// Metric names beyond DESIGN 3's, for the http and pod-launch workloads.
const (
	ThroughputCurlMbps    = "throughput_curl_mbps"   // http_download: bytes / time since the first SYN
	ThroughputIperf3Mbps  = "throughput_iperf3_mbps" // http_download: bytes / time since establishment
	CPUByContext          = "cpu_by_context"         // group: server_app, client_app, server_stack, client_stack (cores)
	PodReadySeconds       = "pod_ready_s"            // launched client pod: creation -> container started
	PodNetworkWaitSeconds = "pod_network_wait_s"     // launched client pod: started -> network ready (async CNI)
	PodLaunchBreakdown    = "pod_launch_breakdown_s" // group: mean per-pod seconds per stage and queue
	PodNetworkShare       = "pod_network_share"      // critical-path CNI time / launch time
	PodMakespanSeconds    = "pod_makespan_s"         // first creation -> last pod running
)

// Metric names of DESIGN 4 for the host's CPU (issue 20).
const (
	// CPUCoresUsedByNode is a group: per node (node0 the client, the
	// sender of a stream; node1 the server) its busy cores, and per
	// context node<i>_softirq, node<i>_process, node<i>_daemon the cores its
	// stages kept busy in that context.
	CPUCoresUsedByNode = "cpu_cores_used_by_node"
	CyclesPerByte      = "cycles_per_byte" // group: per node, busy cycles per payload byte read by the applications
	UDPLoss            = "udp_loss"        // udp_stream: 1 - datagrams received / sent
	UDPSentPerSec      = "udp_sent_per_s"  // udp_stream: datagrams the senders sent per second
)

// Metric names of DESIGN 4 for the switched fabric (issue 23), groups
// filled by experiments/simulate (fabric.go) when fabric.kind is not
// none: per tier of ports (to_node, to_spine, to_leaf) and all ports, and
// per port (tor.node3, leaf0.spine1, spine1.leaf0, ...) when the fabric
// has at most MaxPortMembers ports.
const (
	PortDrops       = "port_drops"       // frames dropped for want of switch buffer or early (port_early_drops), summed
	PortECNMarks    = "port_ecn_marks"   // frames marked CE (fabric.ecn_threshold_bytes), summed
	PortEarlyDrops  = "port_early_drops" // of port_drops, packets not ECN-capable dropped where they would be marked (fabric.drop_not_ect)
	DropsByPlace    = "drops_by_place"   // group: drops split by where (models/workload DropPlaces)
	NICECNMarks     = "nic_ecn_marks"    // cluster.qdisc = fq_codel: skbs the nodes' qdiscs marked CE
	PortQueueBytes  = "port_queue_bytes" // <x>_max: deepest queue; <x>_mean: time-average depth (mean over a tier's ports)
	PortUtilisation = "port_utilisation" // <x>_mean over a tier's ports, <x>_max the busiest; per port its own
	MaxPortMembers  = 32
)

// Metric names of DESIGN 4 for cluster traffic (issue 23): finite flows'
// completion times (connect() to the server's read of the last byte) and
// slowdowns (FCT / the ideal FCT on an idle network), per size bucket
// (models/workload SizeBuckets) as groups with members <bucket>_mean,
// <bucket>_p50, <bucket>_p99 and <bucket>_n (the FCT groups also
// <bucket>_open: the measured flows still open at the run's end, left
// out of the others), and with a traffic matrix
// whose windows change it, the FCTs per phase of the run the flows
// started in, members <phase>_mean and so on (a phase named by its span,
// "100ms-160ms", the last open, "160ms-"), and with a matrix whose lines
// name traffic classes, per class (members <class>_mean and so on; the
// lines naming none are "other"), and per phase also each class
// (<phase>_<class>_mean, ...).
const (
	FCTMicros           = "fct_us"                  // distribution
	FCTSlowdown         = "fct_slowdown"            // distribution
	FCTMicrosBySize     = "fct_us_by_size"          // group
	FCTSlowdownBySize   = "fct_slowdown_by_size"    // group
	FCTMicrosByPhase    = "fct_us_by_phase"         // group
	FCTMicrosByClass    = "fct_us_by_class"         // group
	FlowsCompleted      = "flows_completed"         // flows completed over the run
	FlowsUnfinished     = "flows_unfinished"        // flows started but not read whole by the run's end
	FlowsOpenMidway     = "flows_open_midway"       // background flows open at the window's midpoint (beside flows_unfinished: growth = no steady state)
	FlowsMeasured       = "flows_measured"          // background flows started in the measured window (warmup to workload.measure_until)
	FlowsCensored       = "flows_censored"          // of flows_measured, those not read whole by the run's end: fct_us leaves them out
	FCTp99Floor         = "fct_us_p99_floor"        // the least the measured flows' p99 FCT can be: the censored ones counted at their age at the end
	OfferedMbps         = "offered_mbps"            // finite flows' bytes arriving in the window per second (beside throughput_mbps, the carried load)
	CPUCoresUsedBusiest = "cpu_cores_used_busiest"  // the busiest node's cores
	CPUCoresUsedMean    = "cpu_cores_used_mean"     // the nodes' busy cores, mean over every node
	CPUCoresUsedPerNode = "cpu_cores_used_per_node" // distribution: each node's busy cores, pooled over replications
	RxDropsByNode       = "rx_drops_by_node"        // group: each node's RX-ring drops (node<i>)
)

// Metric names of the partition-aggregate queries (workload.query_rate):
// query completion times (arrival to the aggregator's read of its last
// response) of the queries that started after warmup and completed by
// the end, and the counts over the run.
const (
	QueryCompletionMicros = "query_completion_us" // distribution
	QueriesCompleted      = "queries_completed"   // queries whose responses were all read by the run's end
	QueriesUnfinished     = "queries_unfinished"  // queries started but not completed by the run's end
	QueriesCensored       = "queries_censored"    // queries started in the measured window but not completed by the run's end: query_completion_us leaves them out
)

// Order is the canonical metric order; other names follow, sorted.
var Order = []string{
	ThroughputMbps, RTTMicros, TransactionsPerSec, RequestsPerSec, CPUCoresUsed,
	CPPTotal, CPPByStage, FIBPer100kPackets, Retransmissions, TCPTimeouts, TCPLossProbes, TCPReordered, TCPAcksPerSegment, Drops, ConnectSeconds,
	PodLaunchSeconds,
	ThroughputCurlMbps, ThroughputIperf3Mbps, CPUByContext, PodReadySeconds, PodNetworkWaitSeconds,
	PodLaunchBreakdown, PodNetworkShare, PodMakespanSeconds,
	DropsByPlace, NICECNMarks, PortDrops, PortEarlyDrops, PortECNMarks, PortQueueBytes, PortUtilisation,
	FCTMicros, FCTSlowdown, FCTMicrosBySize, FCTSlowdownBySize, FCTMicrosByPhase, FCTMicrosByClass, FlowsCompleted, FlowsUnfinished, FlowsOpenMidway, FlowsMeasured, FlowsCensored, FCTp99Floor, OfferedMbps, CPUCoresUsedBusiest, CPUCoresUsedMean, CPUCoresUsedPerNode, RxDropsByNode,
	QueryCompletionMicros, QueriesCompleted, QueriesUnfinished, QueriesCensored,
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
	for i, b := range SizeBuckets {
		if strings.HasPrefix(s, b+"_") {
			return datapath.NumKinds + 1 + i
		}
	}
	return datapath.NumKinds
}

// SizeBuckets are the flow-size buckets of fct_us_by_size and
// fct_slowdown_by_size, the model's (models/workload.SizeBuckets), by
// which members sort by size, not alphabetically.
var SizeBuckets = workload.SizeBuckets

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
