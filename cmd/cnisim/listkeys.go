package main

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/models/service"
	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/models/workload"
)

func init() { listers["keys"] = listKeys }

// keyMeanings is the one table of what each scenario key means (types and
// defaults come from experiments/scenario, so they cannot drift; a test
// fails when a key has no meaning here). Units are in the meaning.
var keyMeanings = map[string]string{
	"name":              "the scenario's name in results (default: the file name without .toml)",
	"seed":              "root of every random stream; the same seed gives identical results",
	"replications":      "independent replications per sweep point (intervals need at least 2, figures draw whiskers from 3)",
	"duration":          "simulated time per replication",
	"warmup":            "initial simulated time left out of steady-state metrics",
	"timeline":          "bin of a time series per replication, written by run --out to timeline.csv: goodput, cwnd, drops, switch queues, cores busy (0: none)",
	"flow_log":          "true: a row per finite cluster flow started after the warm-up, written by run --out to flows.csv: nodes, bytes, start, FCT, slowdown, spine",
	"trace.pcap":        "true: packet captures of one replication as tcpdump in every pod would see them (headers only), written by run --out to pcap/node<N>.pcap, one per node (a directory per sweep point)",
	"trace.point":       "where the captures record: pod (each socket's packets at its pod's interface) or nic (at the nodes' NICs, inside the tunnel's and encryption's headers)",
	"trace.nodes":       "nodes captured, a comma list (\"0,1\"; empty: every node)",
	"trace.replication": "the replication captured (0: the first)",
	"trace.max_mb":      "bound on a point's captures together, MB held in memory until written; packets past it are counted and left out",
	"port_log":          "true: a row per switch port per replication, written by run --out to ports.csv: drops, frames, ECN marks, deepest and mean queue, utilisation after the warm-up (every port, where the port metrics list at most 32)",

	"cluster.nodes":                  "nodes in the cluster (pattern pairs uses the first two; the other patterns place pods on every node)",
	"cluster.cores_per_node":         "CPU cores per node",
	"cluster.cpu_ghz":                "core clock (GHz); converts profile cycles to time",
	"cluster.link_gbps":              "link rate of each node (Gbit/s)",
	"cluster.link_delay":             "one-way propagation delay of a node's link",
	"cluster.mtu":                    "underlay (NIC) MTU, bytes",
	"cluster.frame_overhead":         "wire bytes per frame beyond the IP packet (38: Ethernet header, FCS, preamble, gap; 2: PPP)",
	"cluster.offloads":               "GSO/GRO: per-packet stages charged per super-packet",
	"cluster.nic_offloads":           "with offloads: what the NICs can do: all, none, or a list of tso, gro, tx-udp_tnl-segmentation, tx-ipxip4-segmentation, tx-gre-segmentation",
	"calibration.gro_frame_cycles":   fmt.Sprintf("with cluster.offloads: cycles each frame GRO merges costs the receiving core (driver, GRO callbacks, freeing its head); -1 (default): the profile's [[gro_frame]] for every frame, else %v, measured on a 6.18 kernel (calibration/gro/gro-frame.sh; cnisim testbed gro measures yours)", network.DefaultGROFrameCycles),
	"calibration.gso_segment_cycles": fmt.Sprintf("with cluster.offloads: cycles each segment software GSO cuts (a device or NIC that cannot segment the super-packet) costs the sending core; -1 (default): the profile's [[gso_segment]] for every segment, else %v, measured on a 6.18 kernel (calibration/gso/gso-segment.sh)", network.DefaultGSOSegmentCycles),
	"calibration.fragment_cycles":    fmt.Sprintf("cycles an outer packet over the underlay MTU costs the sending node to fragment (ip_do_fragment), besides its second frame's pass through the outer steps; default %v, measured on a 6.18 kernel (calibration/frag/frag-cost.sh)", network.DefaultFragmentCycles),
	"calibration.reassemble_cycles":  fmt.Sprintf("cycles a fragmented outer packet costs the receiving node to reassemble (ip_defrag); default %v, measured on a 6.18 kernel (calibration/frag/frag-cost.sh)", network.DefaultReassembleCycles),
	"cluster.timeslice_us":           "microseconds a reader on the same core as its sender waits for the CPU once woken (the sender's scheduler time slice; measured on this project's VM from a saturated one-CPU iperf3 stream): it reads what arrived meanwhile in one go, as Linux's does about once a slice (0: at once)",
	"cluster.wakeup_us":              "microseconds from a wake-up to a sleeping reader running when its core is idle (the IPI, the idle exit, the switch in; measured on this project's VM on its AMD host: 19-25, calibration/wake/pingpong): its copy starts that much later and what arrives meanwhile joins the same read call (0: at once)",
	"cluster.rx_usecs":               "receive interrupt moderation, microseconds (ethtool rx-usecs, fixed): a frame at an idle queue waits that long, so GRO merges what arrives meanwhile (0: at once)",
	"cluster.tsq_orphan":             "true: a pod's packets stop counting against TCP small queues and the UDP send buffer when its node's IP stack receives them (Linux's ip_rcv_core orphans the skb), so only the NIC queue's limit bounds what a pod's stream queues there; host-network sockets and eBPF redirects past the host stack still count to the wire; false (default): every socket counts its NIC queue",
	"cluster.tsq_through_fabric":     "true: a socket's packets count against TCP small queues until delivered or dropped, not until they leave its NIC: a fabric emulated in the senders' kernel (veth, bridge, tbf: cnisim testbed incast), where an skb keeps its socket across the veth; false (default): a NIC frees it once sent",
	"cluster.tbf_burst_frames":       "0: links and switch ports store and forward; N (1..16): each a Linux tbf whose bucket holds N full-sized frames, passing a frame as soon as it holds the frame's bytes (the links cnisim testbed incast emulates, for comparing with it)",
	"cluster.rps":                    "Receive Packet Steering: IP-in-IP's and GRE's receiving stacks, after the NIC's step, move from the node pair's core to their inner flows' cores",
	"cluster.rss_inner":              "the NICs hash the inner header of IP-in-IP and GRE (mlx5e): those tunnels spread over the receiving cores by flow, not by node pair",
	"cluster.qdisc_packets":          "NIC transmit queue length, packets (Linux txqueuelen)",
	"cluster.cpu_jitter":             "coefficient of variation of every job's service time on a core (0: exact cycles)",

	"cni.plugin":           "built-in CNI plugin (cnisim list plugins) or path to a model file",
	"cni.mode":             "the plugin's datapath mode (empty: its default)",
	"cni.pod_mtu":          "pod MTU, bytes (0: underlay MTU less the encapsulation overhead)",
	"cni.policy":           "network policy enforcement on (Calico's wp)",
	"cni.policy_rules":     "extra policy rules guarding the server pod, walked per packet",
	"cni.policy_conntrack": "only connection-opening packets walk the rules (conntrack accepts established flows first)",
	"cni.policy_engine":    "engine evaluating the rules (empty: the mode's default; e.g. iptables, nftables, ebpf)",
	"cni.async_setup":      "CNI ADD returns before policy is programmed; the pod's first packets are dropped",
	"cni.setup_delay":      "with async_setup: how long after start the pod's network drops packets",
	"cni.encrypt":          "encrypt the overlay (Weave)",

	"tcp.congestion":                "congestion control (dctcp: with ECN-marking switches, fabric.ecn_threshold_bytes)",
	"tcp.min_rto":                   "minimum retransmission timeout (Linux net.ipv4.tcp_rto_min_us, 200 ms; a route's rto_min): lower it against incast timeouts",
	"tcp.rto_from_head":             "true: the retransmission timer re-armed as Linux does around a tail loss probe, to expire an RTO after the oldest outstanding segment's send (tcp_rearm_rto, tcp_rto_delta_us), the probe timer re-armed during a probe's episode; false (default): an RTO from when it is armed",
	"tcp.linux_cubic":               "true: CUBIC as Linux's tcp_cubic.c runs it: HyStart ends slow start before a loss (a round's ACK train outlasting half the least RTT, or its least RTT 4-16 ms above it, from a window of 16 segments), the window grows at least 5% a round while there is no W_max (after HyStart or a timeout, which forgets it), the cubic's time runs ahead by the least RTT; false (default): RFC 9438's CUBIC, slow start until the first loss; reno and dctcp flows are unchanged by it",
	"cluster.fq_codel_target":       "fq_codel (cluster.qdisc): CoDel's acceptable standing sojourn of a flow queue (tc-fq_codel target; Linux's default 5ms)",
	"cluster.fq_codel_interval":     "fq_codel: how long a flow queue's sojourn must stay above target before CoDel drops, and its control law's base (interval; 100ms)",
	"cluster.fq_codel_limit":        "fq_codel: skbs the qdisc holds before it drops a batch from the fattest flow queue (limit; 10240)",
	"cluster.fq_codel_ecn":          "fq_codel: mark ECN-capable packets CE where CoDel would drop them (ecn; Linux's default true); false: drop them",
	"cluster.fq_codel_ce_threshold": "fq_codel: mark every ECN-capable packet that waited longer than this CE, whatever CoDel's state, a DCTCP-style signal (ce_threshold; 0, the default: off)",
	"cluster.qdisc":                 "the NICs' transmit queue: pfifo (default) = a FIFO of cluster.qdisc_packets (pfifo_fast, txqueuelen); fq_codel = Linux's default wherever systemd sets it: 1,024 flow queues by the skb's hash (its socket's, kept through veths and kernel tunnels; a user-space tunnel's one socket per node pair), new flows first, deficit round robin by a frame's bytes, CoDel on each (target 5 ms, interval 100 ms, CE marks for ECN-capable packets), a limit of 10,240 packets dropping from the fattest flow; a GSO/TSO super-packet one skb; qdisc_packets unused (not with tbf_burst_frames)",
	"tcp.stack":                     "linux: every Linux behaviour the model has a key for, on at once, each checked against a 6.18 kernel: tcp.hz 250 (unless set to another kernel's), tcp.ack_policy linux, tcp.rto_from_head, tcp.linux_tsq, tcp.linux_cubic and cluster.tsq_orphan (not with cluster.tsq_through_fabric); what to run when comparing with a real host; rfc (default): each as its own key says, all off by default, as every README figure was measured",
	"tcp.linux_tsq":                 "true: TCP small queues bound a socket's bytes below TCP as Linux's tcp_small_queue_check does, by about 1 ms of its pacing rate (2x cwnd*mss/srtt in slow start, 1.2x after) and at least two segments, capped at tcp_limit_output_bytes, unbounded with one segment unacknowledged; false (default): by tcp_limit_output_bytes (256 KiB) alone",
	"tcp.hz":                        "the kernel's tick rate (CONFIG_HZ 100, 250, 300 or 1000; grep CONFIG_HZ= /boot/config-$(uname -r)): retransmission, loss-probe, RACK and delayed-ACK timers fire on its ticks, N to N+1 jiffies after they are armed, as Linux's do (0, the default: at exact times)",
	"tcp.ecn":                       "RFC 3168 ECN for reno and cubic (Linux tcp_ecn = 1): ECN-capable data, ECE echoed until CWR, a reduction per window instead of a drop where switches mark (dctcp always uses ECN)",
	"tcp.syn_schedule":              "SYN retransmission schedule: exponential retries at 1, 3, 7 ... s; linear4 as tcp_syn_linear_timeouts = 4",
	"tcp.limit_output_bytes":        "TCP small queues' bound on a socket's bytes in its qdisc and NIC queue (Linux net.ipv4.tcp_limit_output_bytes; 262144, the 4.x kernels'; 6.x's is 1048576; 1073741824: never binds, as for a pod's flow on a Linux node, whose node takes the skb from its socket)",
	"tcp.rmem":                      "receive buffer limit, bytes (tcp_rmem max)",
	"tcp.wmem":                      "send buffer limit, bytes (tcp_wmem max)",
	"tcp.ack_every":                 "the receiver ACKs every this many full-sized segments (2: Linux; larger: GRO stretch ACKs)",
	"tcp.ack_policy":                "receiver ACK policy: every = tcp.ack_every as stated (default); linux = Linux's quick ACKs, one ACK per skb (per GRO super-packet) while the window advances, per read call when the reader lags, adaptive delayed ACKs, none in request/response (ping-pong)",

	"calibration.profile": "cost profile: built-in name (cnisim list profiles) or TOML path; an array [\"paper\", \"node1.toml\"] (or \"paper,node1.toml\") layers them, later entries replacing earlier ones; paths are relative to the scenario file (--set: to the working directory)",

	"workload.kind":                      "traffic or load to run",
	"workload.placement":                 "where the two pods run: one node or two",
	"workload.streams":                   "parallel streams or connections (tcp_stream, udp_stream)",
	"workload.bulk_streams":              "mixed: bulk TCP streams (iperf3-like, 128 KiB calls) beside the workload.streams tcp_rr connections on the same pods and path; 0 = the RR alone",
	"workload.rate_mbps":                 "offered rate per stream of udp_stream, tcp_stream and mixed's bulk streams (iperf3 -b), Mbit/s of payload (0: as fast as the socket takes)",
	"workload.message_bytes":             "message size, bytes (0: the workload's default: 1 for RR, pod MTU - 28 for udp_stream)",
	"workload.write_bytes":               "send call size, bytes: the syscall stage is paid per call (0: iperf3's 131072 for streams and HTTP, the message for RR; UDP one datagram per call)",
	"workload.read_bytes":                "read call size of a woken reader, bytes (0: the same defaults as write_bytes)",
	"workload.target":                    "pod (the server pod's address) or service (a ClusterIP of [service], translated by its proxy): tcp_stream, tcp_rr, tcp_crr",
	"service.count":                      "Kubernetes Services in the cluster (0: none)",
	"service.endpoints":                  "endpoints (backend pods) per Service",
	"service.port_count":                 "ports per Service: rules per Service in KUBE-SERVICES",
	"service.proxy":                      "iptables, ipvs, nftables, ebpf-tc, ebpf-socket or none (empty: the plugin's default)",
	"service.conntrack_max":              "conntrack table size (nf_conntrack_max): a full table drops new connections",
	"service.time_wait":                  "how long a closed connection's conntrack entry stays (TIME_WAIT)",
	"service.zipf":                       "Service popularity: Zipf exponent (0: uniform)",
	"service.external_traffic_policy":    "cluster (any endpoint, SNAT at the node port's node, maybe a second hop) or local (its own endpoints, no SNAT): nodeport",
	"fabric.kind":                        "switches between the nodes: none (each node's link ends at its peer, no switch queue), switch (one ToR, a port of cluster.link_gbps per node), leaf-spine",
	"fabric.leaves":                      "leaf-spine: leaf switches",
	"fabric.spines":                      "leaf-spine: spine switches; every leaf has one uplink to each, chosen per flow by ECMP on the outer header (VXLAN/Geneve and native spread flows, IPIP/GRE/user-space/encrypted do not)",
	"fabric.nodes_per_leaf":              "leaf-spine: nodes per leaf; leaves x nodes_per_leaf must equal cluster.nodes (0: cluster.nodes / leaves)",
	"fabric.uplink_gbps":                 "leaf-spine: rate of each leaf-spine link, Gbit/s (0: from oversubscription; not with it)",
	"fabric.oversubscription":            "leaf-spine: nodes_per_leaf x link_gbps / (spines x uplink rate), sets the uplink rate (0: 1, non-blocking, unless uplink_gbps is set)",
	"fabric.per_hop":                     "a switch's latency beyond store-and-forward, per switch crossed",
	"fabric.buffer_bytes":                "each switch's packet buffer, bytes (frames counted with their wire framing)",
	"fabric.ecn_threshold_bytes":         "ECN marking threshold K of every switch port, bytes: an ECN-capable packet (tcp.congestion = dctcp, or tcp.ecn) arriving at a queue above it is marked CE (0: none; at most buffer_bytes)",
	"fabric.ecn_max_bytes":               "top of a WRED marking ramp, bytes: a queue between ecn_threshold_bytes and it marks with a probability rising linearly to ecn_max_probability, every packet beyond it (0: step marking at ecn_threshold_bytes; at most buffer_bytes)",
	"fabric.ecn_max_probability":         "marking probability at the top of the ramp (ecn_max_bytes), in (0, 1]; SONiC's WRED profiles call it green_drop_probability, in per cent",
	"fabric.drop_not_ect":                "packets not ECN-capable are dropped where an ECN-capable one would be marked (RED's early drop), instead of queueing until the buffer is full (needs ecn_threshold_bytes)",
	"fabric.buffer":                      "how a switch's ports share its buffer: dynamic (a port may hold buffer_alpha x the free buffer: dynamic thresholds), shared (any port may fill it) or per-port (split evenly)",
	"fabric.failed_spines":               "leaf-spine: spines down for the whole run (the last N, every link of each); leaves hash flows over the spines both ends still reach",
	"fabric.failed_links":                "leaf-spine: links down for the whole run, named as the port metrics name them (\"leaf0.spine1, spine2.leaf3\"); a spine that lost its link to a leaf is no path to it",
	"fabric.fail_at":                     "leaf-spine: when the failed spines and links go down (0: before the run); frames on or queued for them are lost",
	"fabric.convergence":                 "leaf-spine, with fail_at: how long the other leaves still send through a spine that lost its link to the destination's leaf (it drops them) before their routes withdraw it; a leaf drops its own failed links at once",
	"fabric.recover_at":                  "leaf-spine: when the failed spines and links come back up (0: never; later than fail_at + convergence): they carry again at once, and every leaf hashes over them again convergence later",
	"fabric.flap_every":                  "leaf-spine, with fail_at and recover_at: repeat the failure and the repair every flap_every (0: once), a flapping link: down again at fail_at + k x flap_every, up at recover_at + k x flap_every (longer than recover_at + convergence - fail_at)",
	"fabric.slow_links":                  "leaf-spine: links at another rate than the uplinks' for the whole run, \"leaf0.spine1=10, spine2.leaf3=2.5\" (Gbit/s, both directions); ECMP hashes onto them as onto the others",
	"fabric.ecmp":                        "leaf-spine: how failed links re-hash flows: plain (every flow over the spines left) or resilient (only the failed paths' flows move)",
	"fabric.lossy_links":                 "leaf-spine: links losing each frame with a probability for the whole run, \"leaf0.spine1=0.001\" (both directions: a bad optic, a gray failure the routing never sees)",
	"fabric.buffer_alpha":                "dynamic buffers: a port's queue may reach buffer_alpha x the switch's free buffer (alone: alpha/(1+alpha) of it)",
	"workload.file_bytes":                "http_download file size, bytes",
	"workload.client":                    "http_download client: how throughput is timed (curl: from the first SYN; iperf3: from establishment)",
	"workload.threads":                   "http_load (wrk) threads",
	"workload.connections":               "http_load (wrk) connections, closed loop",
	"workload.pods":                      "pod_launch: pods created",
	"workload.arrival":                   "pod_launch arrivals: burst, or a rate such as \"5/s\"",
	"workload.pods_per_node":             "pods per node of the cluster patterns: pod j's application runs on core j mod cores_per_node; long-lived flows go from pod j to pod j of the destination, finite flows between random pods",
	"workload.pattern":                   "who sends to whom (tcp_stream): pairs (node 0 to node 1: the two-pod workload), permutation (each node to one other, a random derangement per replication), all-to-all, incast (incast_senders nodes to node 0), random (each flow to a random other node), matrix (finite flows at each node pair's rate in workload.matrix), none (no background flows: the queries of query_rate alone); long-lived: streams flows per pod and destination",
	"workload.incast_senders":            "incast: the sender nodes 1..N (0: all other nodes)",
	"workload.nodeport_style":            "nodeport transactions: crr (a new connection each, netperf TCP_CRR) or rr (kept-alive connections, TCP_RR)",
	"workload.flow_sizes":                "finite flows (tcp_stream): websearch (DCTCP, SIGCOMM 2010), datamining (VL2, SIGCOMM 2009), constant:BYTES (every flow that size) or a CDF file of \"size_bytes probability\" lines, relative to the scenario file; empty: long-lived flows",
	"workload.load":                      "with flow_sizes: Poisson flow arrivals per sending node at this fraction of its link rate (load x link rate / mean flow size flows per second); not with the matrix pattern, whose file gives the rates",
	"workload.matrix":                    "matrix pattern: a traffic matrix file of \"src dst gbps [from [to]] [class=NAME]\" lines (a node from 0 or a range a-b each; the line's offered rate of flow bytes, split evenly over its pairs; from and to, durations such as 40ms, the window it offers it in, else the whole run; class, the traffic class fct_us_by_class reports it in), relative to the scenario file; each pair's flows arrive as a Poisson process at its rate / the mean of workload.flow_sizes",
	"workload.matrix_scale":              "matrix pattern: a multiple of every pair's rate (1: as written), to sweep or solve for growth",
	"workload.rack_local":                "random pattern on a leaf-spine: the fraction of flows to another node under the source's own leaf (rack), the rest to other leaves' nodes; -1: every other node equally likely",
	"workload.query_rate":                "partition-aggregate queries per second over the cluster (tcp_stream, inter; 0: none), a Poisson process beside the background flows: each picks an aggregator pod and query_fanin other nodes whose pods all answer at once (a synchronised incast); metrics query_completion_us, queries_completed, queries_unfinished",
	"workload.query_fanin":               "query_rate: worker nodes answering each query (0: all other nodes)",
	"workload.query_bytes":               "query_rate: bytes of each worker's response (a new TCP connection, closed once read)",
	"workload.query_from":                "query_rate: when the queries start (a nightly incast's window: from query_from until query_until)",
	"workload.query_until":               "query_rate: when the queries stop (0: the run's end; later than query_from)",
	"workload.measure_until":             "finite flows and queries: the measured ones (fct_us, query_completion_us) are those started from warmup until measure_until (0: the run's end); the traffic goes on until duration so that they finish under the same load (flows_censored counts those that did not)",
	"workload.server.cores":              "application server pod's cores (http workloads)",
	"workload.server.cycles_per_request": "server CPU cycles per request",
	"workload.server.cycles_per_byte":    "server CPU cycles per response byte",

	"calibration.cycles.<stage>": "override one stage's cycles per packet (stage: cnisim list stages)",
	"calibration.scale.<stage>":  "multiply every profile cost of one stage, per crossing and per byte, after calibration.cycles, or with stage rules every [[rule_cost]] (0..100; sweep it with --baseline to see how an answer depends on that cost)",
}

// keyAllowed lists the allowed values of the enumerated keys, from the
// scenario package.
var keyAllowed = map[string][]string{
	"tcp.congestion":                  scenario.Congestions,
	"tcp.syn_schedule":                scenario.SynSchedules,
	"tcp.ack_policy":                  tcp.AckPolicies,
	"tcp.stack":                       scenario.Stacks,
	"cluster.qdisc":                   network.Qdiscs,
	"workload.kind":                   scenario.Kinds,
	"workload.placement":              scenario.Placements,
	"workload.client":                 scenario.Clients,
	"fabric.kind":                     scenario.FabricKinds,
	"fabric.buffer":                   scenario.FabricBuffers,
	"workload.pattern":                workload.Patterns(),
	"workload.nodeport_style":         workload.NodePortStyles,
	"service.external_traffic_policy": service.TrafficPolicies,
	"trace.point":                     scenario.TracePoints,
}

// extraKeys are accepted but not scalar keys of scenario.Keys.
var extraKeys = []string{"calibration.cycles.<stage>", "calibration.scale.<stage>"}

// listKeys prints every scenario key with its type, default and meaning.
func listKeys() (listing, error) {
	def := scenario.Defaults()
	vals := map[string]reflect.Value{}
	keyValues(reflect.ValueOf(def), "", vals)
	l := listing{header: []string{"key", "type", "default", "meaning"}}
	for _, k := range append(scenario.Keys(), extraKeys...) {
		m, ok := keyMeanings[k]
		if !ok {
			return listing{}, fmt.Errorf("scenario key %s has no meaning in cmd/cnisim/listkeys.go", k)
		}
		if a := keyAllowed[k]; a != nil {
			m += " (" + strings.Join(a, ", ") + ")"
		}
		typ, dv := "float", "none"
		if v, ok := vals[k]; ok {
			typ, dv = keyType(v), keyDefault(v)
		}
		l.rows = append(l.rows, []string{k, typ, dv, m})
	}
	return l, nil
}

// keyValues maps each dotted key of the toml tags to its value in v.
func keyValues(v reflect.Value, table string, out map[string]reflect.Value) {
	t := v.Type()
	for i := range t.NumField() {
		name := t.Field(i).Tag.Get("toml")
		key := name
		if table != "" {
			key = table + "." + name
		}
		f := v.Field(i)
		if f.Kind() == reflect.Struct && f.Type() != reflect.TypeFor[time.Duration]() {
			keyValues(f, key, out)
			continue
		}
		out[key] = f
	}
}

func keyType(v reflect.Value) string {
	if v.Type() == reflect.TypeFor[time.Duration]() {
		return "duration"
	}
	switch v.Kind() {
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int64:
		return "integer"
	case reflect.Uint64:
		return "integer >= 0"
	case reflect.Float64:
		return "float"
	case reflect.String:
		return "string"
	}
	return v.Kind().String()
}

// keyDefault formats a default as it would be written in a scenario file.
func keyDefault(v reflect.Value) string {
	if d, ok := v.Interface().(time.Duration); ok {
		return strconv.Quote(scenario.FormatDuration(d))
	}
	switch v.Kind() {
	case reflect.String:
		return strconv.Quote(v.String())
	case reflect.Float64:
		return scenario.Format(v.Float())
	}
	return fmt.Sprint(v.Interface())
}
