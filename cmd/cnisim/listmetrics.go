package main

import (
	"fmt"

	"github.com/cnisim/cnisim/experiments/results"
)

func init() { listers["metrics"] = listMetrics }

// metricInfo is a metric's shape, unit and meaning: the one table of them
// (names come from experiments/results; a test fails when one is missing).
type metricInfo struct{ shape, unit, meaning string }

var metricMeanings = map[string]metricInfo{
	results.ThroughputMbps:        {"scalar", "Mbit/s", "goodput from connection establishment (after warmup), all streams"},
	results.RTTMicros:             {"distribution", "µs", "round-trip time: per transaction for RR and http_load (p50/p90/p99 of pooled samples), the mean smoothed RTT per replication for streams (no quantiles)"},
	results.TransactionsPerSec:    {"scalar", "1/s", "RR transactions per second (netperf TCP_RR/UDP_RR)"},
	results.RequestsPerSec:        {"scalar", "1/s", "http_load completed requests per second (wrk)"},
	results.CPUCoresUsed:          {"scalar", "cores", "busy cores on the receiving node"},
	results.CPPTotal:              {"scalar", "cycles", "CPU cycles per data packet on the receiving node, all stages"},
	results.CPPByStage:            {"group", "cycles", "cycles per data packet by stage kind (cnisim list stages)"},
	results.FIBPer100kPackets:     {"scalar", "lookups", "FIB lookups on both nodes per 100,000 data packets"},
	results.Retransmissions:       {"scalar", "segments", "TCP retransmissions, both directions"},
	results.TCPTimeouts:           {"scalar", "timeouts", "TCP retransmission timeouts, both directions (Linux TcpExtTCPTimeouts)"},
	results.TCPReordered:          {"scalar", "segments", "TCP data segments delivered out of order by the network (originals arriving after later data; a path change, not a loss), both directions"},
	results.TCPAcksPerSegment:     {"scalar", "ratio", "pure ACKs sent per data segment received, both directions, the whole run (a receiver's nstat: TcpOutSegs less its data segments, over TcpInSegs); tcp.ack_every's inverse, or what tcp.ack_policy = linux decides"},
	results.TCPLossProbes:         {"scalar", "probes", "TCP tail loss probes sent, both directions (Linux TcpExtTCPLossProbes)"},
	results.Drops:                 {"scalar", "packets", "packets dropped (queues, sockets, policy)"},
	results.ConnectSeconds:        {"scalar", "s", "first SYN to established, mean over connections"},
	results.PodLaunchSeconds:      {"distribution", "s", "pod creation to running, per pod"},
	results.ThroughputCurlMbps:    {"scalar", "Mbit/s", "http_download: bytes / time since the first SYN (curl's speed_download)"},
	results.ThroughputIperf3Mbps:  {"scalar", "Mbit/s", "http_download: bytes / time since establishment (iperf3's timing)"},
	results.CPUByContext:          {"group", "cores", "busy cores by context: server_app, client_app, server_stack, client_stack"},
	results.PodReadySeconds:       {"scalar", "s", "launched client pod: creation to container started"},
	results.PodNetworkWaitSeconds: {"scalar", "s", "launched client pod: started to network ready (async CNI)"},
	results.PodLaunchBreakdown:    {"group", "s", "mean per-pod seconds on the critical path by launch stage and queue"},
	results.PodNetworkShare:       {"scalar", "fraction", "critical-path CNI time / launch time"},
	results.PodMakespanSeconds:    {"scalar", "s", "first pod creation to the last pod running"},
	results.DropsByPlace:          {"group", "packets", "drops split by where they happened, summing to drops: nic_queue (the sender's transmit queue), rx_ring (a receiving core that cannot keep up), switch (fabric buffers, the whole run), cni_not_ready (an asynchronous CNI's pod before its network is ready), oversize (DF set, over the MTU), socket (UDP receive buffers), conntrack (a full table), link_down (on or into a failed fabric link: fabric.fail_at), link_loss (a lossy fabric link: fabric.lossy_links)"},
	results.NICECNMarks:           {"scalar", "skbs", "cluster.qdisc = fq_codel: packets (super-packets with offloads) the nodes' qdiscs marked CE where CoDel would drop them (ECN-capable: tcp.ecn or dctcp), the whole run"},
	results.PortDrops:             {"group", "frames", "fabric (kind switch or leaf-spine): frames its switch ports dropped for want of buffer or early (port_early_drops), after warmup; members all, per tier (to_node, to_spine, to_leaf) and per port (tor.node3, leaf0.spine1, spine1.leaf0) up to 32 ports (every port, at any size: port_log = true, ports.csv)"},
	results.PortEarlyDrops:        {"group", "frames", "fabric with fabric.drop_not_ect: of port_drops, frames of packets not ECN-capable dropped where an ECN-capable one would have been marked (RED's early drop), after warmup; members as port_drops"},
	results.PortECNMarks:          {"group", "frames", "fabric: frames its switch ports marked CE (fabric.ecn_threshold_bytes, ECN-capable packets: tcp.congestion = dctcp, or tcp.ecn), after warmup; members as port_drops"},
	results.PortQueueBytes:        {"group", "bytes", "fabric: switch port queue depth after warmup (frame bytes held, the one being sent included): <member>_max the deepest, <member>_mean the time average (over a tier: the mean of its ports')"},
	results.PortUtilisation:       {"group", "fraction", "fabric: fraction of the time after warmup a switch port was sending: <tier>_mean over its ports, <tier>_max the busiest, and per port"},
	results.FCTMicros:             {"distribution", "µs", "finite flows (workload.flow_sizes): connect() to the server's read of the last byte, flows started in the measured window (warmup to workload.measure_until) and completed by the run's end"},
	results.FCTSlowdown:           {"distribution", "ratio", "FCT / ideal FCT on an idle network with free CPUs: 1.5 x base RTT (2 x link_delay) + the flow's wire bytes (headers, encapsulation, framing) / link rate"},
	results.FCTMicrosBySize:       {"group", "µs", "fct_us per flow-size bucket (0-100KB, 100KB-1MB, 1MB-10MB, 10MB-; KB = 1000 B): <bucket>_mean, _p50, _p99, _n (finished), _open (measured, open at the end: left out of the quantiles)"},
	results.FCTSlowdownBySize:     {"group", "ratio", "fct_slowdown per flow-size bucket, members as fct_us_by_size"},
	results.FCTMicrosByClass:      {"group", "µs", "fct_us per traffic class of a matrix whose lines name them (class=NAME; lines naming none: other): <class>_mean, _p50, _p99, _n, _open"},
	results.FCTMicrosByPhase:      {"group", "µs", "fct_us per phase of a traffic matrix with windows, by the flow's start (a phase named by its span: 0ms-100ms, 100ms-160ms, 160ms-): <phase>_mean, _p50, _p99, _n, _open; with classes also <phase>_<class>_mean, ..."},
	results.FlowsCompleted:        {"scalar", "flows", "finite flows read whole by the run's end (all, warm-up included)"},
	results.FlowsUnfinished:       {"scalar", "flows", "finite flows started but not read whole by the run's end"},
	results.FlowsOpenMidway:       {"scalar", "flows", "finite background flows open when the window's midpoint passed: beside flows_unfinished (those open at the end), growth says the run reached no steady state: too short a warmup, or a load the cluster cannot carry (run prints a warning)"},
	results.FlowsMeasured:         {"scalar", "flows", "finite background flows started in the measured window (warmup to workload.measure_until, else the run's end): those fct_us is about"},
	results.FlowsCensored:         {"scalar", "flows", "of flows_measured, those not read whole by the run's end: fct_us leaves them out, and as they are the longest its p99 reads low when they are more than about 1% (run prints a warning); workload.measure_until before duration gives them time"},
	results.FCTp99Floor:           {"scalar", "µs", "the least the measured flows' p99 FCT can be: their p99 with each flow of flows_censored counted at its age at the run's end (its FCT is longer); equal to the replication's fct_us p99 when none is censored, above it when the censored reach the top 1%"},
	results.OfferedMbps:           {"scalar", "Mbit/s", "finite flows' bytes (queries' responses included) arriving in [warmup, duration], per second: the offered load, beside throughput_mbps, the carried one"},
	results.QueryCompletionMicros: {"distribution", "µs", "queries (workload.query_rate): arrival to the aggregator's read of its last response, queries started in the measured window (warmup to workload.measure_until) and completed by the run's end"},
	results.QueriesCompleted:      {"scalar", "queries", "queries whose responses were all read by the run's end (all, warm-up included)"},
	results.QueriesUnfinished:     {"scalar", "queries", "queries started but not completed by the run's end"},
	results.QueriesCensored:       {"scalar", "queries", "queries started in the measured window (warmup to workload.measure_until) but not completed by the run's end: query_completion_us leaves them out (one lost handshake holds a query for 1 s)"},
	results.RxDropsByNode:         {"group", "packets", "cluster traffic: packets each node's RX rings dropped over the whole run (node<i>), summing to drops_by_place.rx_ring: which receivers are CPU-bound"},
	results.CPUCoresUsedMean:      {"scalar", "cores", "cluster traffic: busy cores per node, the mean over every node (idle ones included): the CNI's CPU bill per node"},
	results.CPUCoresUsedBusiest:   {"scalar", "cores", "cluster traffic: busy cores of the node with the most (cpu_cores_used_by_node has each node)"},
	results.CPUCoresUsedPerNode:   {"distribution", "cores", "cluster traffic: each node's busy cores, pooled over replications: p90 and p99 are what the 90th and 99th percentile node needs (the mean is cpu_cores_used_mean)"},
}

// listMetrics prints every metric results can carry, in results order.
func listMetrics() (listing, error) {
	l := listing{header: []string{"metric", "shape", "unit", "meaning"}}
	for _, n := range results.Order {
		m, ok := metricMeanings[n]
		if !ok {
			return listing{}, fmt.Errorf("metric %s has no meaning in cmd/cnisim/listmetrics.go", n)
		}
		l.rows = append(l.rows, []string{n, m.shape, m.unit, m.meaning})
	}
	return l, nil
}
