package simulate

import (
	"fmt"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/models/tcp"
)

// Warnings lists the keys of sc that have no effect, or an effect the user
// most likely did not mean, one line each (the CLI prints them on stderr):
// cluster nodes beyond the ones the workload places pods on (unless the
// count is the default two), a pod MTU (stated, or derived by the mode's
// MTU rule) whose packets are larger than the link MTU after
// encapsulation, workload keys set away from their default for a kind
// that ignores them, a call-bound workload priced by the paper profile,
// which prices no call (unpricedCalls), and a one-core bulk stream whose
// ACKs are left to the model where its reader is known to keep up as
// Linux's does not (oneCoreACKs).
// Keys are "set" when they differ from scenario.Defaults; a key set to its
// default is not reported. The scenario must already have passed Validate.
func Warnings(sc *scenario.Scenario) []string {
	var out []string
	w, d := sc.Workload, scenario.Defaults().Workload
	if w.Kind != PodLaunch {
		used := 1
		if w.Placement == "inter" {
			used = 2
		}
		if n, ok := clusterNodesUsed(w.Pattern, sc.Cluster.Nodes, w.IncastSenders); ok {
			used = n
		}
		if w.Kind == "nodeport" || w.QueryRate > 0 { // nodeport: the external client and every node (endpoints spread over them); queries: random nodes
			used = sc.Cluster.Nodes
		}
		// The default two nodes are not reported for intra-host
		// placement: the user did not ask for them.
		if sc.Cluster.Nodes > used && sc.Cluster.Nodes != scenario.Defaults().Cluster.Nodes {
			out = append(out, fmt.Sprintf("cluster.nodes = %d has no effect beyond %d: workload %s with placement %s puts its pods on %d node(s); the others stay idle and results equal those with cluster.nodes = %d",
				sc.Cluster.Nodes, used, w.Kind, w.Placement, used, used))
		}
	}
	if w.Kind != PodLaunch && w.Placement == "inter" {
		out = append(out, podMTUWarnings(sc)...)
	}
	only := func(key string, set bool, kinds ...string) {
		if !set {
			return
		}
		for _, k := range kinds {
			if w.Kind == k {
				return
			}
		}
		out = append(out, fmt.Sprintf("%s has no effect with workload.kind = %s (it applies to %v)", key, w.Kind, kinds))
	}
	only("workload.rate_mbps", w.RateMbps != d.RateMbps, "udp_stream", "tcp_stream", "mixed")
	only("workload.file_bytes", w.FileBytes != d.FileBytes, "http_download")
	only("workload.client", w.Client != d.Client, "http_download")
	only("workload.threads", w.Threads != d.Threads, "http_load")
	only("workload.connections", w.Connections != d.Connections, "http_load")
	only("workload.bulk_streams", w.BulkStreams != d.BulkStreams, "mixed")
	only("workload.pods", w.Pods != d.Pods, PodLaunch)
	only("workload.arrival", w.Arrival != d.Arrival, PodLaunch)
	only("workload.server", w.Server != d.Server, "http_download", "http_load")
	only("workload.nodeport_style", w.NodePortStyle != d.NodePortStyle, "nodeport")
	only("service.external_traffic_policy", sc.Service.ExternalTrafficPolicy != scenario.Defaults().Service.ExternalTrafficPolicy, "nodeport")
	cluster := w.Pattern != d.Pattern || w.FlowSizes != "" || w.QueryRate > 0
	if w.PodsPerNode != d.PodsPerNode && !cluster {
		out = append(out, "workload.pods_per_node has no effect with workload.pattern = pairs and long-lived flows (the two-pod workload: use workload.streams)")
	}
	if w.RackLocal != d.RackLocal && w.Pattern != "random" {
		out = append(out, fmt.Sprintf("workload.rack_local has no effect with workload.pattern = %s (it applies to random)", w.Pattern))
	}
	if w.IncastSenders != d.IncastSenders && w.Pattern != "incast" {
		out = append(out, fmt.Sprintf("workload.incast_senders has no effect with workload.pattern = %s (it applies to incast)", w.Pattern))
	}
	if sd := scenario.Defaults().Service; cluster && sc.Service.Count > 0 && (sc.Service.ConntrackMax != sd.ConntrackMax || sc.Service.TimeWait != sd.TimeWait) {
		out = append(out, "service.conntrack_max and service.time_wait have no effect with cluster traffic (the conntrack table is modelled for the two-pod workloads only)")
	}
	if (w.QueryFanIn != d.QueryFanIn || w.QueryBytes != d.QueryBytes || w.QueryFrom != d.QueryFrom || w.QueryUntil != d.QueryUntil) && !(w.QueryRate > 0) {
		out = append(out, "workload.query_fanin, query_bytes, query_from and query_until have no effect without workload.query_rate")
	}
	if w.MeasureUntil != d.MeasureUntil && w.FlowSizes == "" && !(w.QueryRate > 0) {
		out = append(out, "workload.measure_until has no effect without finite flows (workload.flow_sizes) or queries (workload.query_rate)")
	}
	if w.QueryRate > 0 && w.QueryFrom >= sc.Duration {
		out = append(out, fmt.Sprintf("workload.query_from (%v) is not before the run's end (duration %v): no query runs", w.QueryFrom, sc.Duration))
	}
	if (w.Matrix != d.Matrix || w.MatrixScale != d.MatrixScale) && w.Pattern != "matrix" {
		out = append(out, fmt.Sprintf("workload.matrix and workload.matrix_scale have no effect with workload.pattern = %s (they apply to matrix)", w.Pattern))
	}
	if w.Load != d.Load && w.Pattern == "matrix" {
		out = append(out, "workload.load has no effect with workload.pattern = matrix (the matrix gives each pair's rate: scale it with workload.matrix_scale)")
	}
	if w.Load != d.Load && w.FlowSizes == "" {
		out = append(out, "workload.load has no effect without workload.flow_sizes (long-lived flows send as fast as they can)")
	}
	if sc.PortLog && sc.Fabric.Kind == "none" {
		out = append(out, "port_log has no effect without a fabric (fabric.kind switch or leaf-spine): there are no switch ports")
	}
	if sc.FlowLog && w.FlowSizes == "" && w.QueryRate == 0 {
		out = append(out, "flow_log has no effect without workload.flow_sizes or workload.query_rate (it logs finite cluster flows and queries' responses)")
	}
	if c, dc := sc.Cluster, scenario.Defaults().Cluster; c.Qdisc != network.QdiscFQCoDel {
		for _, k := range []struct {
			key string
			set bool
		}{
			{"cluster.fq_codel_target", c.FQCoDelTarget != dc.FQCoDelTarget},
			{"cluster.fq_codel_interval", c.FQCoDelInterval != dc.FQCoDelInterval},
			{"cluster.fq_codel_limit", c.FQCoDelLimit != dc.FQCoDelLimit},
			{"cluster.fq_codel_ecn", c.FQCoDelECN != dc.FQCoDelECN},
			{"cluster.fq_codel_ce_threshold", c.FQCoDelCEThreshold != dc.FQCoDelCEThreshold},
		} {
			if k.set {
				out = append(out, fmt.Sprintf("%s has no effect with cluster.qdisc = %s (it applies to fq_codel)", k.key, c.Qdisc))
			}
		}
	}
	if unpricedCalls(sc) {
		out = append(out, fmt.Sprintf("workload.kind = %s with calibration.profile = paper, which prices the application's calls and wake-ups at 0 (its per-packet costs are a bulk stream's, where a call comes once per 128 KiB): "+
			"on a real host a 1-byte transaction or a datagram pays a send and a read call and a wake-up or two, so latency comes out optimistic and rates high; "+
			"price them with calibration.cycles.syscall and calibration.cycles.sched (%s) or use a profile measured on your nodes", w.Kind, measuredCallCosts()))
	}
	if oneCoreACKs(sc) {
		out = append(out, fmt.Sprintf("cluster.cores_per_node = 1 with placement intra: one core runs the sender, the softirqs and the reader, and on it Linux's receiver of an unpaced stream ACKs once per read call (0.02 to 0.09 ACKs a packet on this project's kernel, calibration/acks) where the model's reader keeps up and ACKs every second segment (tcp.ack_policy = %s); state the reader's wait for its sender's time slice (cluster.timeslice_us, measured: calibration/stream/one-stream.sh PERF) with tcp.ack_policy = linux, or the ratio you measured with tcp.ack_every (1 / ACKs per packet)", sc.TCP.AckPolicy))
	}
	return append(out, fabricWarnings(sc)...)
}

// unpricedCalls is a workload paid mostly per application call and
// wake-up (request-response, connections, datagrams) run with the paper
// profile alone, which prices both at 0, neither cost stated.
func unpricedCalls(sc *scenario.Scenario) bool {
	switch sc.Workload.Kind {
	case "tcp_rr", "udp_rr", "tcp_crr", "udp_stream", "http_load":
	default:
		return false
	}
	c := sc.Calibration
	return (c.Profile == "" || c.Profile == "paper") && !(c.Cycles["syscall"] > 0) && !(c.Cycles["sched"] > 0)
}

// measuredCallProfile is the built-in profile whose call and wake-up
// costs unpricedCalls's warning names.
const measuredCallProfile = "testbed-vm-6.18-xeon"

// measuredCallCosts states measuredCallProfile's syscall and sched
// costs, read from the profile itself.
func measuredCallCosts() string {
	p, err := calibration.Load(measuredCallProfile)
	if err != nil {
		return "measured by cnisim testbed: " + measuredCallProfile
	}
	call, _, okc := p.Cost(datapath.Syscall, "", "", datapath.Intra)
	wake, _, okw := p.Cost(datapath.Sched, "", "", datapath.Intra)
	if !okc || !okw {
		return "measured by cnisim testbed: " + measuredCallProfile
	}
	return fmt.Sprintf("this project's kernel 6.18: %.0f cycles per call and %.0f per wake-up, %s", call, wake, measuredCallProfile)
}

// oneCoreACKs is the case the model's ACKs are known far from Linux's: a
// bulk stream bound by the one core its sender, softirqs and reader share
// (calibration/acks/testdata/run1.txt, the unpaced rows), its ACKs left to
// the model. A stated tcp.ack_every, or a paced stream, is not reported.
func oneCoreACKs(sc *scenario.Scenario) bool {
	w, d := sc.Workload, scenario.Defaults()
	bulk := w.Kind == "tcp_stream" || w.Kind == "mixed"
	lags := sc.TCP.AckPolicy == tcp.AckPolicyLinux && sc.Cluster.TimeSliceUs > 0 // the reader waits as Linux's does
	return bulk && w.Placement == "intra" && sc.Cluster.CoresPerNode == 1 && w.RateMbps == 0 && !lags &&
		sc.TCP.AckEvery == d.TCP.AckEvery && w.Pattern == d.Workload.Pattern && w.FlowSizes == ""
}

// podMTUWarnings reports a pod MTU whose full-sized packets do not fit
// the underlay after encapsulation: every one is fragmented (or dropped
// where the outer header has DF set). A stated cni.pod_mtu names the
// sum; a derived one (cni.pod_mtu = 0) also the derivation, which leaves
// out what the mode's MTU rule does not subtract (Weave fastdp: ESP).
func podMTUWarnings(sc *scenario.Scenario) []string {
	st, err := Resolve(sc)
	if err != nil {
		return nil
	}
	pod, encap, link := st.PodMTU, st.Forward.EncapBytes, sc.Cluster.MTU
	if pod+encap <= link {
		return nil
	}
	// IPv4 fragments carry (MTU - 20) bytes rounded down to 8.
	total, per := pod+encap, (link-20)&^7
	fate := fmt.Sprintf("fragmented into %d IP fragments on the wire", (total-20+per-1)/per)
	if st.Forward.OuterDF {
		fate = "dropped (the outer header carries Don't Fragment)"
	} else if sc.Cluster.Offloads {
		fate += ", which undoes the offloads (GSO cuts every super-packet in software first, GRO merges no fragment)"
	}
	what := fmt.Sprintf("cni.pod_mtu = %d", sc.CNI.PodMTU)
	if sc.CNI.PodMTU == 0 {
		md, err := st.Model.Mode(st.Mode)
		if err != nil {
			return nil
		}
		what = fmt.Sprintf("cni.pod_mtu = 0 gives %d (cluster.mtu %d - %d bytes of %s, by %s %s's MTU rule %q, which leaves out the %d bytes of %s)",
			pod, link, link-pod, md.Encap, sc.CNI.Plugin, st.Mode, md.MTURule, encap-(link-pod), md.Encryption)
	}
	return []string{fmt.Sprintf("%s: %d + %d bytes of %s encapsulation = %d > cluster.mtu = %d, so every full-sized packet is %s",
		what, pod, encap, sc.CNI.Plugin, total, link, fate)}
}
