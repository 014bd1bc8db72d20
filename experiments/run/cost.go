package run

import (
	"fmt"
	"math"
	"time"

	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/models/workload"
	"github.com/cnisim/cnisim/sim"
)

// Cost is a rough upper estimate of what running a plan takes, computed
// before anything runs so that a run beyond the machine by orders of
// magnitude is refused with one line instead of running for years or
// dying out of memory (issue 19). It is an order-of-magnitude figure.
type Cost struct {
	Units       float64 // points x replications
	Packets     float64 // simulated packets, all units
	CPUSeconds  float64 // single-core seconds to simulate them
	MemoryBytes float64 // peak: replications in flight plus results kept
}

// The cost model's constants. Measured on the development VM (2 vCPUs,
// 24 GB, Go 1.24), 2026-12-02, with `/usr/bin/time -f "%e s %M KB" cnisim
// run ... --parallel 1`:
const (
	// PacketsPerCPUSecond: tcp_stream defaults, duration 1s: 4332 Mbit/s
	// = 374k data packets of 1448 B + 187k ACKs in 0.70 s = 8.0e5/s.
	PacketsPerCPUSecond = 8.0e5
	// bytesPerConnection: http_load duration 200ms, 20000 connections
	// 334764 KB max RSS, 1000 connections 39372 KB: 15.5 KB each (5000
	// connections 97436 KB, at 1s 99516 KB: it does not grow with time).
	bytesPerConnection = 15.5e3
	// bytesBase: the process with one small replication (21864 KB).
	bytesBase = 22e6
	// bytesPerUnit is what one finished replication's sample keeps until
	// aggregation (assumed: about 40 scalar metrics and per-stage groups
	// in maps, 2 KB). An unsharded run aggregates replications as they
	// finish (Stream: at most Window(parallel) wait); a shard keeps all of
	// its units' samples, which are its partial file.
	bytesPerUnit = 2e3
	// bytesPerReplication is a replication's own state beyond the above
	// (assumed: the engine's queues and a few streams, 2 MB).
	bytesPerReplication = 2e6
	// cyclesPerPacketFloor bounds the packet rate of an intra-host path
	// by CPU (assumed: the cheapest built-in path costs several thousand
	// cycles per packet; 2000 keeps the estimate an upper bound).
	cyclesPerPacketFloor = 2000
	// bytesPerTimelineBin is what a timeline bin (scenario key timeline)
	// holds until the run ends: its CSV row in memory (at most 85
	// characters for a 64-bit seed and the nine series of
	// results.TimelineColumns, measured: `cnisim run
	// scenarios/link-failure.toml --set timeline=10ms --reps 1`, more
	// with swept keys) and its sample's nine float64 (72 bytes) while
	// the replication waits for aggregation: 200, rounded up (derived).
	bytesPerTimelineBin = 200
	// bytesPerFlowRow is what a row of the flow log (scenario key
	// flow_log) holds until the run ends: its CSV row in memory (at most
	// 137 characters with a 64-bit seed, results.FlowColumns and two
	// swept keys, measured: `cnisim run scenarios/link-recovery.toml --set
	// flow_log=true --reps 1 --set duration=60ms`, before spine_end, and 3
	// more for its value and comma, and about 20 more for
	// syn_retransmissions and connect_us; more with more keys) and its
	// twelve float64 (96 bytes) twice (the workload's log, whose appending
	// may double a slice, and the sample waiting for aggregation): 157 +
	// 192 = 349, rounded up to 360 (derived).
	bytesPerFlowRow = 360
	// bytesPerPortRow is what a row of the port log (scenario key
	// port_log) holds until the run ends: its CSV row (two swept keys,
	// the replication, a 64-bit seed, a port name such as leaf12.spine3,
	// its tier and nine numbers: under 200 characters) and the sample's
	// nine float64 and two strings while the replication waits: 300, as
	// a flow row (derived).
	bytesPerPortRow = 300
	// bytesPerPcapRecord is a TCP record of a packet capture at the pods
	// (trace.pcap): 16 bytes of record header and 52 of IPv4 and TCP with
	// timestamps, up to 80 with SACK blocks or a SYN's options (derived);
	// each packet is recorded twice, sent and received, where both nodes
	// are captured. At the NICs (trace.point nic) a tunnel's and an
	// encryption's clear headers come on top, up to 50 bytes
	// (models/tcp snapLen).
	bytesPerPcapRecord    = 80
	bytesPerNICPcapRecord = bytesPerPcapRecord + 50
	// incastResend bounds an incast's packets, in links' worth of the
	// receiver's: the one link delivers at most its rate, and the drops
	// at its port are sent again (assumed: twice the link, since
	// retransmissions are a fraction of what is delivered in the shipped
	// incasts; scenarios/ecn-incast.toml's 16 senders cost 2.15 CPU s,
	// where 16 links' worth estimated 75 s, 2026-12-05).
	incastResend = 2.0
	// minRTT bounds the transaction rate of a request-response stream
	// (assumed: 10 us, below any simulated round trip with CPU costs).
	minRTT = 10 * time.Microsecond
)

// Estimate returns the cost of running every point of plan, parallel
// replications at a time (0: every unit at once, the worst case).
func Estimate(plan *scenario.Plan, parallel int) Cost {
	var c Cost
	var inFlight float64 // the largest per-replication state of any point
	var kept float64     // every replication's timeline bins and flow log rows, kept until the end
	for i := range plan.Len() {
		s := plan.Point(i).Scenario
		o := offerOf(s)
		reps := float64(s.Replications)
		c.Units += reps
		c.Packets += reps * packetsPerReplication(s, o)
		inFlight = math.Max(inFlight, replicationBytes(s, o))
		if s.Timeline > 0 {
			kept += reps * math.Ceil(float64(s.Duration)/float64(s.Timeline)) * bytesPerTimelineBin
		}
		if s.FlowLog && s.Workload.FlowSizes != "" {
			kept += reps * connections(s, o) * bytesPerFlowRow // every flow that arrives: an upper bound
		}
		if s.PortLog {
			kept += reps * float64(s.FabricConfig().Ports(s.Cluster.Nodes)) * bytesPerPortRow
		}
		if s.Trace.Pcap { // one replication's captures, up to their bound, kept until written
			rec := float64(bytesPerPcapRecord)
			if s.Trace.Point == "nic" {
				rec = bytesPerNICPcapRecord
			}
			// twice: at the replication's end its records and the files
			// built from them are both held (tcp.Capture.Files)
			kept += 2 * math.Min(s.Trace.MaxMB*1e6, packetsPerReplication(s, o)*2*rec)
		}
	}
	c.CPUSeconds = c.Packets / PacketsPerCPUSecond
	running := c.Units
	if parallel > 0 {
		running = math.Min(running, float64(parallel))
	}
	waiting := math.Min(c.Units, float64(Window(int(running))))
	c.MemoryBytes = bytesBase + running*inFlight + waiting*bytesPerUnit + kept
	return c
}

// Shard returns the cost of one of n shards: units, packets, CPU time and
// kept results divided by n; the replications in flight are the same.
func (c Cost) Shard(n int) Cost {
	if n <= 1 {
		return c
	}
	f := float64(n)
	c.Units, c.Packets, c.CPUSeconds = math.Ceil(c.Units/f), c.Packets/f, c.CPUSeconds/f
	c.MemoryBytes += c.Units * bytesPerUnit // a shard keeps its units' samples for its partial file
	return c
}

// simulatedSeconds is the simulated time of one replication.
func simulatedSeconds(s *scenario.Scenario) float64 {
	t := s.Duration.Seconds()
	switch s.Workload.Kind {
	case "http_download", "http_load": // the client pod waits for its network first
		t += s.CNI.SetupDelay.Seconds()
	}
	return t
}

// packetsPerReplication bounds the packets one replication simulates.
func packetsPerReplication(s *scenario.Scenario, o finiteOffer) float64 {
	w, cl := s.Workload, s.Cluster
	if w.Kind == "pod_launch" {
		return float64(w.Pods) * 100 // a few dozen events per pod
	}
	pkt := float64(cl.MTU)
	if s.CNI.PodMTU > 0 {
		pkt = float64(s.CNI.PodMTU)
	}
	if cl.Offloads {
		pkt = 64 << 10 // GSO/GRO super-packets
	}
	// data packets per second: the link's rate between nodes, the CPU's
	// on one node (one core per stream at most).
	rate := cl.LinkGbps * 1e9 / 8 / pkt
	if w.Placement == "intra" {
		cores := math.Min(float64(w.Streams), float64(cl.CoresPerNode))
		rate = math.Max(rate, cores*cl.CPUGHz*1e9/cyclesPerPacketFloor)
	}
	if w.RateMbps > 0 {
		rate = math.Min(rate, float64(w.Streams)*w.RateMbps*1e6/8/pkt)
	}
	// cluster traffic: every sending node can fill its link; finite flows
	// offer load of it
	senders := sendingNodes(s)
	if w.FlowSizes != "" {
		senders = o.links
	}
	if w.Pattern == workload.PatternIncast {
		// one receiver's link carries them all: what the senders offer
		// beyond it is dropped and sent again, at most incastResend links'
		// worth in all
		senders = math.Min(senders, incastResend)
	}
	rate *= senders
	if w.QueryRate > 0 { // each response: its data packets and a handshake's three
		share := 1.0 // of the run, the queries' window
		if t := simulatedSeconds(s); t > 0 {
			share = querySeconds(s) / t
		}
		rate += w.QueryRate * share * queryFanIn(s) * (math.Ceil(float64(w.QueryBytes)/pkt) + 3)
	}
	acks := 1 + 1/float64(max(s.TCP.AckEvery, 1))
	switch w.Kind {
	case "udp_stream":
		acks = 1
	case "tcp_rr", "udp_rr":
		// one request and one response per round trip and stream
		rtt := math.Max((2 * s.Cluster.LinkDelay).Seconds(), minRTT.Seconds())
		rate = math.Min(rate, float64(w.Streams)*2/rtt)
	}
	n := simulatedSeconds(s) * rate * acks
	if p := s.Fabric.FlapEvery; p > 0 {
		// a flapping link's failures, repairs and their convergences each
		// hash every route again (both directions of every connection);
		// a route's new hops cost about a packet's work (assumed)
		changes := 4 * math.Ceil(simulatedSeconds(s)/p.Seconds())
		n += changes * (2*connections(s, o) + 1)
	}
	return n
}

// sendingNodes is how many nodes send: one for the two-pod pairs
// workload, the pattern's senders otherwise.
func sendingNodes(s *scenario.Scenario) float64 {
	w, n := s.Workload, s.Cluster.Nodes
	switch w.Pattern {
	case workload.PatternPairs:
		return 1
	case workload.PatternNone:
		return 0
	case workload.PatternIncast:
		if w.IncastSenders > 0 {
			return float64(w.IncastSenders)
		}
		return float64(n - 1)
	}
	return float64(n)
}

// connections bounds the TCP connections a replication holds at once:
// the long-lived flows a pattern places, or for finite flows every flow
// that arrives in the run (an upper bound: none completing; their
// Poisson rate is load x link rate / mean size per sending node).
func connections(s *scenario.Scenario, o finiteOffer) float64 {
	w := s.Workload
	queries := w.QueryRate * queryFanIn(s) * querySeconds(s) // the same bound for the queries' responses
	if w.FlowSizes == "" {
		return queries + workload.LongLivedFlowCount(w.Pattern, s.Cluster.Nodes, w.PodsPerNode, w.Streams, w.IncastSenders)
	}
	perLink := s.Cluster.LinkGbps * 1e9 / 8 / o.meanBytes // flows per second filling one link
	return queries + o.links*perLink*simulatedSeconds(s)
}

// finiteOffer is what a point's finite flows offer: links' worth of load
// (the sending nodes' load, or a traffic matrix's mean rate over the run)
// and their mean size, each file read once per point.
type finiteOffer struct {
	links, meanBytes float64
}

// offerOf reads a point's finite flows' offer (nothing without flow
// sizes); an unreadable flow-size file counts as a mean of 1 MB and an
// unreadable matrix as every node at full load (validation reports
// either).
func offerOf(s *scenario.Scenario) finiteOffer {
	w := s.Workload
	if w.FlowSizes == "" {
		return finiteOffer{}
	}
	o := finiteOffer{links: sendingNodes(s) * w.Load, meanBytes: 1e6}
	if d, err := workload.LoadFlowSizes(w.FlowSizes); err == nil {
		o.meanBytes = d.Mean()
	}
	if w.Pattern == workload.PatternMatrix {
		o.links = float64(s.Cluster.Nodes)
		if m, err := workload.LoadMatrix(w.Matrix); err == nil {
			o.links = m.MeanGbps(sim.FromDuration(s.Duration)) * w.MatrixScale / s.Cluster.LinkGbps
		}
	}
	return o
}

// querySeconds is how long the queries run: their window within the run.
func querySeconds(s *scenario.Scenario) float64 {
	end := s.Duration
	if u := s.Workload.QueryUntil; u != 0 {
		end = min(end, u)
	}
	return max(end-s.Workload.QueryFrom, 0).Seconds()
}

// queryFanIn is the responses per query.
func queryFanIn(s *scenario.Scenario) float64 {
	return float64(workload.QueryFanIn(s.Workload.QueryFanIn, s.Cluster.Nodes))
}

// replicationBytes is the memory one running replication holds.
func replicationBytes(s *scenario.Scenario, o finiteOffer) float64 {
	b := bytesPerReplication + connections(s, o)*bytesPerConnection
	switch s.Workload.Kind {
	case "http_load":
		b += float64(s.Workload.Connections) * bytesPerConnection
	case "pod_launch":
		b += float64(s.Workload.Pods) * bytesPerConnection
	}
	if s.Cluster.Qdisc == network.QdiscFQCoDel {
		b += float64(s.Cluster.Nodes) * float64(network.FQCoDelNodeBytes)
	}
	return b
}

// Limits say what the machine can take; Check refuses a cost beyond them.
type Limits struct {
	Cores       int     // CPUs the run may use
	MemoryBytes float64 // physical memory
	// MaxWall is the wall time refused without --yes.
	MaxWall time.Duration
}

// Check returns a one-line error when c needs more memory than the
// machine has or more than MaxWall of all its cores, else nil.
func (c Cost) Check(l Limits) error {
	wall := c.CPUSeconds / float64(max(l.Cores, 1))
	over := ""
	switch {
	case c.MemoryBytes > l.MemoryBytes:
		over = fmt.Sprintf("about %s of memory, more than this machine's %s", bytesText(c.MemoryBytes), bytesText(l.MemoryBytes))
	case wall > l.MaxWall.Seconds():
		over = fmt.Sprintf("about %s on %d cores, more than %s", secondsText(wall), l.Cores, secondsText(l.MaxWall.Seconds()))
	default:
		return nil
	}
	return fmt.Errorf("estimated cost: %.3g replications simulating %.3g packets, %s", c.Units, c.Packets, over)
}

func bytesText(b float64) string {
	switch {
	case b >= 1e12:
		return fmt.Sprintf("%.3g TB", b/1e12)
	case b >= 1e9:
		return fmt.Sprintf("%.3g GB", b/1e9)
	}
	return fmt.Sprintf("%.3g MB", b/1e6)
}

func secondsText(s float64) string {
	switch {
	case s >= 365*86400:
		return fmt.Sprintf("%.3g years", s/(365*86400))
	case s >= 86400:
		return fmt.Sprintf("%.3g days", s/86400)
	case s >= 3600:
		return fmt.Sprintf("%.3g hours", s/3600)
	}
	return fmt.Sprintf("%.3g s", s)
}
