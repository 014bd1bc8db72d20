package workload

import (
	"github.com/cnisim/cnisim/internal/field"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/models/podlaunch"
	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/sim"
)

// Workload kinds.
const (
	TCPStream = "tcp_stream"
	UDPStream = "udp_stream"
	TCPRR     = "tcp_rr"
	UDPRR     = "udp_rr"
	// Mixed is a backup stream beside request-response: Streams tcp_rr
	// connections and BulkStreams tcp_stream ones on the same pods and
	// path, the RR latency measured with the bulk load on it (BulkStreams
	// 0: the RR alone, as tcp_rr).
	Mixed = "mixed"
)

// Config is one replication of one scenario point.
type Config struct {
	Cluster   network.Config
	Placement datapath.Placement // intra: both pods on node 0; inter: client on node 0, server on node 1
	// Forward is the path from the client pod to the server pod (data of a
	// stream, requests of RR); Reverse the other way (ACKs, responses).
	Forward, Reverse datapath.CostedPath
	PodMTU           int // pod interface MTU; MSS = PodMTU - 52
	TCP              tcp.Options

	Duration sim.Time // simulated time
	Warmup   sim.Time // steady-state metrics ignore [0, Warmup)
	Interval sim.Time // time-series bin; 0 means Duration/100 (at least 1 ms)
	// FlowLog keeps a record of every finite cluster flow that starts in
	// [Warmup, Duration] (Result.FlowLog): ten float64, 80 bytes a flow.
	FlowLog bool

	Seed        uint64
	Replication int

	Workload Workload
	// Services, when not nil, is the Service model: connections of
	// tcp_stream, tcp_rr and tcp_crr go through its proxy (service.go).
	Services *Services

	// Progress, when not nil, is told how far the run has got as it goes
	// (sim.Engine.ReportProgress), for a progress bar; it is written,
	// never read, so it changes no result.
	Progress *sim.Progress
}

// Workload says what traffic to generate.
type Workload struct {
	Kind    string // tcp_stream | udp_stream | tcp_rr | udp_rr | http_download | http_load
	Streams int    // parallel streams or RR connections (default 1)
	// BulkStreams is mixed's bulk TCP streams beside its RR connections.
	BulkStreams int
	// RateMbps is the offered rate per stream in Mbit/s of payload:
	// udp_stream's datagrams, tcp_stream's and mixed's bulk streams' writes
	// (iperf3 -b, paced.go);
	// 0 sends as fast as the sender's core and socket buffer allow.
	RateMbps float64
	// MessageBytes is the RR request and response size (netperf default 1)
	// and udp_stream's datagram payload (default PodMTU - 28).
	MessageBytes int
	// WriteBytes and ReadBytes are the TCP send and read call sizes
	// (tcp.Options.WriteBytes); 0 takes the tool's: MessageBytes for
	// tcp_rr, iperf3's 128 KiB otherwise. UDP calls are one datagram each.
	WriteBytes, ReadBytes int64
	// StartJitter spreads the streams' connection times uniformly in
	// [0, StartJitter) (drawn from the replication's stream "workload").
	StartJitter sim.Time
	// HTTP configures http_download and http_load (http.go).
	HTTP HTTP
	// Launch, when not nil, launches the client pod first (one pod, on
	// the client's node) and starts the client when its container has
	// started (tcp_stream, http_download; launch.go).
	Launch *podlaunch.Config

	// Cluster traffic (pattern.go, cluster.go): the traffic pattern
	// between nodes ("" is PatternPairs, the two-pod workload), pods per
	// node (0 is 1), incast's sender nodes (0: all other nodes), and
	// finite flows: sizes drawn from FlowSizes (nil: long-lived flows)
	// arriving as a Poisson process per sending node at Load of its link
	// rate.
	Pattern       string
	PodsPerNode   int
	IncastSenders int
	FlowSizes     *FlowSizes
	Load          float64
	// RackLocal, for PatternRandom on a leaf-spine fabric: the fraction
	// of flows whose destination is under the source's own leaf (its
	// rack), the others going to another leaf's; nil: every other node
	// equally likely. How much traffic stays in the rack is what decides
	// an oversubscribed uplink's load, and it differs between
	// datacenters: Roy et al. ("Inside the Social Network's (Datacenter)
	// Network", SIGCOMM 2015, Table 1) set the 50-80% rack-local traffic
	// that earlier studies reported against Facebook's, whose traffic is
	// neither rack-local nor all-to-all.
	RackLocal *float64
	// Matrix, for PatternMatrix: the offered rates between nodes or
	// ranges of nodes (matrix.go), multiplied by MatrixScale (0 is 1);
	// the finite flows of a pair arrive as a Poisson process at its rate
	// over the mean flow size. Load does not apply.
	Matrix      *Matrix
	MatrixScale float64
	// Queries (query.go), when QueryRate > 0: partition-aggregate
	// incasts over the cluster traffic, QueryRate per second over the
	// cluster (a Poisson process), each answered at once by QueryFanIn
	// worker nodes (0: all other nodes) with QueryBytes each, from
	// QueryFrom until QueryUntil (0: the run's end).
	QueryRate             float64
	QueryFanIn            int
	QueryBytes            int64
	QueryFrom, QueryUntil sim.Time
	// MeasureUntil ends the window of the finite flows and queries whose
	// completion times are measured (fct_us, query_completion_us): those
	// started from Warmup until MeasureUntil (0: the run's end). Arrivals
	// go on until the run's end, so that the measured flows finish under
	// the same load: without that tail the flows still open at the end,
	// the long ones, are left out and a p99 reads low (FlowsCensored).
	MeasureUntil sim.Time

	// NodePortStyle is a nodeport workload's transactions: StyleCRR (""
	// too: a new connection per transaction) or StyleRR (kept-alive
	// connections, one per stream).
	NodePortStyle string
}

func (c *Config) defaults() {
	if c.Workload.Streams == 0 {
		c.Workload.Streams = 1
	}
	if c.Workload.Pattern == "" {
		c.Workload.Pattern = PatternPairs
	}
	if c.Workload.Kind == NodePort && c.Workload.NodePortStyle == "" {
		c.Workload.NodePortStyle = StyleCRR
	}
	if c.Workload.PodsPerNode == 0 {
		c.Workload.PodsPerNode = 1
	}
	if c.Interval == 0 {
		c.Interval = max(c.Duration/100, sim.Millisecond)
	}
	c.Workload.HTTP.defaults(c.Workload.Kind)
	if c.Workload.MessageBytes == 0 {
		switch c.Workload.Kind {
		case UDPStream:
			c.Workload.MessageBytes = c.PodMTU - tcp.UDPHeaderBytes
		default:
			c.Workload.MessageBytes = 1
		}
	}
	for _, v := range []*int64{&c.Workload.WriteBytes, &c.Workload.ReadBytes} {
		if *v == 0 {
			*v = tcp.DefaultCallBytes
			if c.Workload.Kind == TCPRR || c.Workload.Kind == Mixed || c.nodePortRR() {
				*v = int64(c.Workload.MessageBytes)
			}
		}
	}
	c.TCP.WriteBytes, c.TCP.ReadBytes = c.Workload.WriteBytes, c.Workload.ReadBytes
}

// Validate reports the first bad key with its allowed values.
// Check is Validate after the defaults Run fills in: what a caller uses to
// refuse a configuration before running it.
func (c Config) Check() error {
	c.defaults()
	return c.Validate()
}

func (c *Config) Validate() error {
	if err := c.Cluster.Validate(); err != nil {
		return err
	}
	switch c.Placement {
	case datapath.Intra, datapath.Inter:
	default:
		return field.Errorf("workload.Config.Placement", c.Placement, "allowed intra, inter")
	}
	if c.Placement == datapath.Inter && c.Cluster.Nodes < 2 {
		return field.Errorf("workload.Config.Placement", c.Placement, "needs at least 2 nodes (the cluster has %d)", c.Cluster.Nodes)
	}
	if c.Forward.InterHost != (c.Placement == datapath.Inter) || c.Reverse.InterHost != (c.Placement == datapath.Inter) {
		return field.Errorf("workload.Config.Placement", c.Placement, "does not match the paths' inter_host flags (forward %v, reverse %v)",
			c.Forward.InterHost, c.Reverse.InterHost)
	}
	if c.PodMTU < tcp.MinPodMTU {
		return field.Errorf("workload.Config.PodMTU", c.PodMTU, "must be >= %d", tcp.MinPodMTU)
	}
	if c.Duration <= 0 {
		return field.Errorf("workload.Config.Duration", c.Duration, "must be > 0")
	}
	if c.Warmup < 0 || c.Warmup >= c.Duration {
		return field.Errorf("workload.Config.Warmup", c.Warmup, "must be in [0, the duration %v)", c.Duration)
	}
	w := c.Workload
	switch w.Kind {
	case TCPStream, UDPStream, TCPRR, TCPCRR, UDPRR, HTTPDownload, HTTPLoad, Mixed, NodePort:
	default:
		return field.Errorf("workload.Workload.Kind", w.Kind, "allowed tcp_stream, udp_stream, tcp_rr, tcp_crr, udp_rr, http_download, http_load, mixed, nodeport (pod_launch runs models/podlaunch alone)")
	}
	if err := c.validateNodePort(); err != nil {
		return err
	}
	if w.BulkStreams < 0 || w.BulkStreams > 100_000 {
		return field.Errorf("workload.Workload.BulkStreams", w.BulkStreams, "must be in [0, 100000]")
	}
	if err := c.validateServices(); err != nil {
		return err
	}
	if err := c.validatePattern(); err != nil {
		return err
	}
	if err := w.HTTP.validate(w.Kind, c.Cluster.CoresPerNode); err != nil {
		return err
	}
	if w.Launch != nil && w.Kind != TCPStream && w.Kind != HTTPDownload {
		return field.Errorf("workload.Workload.Kind", w.Kind, "a launched client pod starts only tcp_stream or http_download")
	}
	if w.Streams < 1 || w.Streams > 100000 {
		return field.Errorf("workload.Workload.Streams", w.Streams, "must be in [1, 100000]")
	}
	if w.RateMbps < 0 {
		return field.Errorf("workload.Workload.RateMbps", w.RateMbps, "must be >= 0 (0 = as fast as possible)")
	}
	if w.MessageBytes < 1 {
		return field.Errorf("workload.Workload.MessageBytes", w.MessageBytes, "must be >= 1")
	}
	if w.Kind == UDPStream || w.Kind == UDPRR {
		if lim := c.PodMTU - tcp.UDPHeaderBytes; w.MessageBytes > lim {
			return field.Errorf("workload.Workload.MessageBytes", w.MessageBytes, "a UDP datagram must fit the pod MTU (<= %d; IP fragmentation of datagrams is not modelled)", lim)
		}
	}
	if w.StartJitter < 0 {
		return field.Errorf("workload.Workload.StartJitter", w.StartJitter, "must be >= 0")
	}
	o := c.TCP.Defaults()
	return o.Validate()
}
