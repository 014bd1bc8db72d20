package scenario

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
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

func (c *check) intMin(key string, v, min int64) {
	if v < min {
		c.fail(key, "must be >= %d", min)
	}
}

func (c *check) intRange(key string, v, min, max int64) {
	if v < min || v > max {
		c.fail(key, "out of range (allowed: %d..%d)", min, max)
	}
}

func (c *check) positive(key string, v float64) {
	if !(v > 0) || math.IsInf(v, 0) {
		c.fail(key, "must be a finite number > 0")
	}
}

func (c *check) nonNegative(key string, v float64) {
	if !(v >= 0) || math.IsInf(v, 0) {
		c.fail(key, "must be a finite number >= 0")
	}
}

func (c *check) durMin(key string, d, min time.Duration) {
	if d < min {
		if min == 0 {
			c.fail(key, "must be >= 0")
		} else {
			c.fail(key, "must be > 0")
		}
	}
}

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
	if s.Warmup >= s.Duration && s.Duration > 0 {
		c.fail("warmup", "must be less than duration (%s)", FormatDuration(s.Duration))
	}

	cl := &s.Cluster
	c.intRange("cluster.nodes", int64(cl.Nodes), 1, 10_000)
	c.intRange("cluster.cores_per_node", int64(cl.CoresPerNode), 1, 4096)
	c.positive("cluster.cpu_ghz", cl.CPUGHz)
	c.positive("cluster.link_gbps", cl.LinkGbps)
	c.durMin("cluster.link_delay", cl.LinkDelay, 0)
	c.intRange("cluster.mtu", int64(cl.MTU), MinMTU, MaxMTU)
	c.intRange("cluster.frame_overhead", int64(cl.FrameOverhead), 0, 1000)
	c.intMin("cluster.qdisc_packets", int64(cl.QdiscPackets), 1)
	if _, err := network.ParseNICOffloads(cl.NICOffloads); err != nil {
		c.fail("cluster.nic_offloads", "%s", strings.TrimPrefix(err.Error(), "cluster.nic_offloads: "))
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
	c.intMin("cni.policy_rules", int64(cn.PolicyRules), 0)
	c.durMin("cni.setup_delay", cn.SetupDelay, 0)

	c.oneOf("tcp.congestion", s.TCP.Congestion, Congestions)
	c.oneOf("tcp.syn_schedule", s.TCP.SynSchedule, SynSchedules)
	// 4096 is the minimum of tcp_rmem and tcp_wmem (ip-sysctl.rst).
	c.intMin("tcp.rmem", int64(s.TCP.Rmem), 4096)
	c.intMin("tcp.wmem", int64(s.TCP.Wmem), 4096)
	c.intRange("tcp.ack_every", int64(s.TCP.AckEvery), 1, tcp.MaxAckEvery)

	if strings.TrimSpace(s.Calibration.Profile) == "" {
		c.fail("calibration.profile", "must name a built-in profile or a profile file")
	}
	for _, k := range datapath.Kinds() {
		if v, ok := s.Calibration.Cycles[k.String()]; ok {
			c.nonNegative(cyclesTable+"."+k.String(), v)
		}
	}

	w := &s.Workload
	c.oneOf("workload.kind", w.Kind, Kinds)
	c.oneOf("workload.placement", w.Placement, Placements)
	if w.Placement == "inter" && cl.Nodes < 2 && w.Kind != "pod_launch" {
		c.fail("workload.placement", "needs cluster.nodes >= 2 (it is %d)", cl.Nodes)
	}
	c.intRange("workload.streams", int64(w.Streams), 1, 10_000)
	c.nonNegative("workload.rate_mbps", w.RateMbps)
	c.intRange("workload.message_bytes", int64(w.MessageBytes), 0, 1<<30)
	c.intRange("workload.write_bytes", int64(w.WriteBytes), 0, 1<<30)
	c.intRange("workload.read_bytes", int64(w.ReadBytes), 0, 1<<30)
	c.intMin("workload.file_bytes", w.FileBytes, 1)
	c.oneOf("workload.client", w.Client, Clients)
	c.intRange("workload.threads", int64(w.Threads), 1, 10_000)
	c.intRange("workload.connections", int64(w.Connections), 1, 1_000_000)
	if w.Kind == "http_load" && w.Connections < w.Threads {
		// wrk refuses this too: each thread needs a connection.
		c.fail("workload.connections", "must be >= workload.threads (%d)", w.Threads)
	}
	c.intRange("workload.pods", int64(w.Pods), 1, 1_000_000)
	if _, err := ParseArrival(w.Arrival); err != nil {
		c.fail("workload.arrival", "%v", err)
	}
	c.intRange("workload.server.cores", int64(w.Server.Cores), 1, 4096)
	c.nonNegative("workload.server.cycles_per_request", w.Server.CyclesPerRequest)
	c.nonNegative("workload.server.cycles_per_byte", w.Server.CyclesPerByte)
	c.service(s)
	return c.errs
}

// ParseArrival reads workload.arrival: "burst" (rate 0: every pod at
// once) or a rate "N/s" with N > 0 pods per second.
func ParseArrival(s string) (perSecond float64, err error) {
	if s == "burst" {
		return 0, nil
	}
	num, ok := strings.CutSuffix(s, "/s")
	if ok {
		r, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err == nil && r > 0 && !math.IsInf(r, 0) {
			return r, nil
		}
	}
	return 0, fmt.Errorf(`want "burst" or a rate such as "10/s" (pods per second, > 0)`)
}
