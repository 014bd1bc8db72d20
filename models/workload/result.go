package workload

import (
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/sim"
)

// Result is what one replication measured. Steady-state figures cover
// [max(Warmup, connection establishment), Duration); counts cover the whole
// run. Fields that do not apply to the workload are zero (and listed in
// Applies).
type Result struct {
	ThroughputMbps   float64 // goodput read by the receiving applications (TCP, UDP payload)
	RTTus            float64 // TCP: mean RTT sample of the senders (timestamps); RR: mean transaction time
	TransactionsPerS float64 // RR
	// Latency holds the transaction (RR) or request (http_load) times;
	// RTTus and the quantiles below summarise it (nil for other kinds).
	Latency      *sim.Histogram
	LatencyP50us float64
	LatencyP90us float64
	LatencyP99us float64
	LossFraction float64 // UDP: 1 - received / sent
	// SenderDatagramsPerS is udp_stream's datagrams sent per second over
	// the measured interval, all streams (one sendmsg each).
	SenderDatagramsPerS float64

	// CPUCoresUsed is the receiving node's busy time / measured time (the
	// server's node); CPUCoresUsedByNode gives every node.
	CPUCoresUsed       float64
	CPUCoresUsedByNode []float64
	// RxDropsByNode are the packets each node's RX rings dropped (the
	// whole run): where a CPU-bound receiver loses them.
	RxDropsByNode []uint64
	// CoresByContext splits each node's stage cycles by context (node 0
	// the client, the sender of a stream; node 1 the server), and
	// CyclesPerByte is each node's busy cycles per payload byte the
	// applications read, so cores per Gbit/s compare with sar/mpstat
	// (stream and RR workloads; hostcpu.go).
	CoresByContext []ContextCores
	CyclesPerByte  []float64
	// CPPTotal and CPPByStage: cycles on the receiving node per data packet
	// received there, by stage kind (canonical names), including the cost
	// of the ACKs it sent: the paper's Fig. 4/5 "virtual perf".
	CPPTotal   float64
	CPPByStage map[string]float64
	// FIBLookupsPer100kPackets counts FIB crossings on all nodes per 100k
	// data packets received (the paper's Fig. 6).
	FIBLookupsPer100kPackets float64
	DataPackets              uint64 // data packets received in the measured interval

	TCPCounts
	Drops           uint64 // network drops (qdisc, DF, hooks) + UDP socket-buffer drops
	SocketDrops     uint64 // UDP datagrams dropped for want of socket buffer (in Drops)
	ConnectS        float64
	ConnectFailures int

	// Services and connection churn (tcp_crr, a [service] table):
	// connections established per second in the window, the first
	// packet's latency (connect() to the SYN's arrival at the endpoint),
	// conntrack occupancy at the end, its peak, and the new connections a
	// full table dropped (also counted in Drops).
	ConnectionsPerS  float64
	FirstPacket      *sim.Histogram
	FirstPacketP50us float64
	FirstPacketP90us float64
	FirstPacketP99us float64
	ConntrackEntries int
	ConntrackPeak    int
	ConntrackDrops   uint64
	// CoresPer1kCPS is each node's CPU cores busy per 1,000 connections
	// per second (CPUCoresUsedByNode / (ConnectionsPerS / 1000)).
	CoresPer1kCPS []float64
	// NodePortSecondHop is the share of nodeport connections whose
	// endpoint was on another node than the ingress node.
	NodePortSecondHop float64

	// BusiestNode is the node with the most busy cores over the measured
	// interval (the lowest index among equals) and BusiestCores its cores.
	BusiestNode  int
	BusiestCores float64

	// Finite cluster flows (cluster.go): per flow that started in the
	// measured window [Warmup, Workload.MeasureUntil or Duration] and
	// completed by Duration, its completion time
	// (connect() to the server's read of the last byte, µs) and slowdown
	// (FCT / idealFCT), and their summaries per SizeBuckets; flows
	// started and completed over the whole run, and left unfinished at
	// its end (started = completed + unfinished).
	FCTus, FCTSlowdown            []float64
	FCTByBucket, SlowdownByBucket []FlowStats
	// With a traffic matrix whose windows change it: the FCTs (µs) per
	// phase of the run, by the flow's start, and the phases' names; with
	// classes too, then per phase and class ("100ms-160ms_app")
	FCTByPhase []FlowStats
	Phases     []string
	// With a traffic matrix whose lines name classes: the FCTs (µs) per
	// class, and the classes' names (Matrix.Classes)
	FCTByClass                                    []FlowStats
	Classes                                       []string
	FlowsStarted, FlowsCompleted, FlowsUnfinished uint64
	// The background flows started in the measured window (from the
	// warm-up until Workload.MeasureUntil), and of them those not read
	// whole by the run's end: FCTus leaves these out, and as they are
	// the longest, its upper quantiles read low when they are many.
	FlowsMeasured, FlowsCensored uint64
	// FCTp99Floor (µs) is the least the measured flows' p99 FCT can be:
	// counting each censored flow at its age at the run's end
	// (flowGen.p99Floor).
	FCTp99Floor float64
	// The stability probe (cluster.go): the finite flows' bytes (the
	// queries' responses included) that arrived in [Warmup, Duration],
	// per second of it (the load the run offered, to set beside
	// ThroughputMbps, the load it carried), and the background flows
	// open when the window's midpoint passed (-1: no flow arrived or
	// closed after it), to set beside FlowsUnfinished, those open at
	// the end: a run short of its steady state, or one that cannot carry
	// its load, accumulates flows.
	OfferedMbps     float64
	FlowsOpenMidway int64
	// FlowLog (Config.FlowLog) is a record of every such flow that
	// started in [Warmup, Duration], finished or not, in start order, by
	// column (FlowLogColumns).
	FlowLog map[string][]float64
	// Queries (query.go): per query that started in the measured window
	// [Warmup, Workload.MeasureUntil or Duration] and completed by
	// Duration, its completion time (arrival to the aggregator's read of
	// its last response, µs); queries completed over the whole run, left
	// unfinished at its end, and of the measured ones those unfinished
	// (left out of QCTus). The queries' responses are not among the
	// flows above.
	QCTus                                                []float64
	QueriesCompleted, QueriesUnfinished, QueriesCensored uint64

	HTTPResult   // http_download, http_load
	LaunchResult // a launched client pod

	Series  []Sample
	Packets network.Stats
	Events  uint64 // engine events executed
	Applies []string
}

// Sample is one time-series bin.
type Sample struct {
	T              float64 // bin end, seconds
	ThroughputMbps float64 // payload read by applications in the bin
	Cwnd           float64 // mean cwnd (segments) over the TCP senders at the bin end
	// Senders is how many long-lived TCP senders Cwnd averages (0: none,
	// as for finite cluster flows and transactions, and Cwnd is 0)
	Senders int
	// The network's, sampled at the bin's end when Net (not by
	// http_download, whose series has no events of its own): packets
	// dropped in the bin (every place the network drops: Packets.Drops),
	// bytes queued in the switches at its end, and the cores busy over
	// the bin, summed over every node (work counted when it is done, to
	// within a core's look-ahead).
	Drops, FabricQueueBytes, CoresBusy float64
	// Three places of Drops: switch buffers, receive rings, failed or
	// lossy fabric links
	DropsSwitch, DropsRxRing, DropsLink float64
	Net                                 bool
	// Finite flows' (Flows, when the workload has them): the background
	// flows that started in the bin, and their median completion time
	// (µs; -1: none started, or not known because too many of them were
	// still open at the run's end: flowGen.binMedians)
	FlowsStarted, FCTMedianUs float64
	Flows                     bool
}

// TCPCounts are the transport counters a run sums over its endpoints,
// both directions: those of connections still open at the end and of
// those closed before (their endpoints recycled).
type TCPCounts struct {
	Retransmissions uint64
	RTOs            uint64 // retransmission timeouts (tcp_timeouts)
	TLPs            uint64 // tail loss probes (tcp_loss_probes)
	Reordered       uint64 // original segments delivered after later ones (tcp_reordered)
	AcksSent        uint64 // pure ACKs sent (tcp_acks_per_segment's numerator)
	DataSegsRcvd    uint64 // data segments received, duplicates included (its denominator)
}

// AddConn adds both endpoints' counters.
func (c *TCPCounts) AddConn(conn *tcp.Conn) {
	c.Add(conn.Client)
	c.Add(conn.Server)
}

// Add adds one endpoint's counters.
func (c *TCPCounts) Add(ep *tcp.Endpoint) {
	c.Retransmissions += ep.Stats.Retrans
	c.RTOs += ep.Stats.RTOs
	c.TLPs += ep.Stats.TLPs
	c.Reordered += ep.Stats.Reordered
	c.AcksSent += ep.Stats.AcksSent
	c.DataSegsRcvd += ep.Stats.DataSegsRcvd
}

// Merge adds another sum.
func (c *TCPCounts) Merge(o TCPCounts) {
	c.Retransmissions += o.Retransmissions
	c.RTOs += o.RTOs
	c.TLPs += o.TLPs
	c.Reordered += o.Reordered
	c.AcksSent += o.AcksSent
	c.DataSegsRcvd += o.DataSegsRcvd
}
