package scenario

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/models/podlaunch"
	"github.com/cnisim/cnisim/models/tcp"
)

// MTU bounds: 576 is the minimum IPv4 datagram every host must accept
// (RFC 791); 65535 the largest IPv4 total length.
const (
	MinMTU = 576
	MaxMTU = 65535
)

// check holds the range rules; each failing rule adds one FieldError.
type check struct {
	s    *Scenario
	errs errList
}

func (c *check) fail(key, format string, a ...any) {
	v, _ := c.s.value(key)
	c.errs = append(c.errs, &FieldError{Key: key, Value: Format(v), Msg: fmt.Sprintf(format, a...)})
}

func (c *check) intRange(key string, v, min, max int64) {
	if v < min || v > max {
		c.fail(key, "out of range (allowed: %d..%d)", min, max)
	}
}

func (c *check) durMin(key string, d, min time.Duration) {
	switch {
	case d < min && min == 0:
		c.fail(key, "must be >= 0")
	case d < min:
		c.fail(key, "must be > 0")
	case d > MaxDuration:
		c.fail(key, "out of range (allowed: up to %s, the bound on simulated durations)", FormatDuration(MaxDuration))
	}
}

// durRange checks min <= d <= max.
func (c *check) durRange(key string, d, min, max time.Duration) {
	if d < min || d > max {
		c.fail(key, "out of range (allowed: %s..%s)", FormatDuration(min), FormatDuration(max))
	}
}

// floatRange checks min <= v <= max, v finite.
func (c *check) floatRange(key string, v, min, max float64) {
	if !(v >= min && v <= max) {
		c.fail(key, "out of range (allowed: %s..%s)", fmtNum(min), fmtNum(max))
	}
}

// fmtNum prints a bound as 0.001, 1e+10 or 100000.
func fmtNum(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func (c *check) oneOf(key, v string, allowed []string) {
	if !slices.Contains(allowed, v) {
		c.fail(key, "not allowed (allowed: %s)", strings.Join(allowed, ", "))
	}
}

// validate checks ranges and enumerations, not plugin or profile names
// (the model layer's job).
func (s *Scenario) validate() errList {
	c := &check{s: s}
	if strings.TrimSpace(s.Name) == "" {
		c.fail("name", "must not be empty")
	}
	c.intRange("replications", int64(s.Replications), 1, 1_000_000)
	c.durMin("duration", s.Duration, 1)
	c.durMin("warmup", s.Warmup, 0)
	if s.Warmup >= s.Duration && s.Duration > 0 && s.Warmup <= MaxDuration {
		c.fail("warmup", "must be less than duration (%s)", FormatDuration(s.Duration))
	}

	if s.Timeline != 0 {
		c.durRange("timeline", s.Timeline, time.Microsecond, MaxDuration)
		if s.Timeline >= time.Microsecond && s.Duration > 0 && (s.Duration+s.Timeline-1)/s.Timeline > MaxTimelineBins {
			c.fail("timeline", "cuts duration (%s) into %d bins: at most %d (a coarser timeline)",
				FormatDuration(s.Duration), (s.Duration+s.Timeline-1)/s.Timeline, MaxTimelineBins)
		}
	}

	cl := &s.Cluster
	c.intRange("cluster.nodes", int64(cl.Nodes), 1, 10_000)
	c.intRange("cluster.cores_per_node", int64(cl.CoresPerNode), 1, 4096)
	c.floatRange("cluster.cpu_ghz", cl.CPUGHz, MinCPUGHz, MaxCPUGHz)
	c.floatRange("cluster.link_gbps", cl.LinkGbps, MinLinkGbps, MaxLinkGbps)
	c.durMin("cluster.link_delay", cl.LinkDelay, 0)
	c.intRange("cluster.mtu", int64(cl.MTU), MinMTU, MaxMTU)
	c.intRange("cluster.frame_overhead", int64(cl.FrameOverhead), 0, 1000)
	c.intRange("cluster.qdisc_packets", int64(cl.QdiscPackets), 1, MaxQdiscPackets)
	if _, err := network.ParseNICOffloads(cl.NICOffloads); err != nil {
		c.fail("cluster.nic_offloads", "%s", strings.TrimPrefix(err.Error(), "cluster.nic_offloads: "))
	}
	c.intRange("cluster.tbf_burst_frames", int64(cl.TBFBurstFrames), 0, network.MaxTBFBurstFrames)
	if cl.TSQThroughFabric && cl.Offloads {
		c.fail("cluster.tsq_through_fabric", "needs cluster.offloads = false (the emulated fabric is modelled packet by packet)")
	}
	if cl.TSQOrphan && cl.TSQThroughFabric {
		c.fail("cluster.tsq_orphan", "needs cluster.tsq_through_fabric = false (a socket's bytes end at its node's IP stack or at delivery, not both)")
	}
	if cl.TBFBurstFrames > 0 && cl.Offloads {
		c.fail("cluster.tbf_burst_frames", "needs cluster.offloads = false (tbf links are modelled frame by frame)")
	}
	if u := cl.TimeSliceUs; !(u >= 0 && u <= 1e6) {
		c.fail("cluster.timeslice_us", "out of range (allowed: 0..1e6 microseconds a reader on its sender's core waits for the sender's time slice; 0 runs it at once)")
	}
	if u := cl.WakeupUs; !(u >= 0 && u <= 1e6) {
		c.fail("cluster.wakeup_us", "out of range (allowed: 0..1e6 microseconds from a wake-up to the reader running on an idle core; 0 runs it at once)")
	}
	if u := cl.RxUsecs; !(u >= 0 && u <= 1e6) {
		c.fail("cluster.rx_usecs", "out of range (allowed: 0..1e6 microseconds of receive interrupt moderation; 0 interrupts at once)")
	}
	if g := s.Calibration.GROFrameCycles; !(g >= 0 && g <= 1e6 || g == FromProfile) {
		c.fail("calibration.gro_frame_cycles", "out of range (allowed: 0..1e6 cycles per frame GRO merges, or %v, the default: the profile's [[gro_frame]], else %v, measured)", FromProfile, network.DefaultGROFrameCycles)
	}
	if g := s.Calibration.GSOSegmentCycles; !(g >= 0 && g <= 1e6 || g == FromProfile) {
		c.fail("calibration.gso_segment_cycles", "out of range (allowed: 0..1e6 cycles per segment software GSO cuts, or %v, the default: the profile's [[gso_segment]], else %v, measured)", FromProfile, network.DefaultGSOSegmentCycles)
	}
	if g := s.Calibration.FragmentCycles; !(g >= 0 && g <= 1e6) {
		c.fail("calibration.fragment_cycles", "out of range (allowed: 0..1e6 cycles per packet the sending node fragments; default %v, measured)", network.DefaultFragmentCycles)
	}
	if g := s.Calibration.ReassembleCycles; !(g >= 0 && g <= 1e6) {
		c.fail("calibration.reassemble_cycles", "out of range (allowed: 0..1e6 cycles per packet the receiving node reassembles; default %v, measured)", network.DefaultReassembleCycles)
	}
	if !(cl.CPUJitter >= 0 && cl.CPUJitter <= 1) {
		c.fail("cluster.cpu_jitter", "out of range (allowed: 0..1, the coefficient of variation of a job's CPU time)")
	}

	cn := &s.CNI
	if strings.TrimSpace(cn.Plugin) == "" {
		c.fail("cni.plugin", "must name a built-in plugin or a model file")
	}
	if cn.PodMTU != 0 {
		c.intRange("cni.pod_mtu", int64(cn.PodMTU), MinMTU, MaxMTU)
	}
	c.intRange("cni.policy_rules", int64(cn.PolicyRules), 0, MaxPolicyRules)
	c.durMin("cni.setup_delay", cn.SetupDelay, 0)

	c.oneOf("tcp.congestion", s.TCP.Congestion, Congestions)
	c.oneOf("tcp.syn_schedule", s.TCP.SynSchedule, SynSchedules)
	// 4096 is the minimum of tcp_rmem and tcp_wmem (ip-sysctl.rst).
	c.intRange("tcp.rmem", int64(s.TCP.Rmem), 4096, MaxSocketBytes)
	c.intRange("tcp.limit_output_bytes", int64(s.TCP.LimitOutputBytes), 1, MaxSocketBytes)
	c.intRange("tcp.wmem", int64(s.TCP.Wmem), 4096, MaxSocketBytes)
	c.intRange("tcp.ack_every", int64(s.TCP.AckEvery), 1, tcp.MaxAckEvery)
	c.oneOf("tcp.ack_policy", s.TCP.AckPolicy, tcp.AckPolicies)
	c.oneOf("tcp.stack", s.TCP.Stack, Stacks)
	c.oneOf("cluster.qdisc", s.Cluster.Qdisc, network.Qdiscs)
	c.durRange("cluster.fq_codel_target", s.Cluster.FQCoDelTarget, time.Microsecond, time.Second)
	c.durRange("cluster.fq_codel_interval", s.Cluster.FQCoDelInterval, time.Microsecond, 10*time.Second)
	c.intRange("cluster.fq_codel_limit", int64(s.Cluster.FQCoDelLimit), 1, network.MaxFQCoDelLimit)
	c.durRange("cluster.fq_codel_ce_threshold", s.Cluster.FQCoDelCEThreshold, 0, time.Second)
	if s.Cluster.Qdisc == network.QdiscFQCoDel && s.Cluster.TBFBurstFrames > 0 {
		c.fail("cluster.qdisc", "fq_codel: not with cluster.tbf_burst_frames (the emulated links are a tbf over a FIFO)")
	}
	c.durRange("tcp.min_rto", s.TCP.MinRTO, MinMinRTO, MaxMinRTO)
	if !slices.Contains(tcp.KernelHZs, s.TCP.HZ) {
		c.fail("tcp.hz", "not allowed (allowed: 0 for exact timers, or a kernel's CONFIG_HZ: 100, 250, 300, 1000)")
	}

	if strings.TrimSpace(s.Calibration.Profile) == "" {
		c.fail("calibration.profile", "must name a built-in profile or a profile file")
	}
	for _, k := range tableStages(cyclesTable) {
		if v, ok := s.Calibration.Cycles[k]; ok {
			c.floatRange(cyclesTable+"."+k, v, 0, MaxCycles)
		}
	}
	for _, k := range tableStages(scaleTable) {
		if v, ok := s.Calibration.Scale[k]; ok {
			c.floatRange(scaleTable+"."+k, v, 0, MaxScale)
		}
	}

	w := &s.Workload
	c.oneOf("workload.kind", w.Kind, Kinds)
	c.oneOf("workload.placement", w.Placement, Placements)
	if w.Placement == "inter" && cl.Nodes < 2 && w.Kind != "pod_launch" {
		c.fail("workload.placement", "needs cluster.nodes >= 2 (it is %d)", cl.Nodes)
	}
	c.intRange("workload.streams", int64(w.Streams), 1, 10_000)
	c.intRange("workload.bulk_streams", int64(w.BulkStreams), 0, 10_000)
	if w.RateMbps != 0 {
		c.floatRange("workload.rate_mbps", w.RateMbps, MinRateMbps, MaxRateMbps)
	}
	c.intRange("workload.message_bytes", int64(w.MessageBytes), 0, 1<<30)
	c.intRange("workload.write_bytes", int64(w.WriteBytes), 0, 1<<30)
	c.intRange("workload.read_bytes", int64(w.ReadBytes), 0, 1<<30)
	c.intRange("workload.file_bytes", w.FileBytes, 1, MaxFileBytes)
	c.oneOf("workload.client", w.Client, Clients)
	c.intRange("workload.threads", int64(w.Threads), 1, 10_000)
	c.intRange("workload.connections", int64(w.Connections), 1, 1_000_000)
	if w.Kind == "http_load" && w.Connections < w.Threads {
		// wrk refuses this too: each thread needs a connection.
		c.fail("workload.connections", "must be >= workload.threads (%d)", w.Threads)
	}
	c.intRange("workload.pods", int64(w.Pods), 1, 1_000_000)
	if r, err := ParseArrival(w.Arrival); err != nil {
		c.fail("workload.arrival", "%v", err)
	} else if r > 0 && float64(w.Pods)/r > MaxDuration.Seconds() {
		c.fail("workload.arrival", "%d pods at %s/s take longer than the bound on simulated durations (%s)", w.Pods, fmtNum(r), FormatDuration(MaxDuration))
	}
	c.intRange("workload.server.cores", int64(w.Server.Cores), 1, 4096)
	c.floatRange("workload.server.cycles_per_request", w.Server.CyclesPerRequest, 0, MaxCycles)
	c.floatRange("workload.server.cycles_per_byte", w.Server.CyclesPerByte, 0, MaxCyclesPerByte)
	c.service(s)
	c.fabric(s)
	c.traffic(s)
	c.trace(s)
	return c.errs
}

// ParseArrival reads workload.arrival with the parser the pod-launch
// model runs (podlaunch.ParseArrival, so what validates also runs):
// "burst" and "sequential" (rate 0), a rate "N/s" or "poisson:N/s" with
// MinArrival <= N <= MaxArrival pods per second.
func ParseArrival(s string) (perSecond float64, err error) {
	a, err := podlaunch.ParseArrival(s)
	if err != nil {
		return 0, err
	}
	if a.PerSecond != 0 && !(a.PerSecond >= MinArrival && a.PerSecond <= MaxArrival) {
		return 0, fmt.Errorf("rate %s/s out of range (allowed: %s/s..%s/s)", fmtNum(a.PerSecond), fmtNum(MinArrival), fmtNum(MaxArrival))
	}
	return a.PerSecond, nil
}
