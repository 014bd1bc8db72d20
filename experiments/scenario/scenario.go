package scenario

import (
	"maps"
	"time"

	"github.com/cnisim/cnisim/models/network"
)

// Scenario is one what-if scenario. The toml tags are the key names of the
// file format; Defaults gives every key's default.
type Scenario struct {
	Name         string        `toml:"name"`
	Seed         uint64        `toml:"seed"`
	Replications int           `toml:"replications"`
	Duration     time.Duration `toml:"duration"` // simulated time per replication
	Warmup       time.Duration `toml:"warmup"`   // deleted from steady-state metrics
	// Timeline, when > 0, is the bin of a time series per replication
	// (cnisim run --out writes it to timeline.csv): goodput, cwnd, drops,
	// switch queues and cores busy per bin, over the whole run.
	Timeline time.Duration `toml:"timeline"`
	// FlowLog keeps a row per finite cluster flow that starts after the
	// warm-up (cnisim run --out writes them to flows.csv): its nodes,
	// size, start, completion time, slowdown and spine.
	FlowLog bool `toml:"flow_log"`
	// PortLog keeps a row per switch port per replication (cnisim run
	// --out writes them to ports.csv): its drops, frames, ECN marks,
	// deepest and mean queue and utilisation after the warm-up, for
	// fabrics whose ports are too many for the per-port metrics.
	PortLog bool `toml:"port_log"`

	Cluster     Cluster     `toml:"cluster"`
	CNI         CNI         `toml:"cni"`
	TCP         TCP         `toml:"tcp"`
	Calibration Calibration `toml:"calibration"`
	Workload    Workload    `toml:"workload"`
	Service     Service     `toml:"service"`
	Fabric      Fabric      `toml:"fabric"`
	Trace       Trace       `toml:"trace"`

	// Sweep maps dotted keys to the values they take; a run covers the
	// cartesian product (see Expand). Values are TOML values as decoded.
	Sweep map[string][]any `toml:"sweep"`
}

// Cluster is the hardware: nodes, cores, NIC and link.
type Cluster struct {
	Nodes         int           `toml:"nodes"`
	CoresPerNode  int           `toml:"cores_per_node"`
	CPUGHz        float64       `toml:"cpu_ghz"`
	LinkGbps      float64       `toml:"link_gbps"`
	LinkDelay     time.Duration `toml:"link_delay"`
	MTU           int           `toml:"mtu"`            // underlay (NIC) MTU
	FrameOverhead int           `toml:"frame_overhead"` // wire bytes per frame beyond the IP packet
	Offloads      bool          `toml:"offloads"`       // GSO/GRO super-packets
	// NICOffloads are the NICs' offloads with cluster.offloads: "all"
	// (default), "none", or a comma list of tso, gro,
	// tx-udp_tnl-segmentation, tx-ipxip4-segmentation, tx-gre-segmentation
	// (network.NICOffloads: a missing tunnel segmentation cuts GSO in
	// software before the NIC, a missing gro merges nothing on receive).
	NICOffloads string `toml:"nic_offloads"`
	// RSSInner: the NICs hash the inner header of IP-in-IP and GRE
	// (network.Config.RSSInner), so those tunnels spread by flow.
	RSSInner bool `toml:"rss_inner"`
	// RPS: Receive Packet Steering on the receiving nodes
	// (network.Config.RPS): IP-in-IP's and GRE's stacks leave the node
	// pair's core for their inner flows'.
	RPS bool `toml:"rps"`
	// TBFBurstFrames, when > 0, makes every link a Linux tbf whose bucket
	// holds that many full-sized frames (network.Config.TBFBurstFrames):
	// the testbed's emulated links, for comparing with them.
	TBFBurstFrames int `toml:"tbf_burst_frames"`
	// TSQThroughFabric counts a socket's packets against TCP small queues
	// until they are delivered or dropped (network.Config.TSQThroughFabric):
	// a fabric emulated in the senders' kernel, as the testbed's.
	TSQThroughFabric bool `toml:"tsq_through_fabric"`
	// TSQOrphan ends a pod's queued bytes where its node's IP stack takes
	// its packets from the socket, not at the NIC (network.Config.TSQOrphan).
	TSQOrphan bool `toml:"tsq_orphan"`
	// Qdisc is the NICs' transmit queue (network.Config.Qdisc): "pfifo",
	// the default, a FIFO of qdisc_packets, or "fq_codel", Linux's with
	// its default parameters.
	Qdisc string `toml:"qdisc"`
	// FQCoDel* are fq_codel's parameters with qdisc = "fq_codel"
	// (network.FQCoDel: target, interval, limit, ecn, ce_threshold).
	FQCoDelTarget      time.Duration `toml:"fq_codel_target"`
	FQCoDelInterval    time.Duration `toml:"fq_codel_interval"`
	FQCoDelLimit       int           `toml:"fq_codel_limit"`
	FQCoDelECN         bool          `toml:"fq_codel_ecn"`
	FQCoDelCEThreshold time.Duration `toml:"fq_codel_ce_threshold"`
	// RxUsecs is the receive interrupt moderation, microseconds (ethtool
	// rx-usecs; network.Config.RxUsecs): 0 interrupts at once.
	RxUsecs float64 `toml:"rx_usecs"`
	// WakeupUs is an idle core's wake-up latency for a sleeping reader,
	// microseconds (network.Config.WakeupLatency): 0 runs it at once.
	WakeupUs float64 `toml:"wakeup_us"`
	// TimeSliceUs is how long a reader sharing its sender's core waits for
	// it, microseconds (network.Config.TimeSlice): 0 runs it at once.
	TimeSliceUs  float64 `toml:"timeslice_us"`
	QdiscPackets int     `toml:"qdisc_packets"` // NIC transmit queue length
	// CPUJitter is the coefficient of variation of every job's service
	// time on a core (network.Config.CPUJitter); 0 = exact cycles.
	CPUJitter float64 `toml:"cpu_jitter"`
}

// CNI selects the pod network. Plugin and mode names are checked by the
// model layer (Options.Validate), not here.
type CNI struct {
	Plugin      string `toml:"plugin"` // built-in name or path to a model file
	Mode        string `toml:"mode"`   // "" = the plugin's default mode
	PodMTU      int    `toml:"pod_mtu"`
	Policy      bool   `toml:"policy"`
	PolicyRules int    `toml:"policy_rules"`
	// PolicyConntrack: only connection-opening packets walk the
	// policy_rules (conntrack accepts established flows first).
	PolicyConntrack bool `toml:"policy_conntrack"`
	// PolicyEngine evaluates the policy_rules: "" for the mode's default,
	// else one the mode offers (checked by the model layer); the
	// calibration profile's rule_cost of it prices the rules.
	PolicyEngine string        `toml:"policy_engine"`
	AsyncSetup   bool          `toml:"async_setup"`
	SetupDelay   time.Duration `toml:"setup_delay"`
	Encrypt      bool          `toml:"encrypt"`
}

// TCP holds transport settings (Linux defaults).
type TCP struct {
	Congestion  string `toml:"congestion"`   // cubic | reno | dctcp
	SynSchedule string `toml:"syn_schedule"` // exponential | linear4
	Rmem        int    `toml:"rmem"`         // receive buffer limit, bytes (tcp_rmem max)
	Wmem        int    `toml:"wmem"`         // send buffer limit, bytes (tcp_wmem max)
	// LimitOutputBytes bounds a socket's bytes below TCP, in its qdisc and
	// NIC queue: TCP small queues' net.ipv4.tcp_limit_output_bytes
	// (tcp.Options.TSQBytes).
	LimitOutputBytes int `toml:"limit_output_bytes"`
	// AckEvery: the receiver sends a pure ACK per this many full-sized
	// segments (2: Linux's __tcp_ack_snd_check; larger: GRO stretch ACKs,
	// 1 / the ACKs per data packet measured on a real receiver).
	AckEvery int `toml:"ack_every"`
	// AckPolicy: "every" (the default: ack_every as stated) or "linux"
	// (models/tcp/ackpolicy.go: quick ACKs, one ACK per skb while the
	// window advances, per read call when the reader lags, adaptive
	// delayed ACKs, ping-pong for request/response).
	AckPolicy string `toml:"ack_policy"`
	// ECN: RFC 3168 ECN for reno and cubic (Linux net.ipv4.tcp_ecn = 1
	// on both sides): switches marking above fabric.ecn_threshold_bytes
	// then signal congestion without a drop. dctcp always uses ECN.
	ECN bool `toml:"ecn"`
	// MinRTO is the minimum retransmission timeout (Linux
	// net.ipv4.tcp_rto_min_us, or a route's rto_min): lowering it is the
	// classic remedy for incast timeouts.
	MinRTO time.Duration `toml:"min_rto"`
	// HZ is the kernel's tick rate (CONFIG_HZ: 100, 250, 300 or 1000):
	// the retransmission, loss-probe, RACK and delayed-ACK timers fire on
	// its ticks, N to N+1 jiffies after they are armed, as Linux's do
	// (models/tcp/jiffies.go); 0, the default, fires them at exact times.
	HZ int `toml:"hz"`
	// RTOFromHead re-arms the retransmission timer as Linux does around a
	// tail loss probe: from the oldest outstanding segment's send
	// (tcp.Options.RTOFromHead); false, the default, from when it is armed.
	RTOFromHead bool `toml:"rto_from_head"`
	// LinuxTSQ bounds a socket's queued bytes as Linux's TCP small queues
	// do, by its pacing rate (tcp.Options.LinuxTSQ); false, the default:
	// by tcp_limit_output_bytes alone.
	LinuxTSQ bool `toml:"linux_tsq"`
	// LinuxCubic runs CUBIC as Linux's tcp_cubic.c does, HyStart
	// included (tcp.Options.LinuxCubic); false, the default: RFC 9438's.
	// CUBIC's only: reno and dctcp flows are unchanged by it.
	LinuxCubic bool `toml:"linux_cubic"`
	// Stack is "rfc" (the default: each behaviour as its own key says) or
	// "linux": every one of Linux's behaviours on at once (Scenario.Linux).
	Stack string `toml:"stack"`
}

// Calibration names the cost profile and per-stage overrides.
type Calibration struct {
	Profile string             `toml:"profile"` // built-in name or path
	Cycles  map[string]float64 `toml:"cycles"`  // stage kind -> cycles per packet
	// Scale multiplies every cost of a stage kind in the profile (cycles
	// per crossing and per byte; after Cycles): 1.2 prices it 20% dearer,
	// for asking how much an answer depends on one calibrated cost.
	Scale map[string]float64 `toml:"scale"`
	// GROFrameCycles is, with cluster.offloads, what each frame GRO
	// merges costs the receiving core (network.Config.GROFrameCycles);
	// FromProfile (the default) takes the profile's [[gro_frame]] entry
	// for every frame, or network.DefaultGROFrameCycles when the profile
	// states none.
	GROFrameCycles float64 `toml:"gro_frame_cycles"`
	// GSOSegmentCycles is, with cluster.offloads, what each segment
	// software GSO cuts costs the sending core
	// (network.Config.GSOSegmentCycles); FromProfile (the default) takes
	// the profile's [[gso_segment]] entry for every segment, or
	// network.DefaultGSOSegmentCycles.
	GSOSegmentCycles float64 `toml:"gso_segment_cycles"`
	// FragmentCycles and ReassembleCycles are what an outer packet over
	// the underlay MTU costs the sending node to fragment and the
	// receiving node to reassemble (network.Config.FragmentCycles,
	// ReassembleCycles); the defaults are measured on this project's
	// kernel (network.DefaultFragmentCycles, DefaultReassembleCycles).
	FragmentCycles   float64 `toml:"fragment_cycles"`
	ReassembleCycles float64 `toml:"reassemble_cycles"`
}

// ScaleOf is the multiplier calibration.scale gives a stage (1 without one).
func (c Calibration) ScaleOf(stage string) float64 {
	if f, ok := c.Scale[stage]; ok {
		return f
	}
	return 1
}

// FromProfile is the default of calibration.gro_frame_cycles and
// gso_segment_cycles: the profile's per-frame cost, else the built-in
// measured one.
const FromProfile = -1

// Workload is the traffic or pod-launch load.
type Workload struct {
	Kind         string  `toml:"kind"`
	Placement    string  `toml:"placement"`
	Streams      int     `toml:"streams"`
	BulkStreams  int     `toml:"bulk_streams"`
	RateMbps     float64 `toml:"rate_mbps"`
	MessageBytes int     `toml:"message_bytes"`
	// WriteBytes and ReadBytes are the application's send and read call
	// sizes (TCP; UDP sends and reads one datagram per call): each call
	// pays the path's syscall stage once, each wake-up of a blocked reader
	// or writer its sched stage. 0: the tool's default, iperf3's 128 KiB
	// for tcp_stream and the HTTP workloads, the message for tcp_rr
	// (netperf TCP_STREAM uses 16 KiB: --set workload.write_bytes=16384).
	WriteBytes  int    `toml:"write_bytes"`
	ReadBytes   int    `toml:"read_bytes"`
	FileBytes   int64  `toml:"file_bytes"`
	Client      string `toml:"client"`
	Threads     int    `toml:"threads"`
	Connections int    `toml:"connections"`
	Pods        int    `toml:"pods"`
	Arrival     string `toml:"arrival"` // "burst" or "N/s"
	// Target: "pod" (the server pod's address) or "service" (a ClusterIP
	// of the [service] table, translated by its proxy).
	Target string `toml:"target"`
	// Cluster traffic (models/workload pattern.go, cluster.go): pods per
	// node, the pattern between nodes (pairs: the two-pod workload), the
	// incast's sender nodes (0: all other nodes), finite flows' sizes (a
	// built-in distribution or a CDF file; "": long-lived flows) and their
	// Poisson load per sending node (a fraction of its link rate).
	PodsPerNode   int     `toml:"pods_per_node"`
	Pattern       string  `toml:"pattern"`
	IncastSenders int     `toml:"incast_senders"`
	FlowSizes     string  `toml:"flow_sizes"`
	Load          float64 `toml:"load"`
	// RackLocal: the random pattern's share of flows that stay under
	// the source's leaf (-1: every other node equally likely).
	RackLocal float64 `toml:"rack_local"`
	// Matrix: the matrix pattern's traffic matrix file ("src dst
	// gbps" lines, relative to the scenario file), its rates multiplied
	// by MatrixScale.
	Matrix      string  `toml:"matrix"`
	MatrixScale float64 `toml:"matrix_scale"`
	// Partition-aggregate queries (models/workload query.go): queries per
	// second over the cluster (0: none), each answered at once by
	// query_fanin worker nodes (0: all other nodes) with query_bytes each,
	// from query_from until query_until (0: the run's end).
	QueryRate  float64       `toml:"query_rate"`
	QueryFanIn int           `toml:"query_fanin"`
	QueryBytes int64         `toml:"query_bytes"`
	QueryFrom  time.Duration `toml:"query_from"`
	QueryUntil time.Duration `toml:"query_until"`
	// MeasureUntil ends the window of the flows and queries whose
	// completion times are measured (from warmup; 0: the run's end); the
	// traffic goes on until duration so that they can finish.
	MeasureUntil time.Duration `toml:"measure_until"`
	// NodePortStyle is nodeport's transactions: crr (a new connection
	// each, netperf TCP_CRR) or rr (kept-alive connections, TCP_RR).
	NodePortStyle string `toml:"nodeport_style"`
	Server        Server `toml:"server"` // a table: after every scalar key
}

// Server is the application server pod (http_download, http_load).
type Server struct {
	Cores            int     `toml:"cores"`
	CyclesPerRequest float64 `toml:"cycles_per_request"`
	CyclesPerByte    float64 `toml:"cycles_per_byte"`
}

// Allowed values of the enumerated keys.
var (
	Congestions  = []string{"cubic", "reno", "dctcp"}
	SynSchedules = []string{"exponential", "linear4"}
	Stacks       = []string{StackRFC, StackLinux}
	Kinds        = []string{"tcp_stream", "udp_stream", "tcp_rr", "udp_rr", "http_download", "http_load", "pod_launch", "tcp_crr", "mixed", "nodeport"}
	Targets      = []string{"pod", "service"}
	Placements   = []string{"intra", "inter"}
	Clients      = []string{"curl", "iperf3"}
)

// Defaults returns a scenario with every documented default (the name is
// filled from the file name by Decode).
func Defaults() Scenario {
	return Scenario{
		Seed:         1,
		Replications: 10,
		Duration:     10 * time.Second,
		Warmup:       1 * time.Second,
		Cluster: Cluster{
			// The paper's testbed (003, section IV): two nodes, ten-core
			// E5-2640v4 at 2.4 GHz, 10 Gbit/s switch; 10 s netperf tests.
			Nodes:         2,
			CoresPerNode:  10,
			CPUGHz:        2.4,
			LinkGbps:      10,
			LinkDelay:     5 * time.Microsecond,
			MTU:           1500,
			FrameOverhead: 38,   // Ethernet header+FCS 18, preamble+IFG 20
			QdiscPackets:  1000, // Linux txqueuelen default
			Qdisc:         network.QdiscPFIFO,
			// Linux's fq_codel defaults (network.DefaultFQCoDel)
			FQCoDelTarget:   5 * time.Millisecond,
			FQCoDelInterval: 100 * time.Millisecond,
			FQCoDelLimit:    10 * 1024,
			FQCoDelECN:      true,
			// Assumed, not measured: per-packet cycle counts vary by a few
			// percent (cache misses, interrupts, frequency); 5% keeps the
			// means and gives replications and RR latency quantiles a
			// spread. 0 makes every job cost exactly its cycles.
			CPUJitter: 0.05,
		},
		CNI: CNI{
			Plugin:     "flannel",
			SetupDelay: 300 * time.Millisecond,
		},
		TCP: TCP{
			Congestion:  "cubic",
			SynSchedule: "exponential",
			// Linux ip-sysctl.rst: tcp_rmem max 6 MiB, tcp_wmem max 4 MiB,
			// the limits receive/send autotuning grows the buffers to.
			Rmem: 6 << 20,
			Wmem: 4 << 20,
			// assumed: 256 KiB, tcp_limit_output_bytes of the 4.x kernels
			// the paper measured (6.x: 1 MiB; this VM's reads 4 MiB)
			LimitOutputBytes: 256 << 10,
			// Linux tcp_input.c __tcp_ack_snd_check: ACK when more than
			// one full frame is unacknowledged, i.e. every second segment.
			AckEvery: 2,
			// the stated ratio, as every paper and vendor figure ran
			AckPolicy: "every",
			// measured: `sysctl net.ipv4.tcp_rto_min_us` = 200000 on this
			// project's 6.18 VM, 2026-12-03 (Linux TCP_RTO_MIN)
			MinRTO: 200 * time.Millisecond,
			Stack:  StackRFC,
		},
		Calibration: Calibration{Profile: "paper", Cycles: map[string]float64{}, Scale: map[string]float64{}, GROFrameCycles: FromProfile, GSOSegmentCycles: FromProfile,
			FragmentCycles: network.DefaultFragmentCycles, ReassembleCycles: network.DefaultReassembleCycles},
		Workload: Workload{
			Kind:          "tcp_stream",
			Placement:     "inter",
			Streams:       1,
			BulkStreams:   1,
			MessageBytes:  0,              // 0: the workload's own default (1 byte for RR as netperf, pod MTU - 28 for udp_stream)
			FileBytes:     10_000_000_000, // the vendor analysis' 10G.dat curl download (000)
			Client:        "curl",
			Threads:       12,  // the vendor analysis' `wrk -t12 -c400` (000)
			Connections:   400, // idem
			Pods:          30,
			Arrival:       "burst",
			Server:        Server{Cores: 1, CyclesPerRequest: 60000, CyclesPerByte: 4.0},
			Target:        "pod",
			PodsPerNode:   1,
			Pattern:       "pairs",
			NodePortStyle: "crr",
			Load:          0.3, // the middle of the 0.1-0.9 loads pFabric and HPCC sweep (assumed)
			RackLocal:     -1,  // uniform over the other nodes, as before the key
			MatrixScale:   1,   // the matrix's rates as written
			// quoted: the partition/aggregate responses measured in the DCTCP
			// paper (Alizadeh et al., SIGCOMM 2010, section 2: 1.6-2 KB; as
			// summarised at http://www.adrian.idv.hk/2012-01-28-agmpppss10-dctcp/)
			QueryBytes: 2000,
		},
		Service: Service{
			// No Services unless count is set; defaults in models/service
			// (kube-proxy's conntrack sizing, the kernel's TIME_WAIT).
			Endpoints:             1,
			PortCount:             1,
			ConntrackMax:          262144,
			TimeWait:              120 * time.Second,
			ExternalTrafficPolicy: "cluster",
		},
		Fabric: DefaultFabric(),
		Trace:  Trace{Point: "pod", MaxMB: DefaultTraceMB},
		Sweep:  map[string][]any{},
	}
}

// Clone returns a deep copy.
func (s *Scenario) Clone() *Scenario {
	c := s.point()
	for k, v := range s.Sweep {
		c.Sweep[k] = append([]any(nil), v...)
	}
	return c
}

// point copies s without its sweep: what one sweep point runs.
func (s *Scenario) point() *Scenario {
	c := *s
	c.Calibration.Cycles = maps.Clone(s.Calibration.Cycles)
	c.Calibration.Scale = maps.Clone(s.Calibration.Scale)
	if c.Calibration.Cycles == nil {
		c.Calibration.Cycles = map[string]float64{}
	}
	if c.Calibration.Scale == nil {
		c.Calibration.Scale = map[string]float64{}
	}
	c.Sweep = map[string][]any{}
	return &c
}
