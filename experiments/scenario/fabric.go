package scenario

import (
	"time"

	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// Fabric is the [fabric] table: the switches between the nodes
// (models/network fabric.go). Kind "none" keeps each node's link ending
// at its peer, as every scenario before the table did.
type Fabric struct {
	Kind string `toml:"kind"` // none | switch | leaf-spine
	// leaf-spine: Leaves leaves of NodesPerLeaf nodes (0: cluster.nodes /
	// leaves), each with one uplink to every one of the Spines.
	Leaves       int `toml:"leaves"`
	Spines       int `toml:"spines"`
	NodesPerLeaf int `toml:"nodes_per_leaf"`
	// UplinkGbps or Oversubscription (at most one; neither: 1, a
	// non-blocking fabric): a leaf's host capacity (nodes_per_leaf x
	// cluster.link_gbps) over its uplink capacity (spines x uplink_gbps).
	UplinkGbps       float64 `toml:"uplink_gbps"`
	Oversubscription float64 `toml:"oversubscription"`
	// PerHop is a switch's latency beyond store-and-forward, per switch
	// (at most MaxDuration like every duration key: a packet crossing
	// three switches and four links at the bounds takes 49 days of
	// simulated time, still half the clock's range: bounds.go).
	PerHop      time.Duration `toml:"per_hop"`
	BufferBytes int64         `toml:"buffer_bytes"` // per switch
	// Buffer: dynamic (a port may hold BufferAlpha x the free buffer),
	// shared (complete sharing) or per-port (split evenly).
	Buffer      string  `toml:"buffer"`
	BufferAlpha float64 `toml:"buffer_alpha"`
	// ECNThresholdBytes marks CE on ECN-capable packets (tcp.congestion =
	// "dctcp", or tcp.ecn) arriving at a port holding more than this many bytes (0:
	// no marking; at most buffer_bytes).
	ECNThresholdBytes int64 `toml:"ecn_threshold_bytes"`
	// ECNMaxBytes, when set (above ecn_threshold_bytes, at most
	// buffer_bytes), makes the marking a WRED ramp on the instantaneous
	// queue: from probability 0 at ecn_threshold_bytes up to
	// ECNMaxProbability at ECNMaxBytes, every packet beyond it (0: step
	// marking at ecn_threshold_bytes, DCTCP's).
	ECNMaxBytes       int64   `toml:"ecn_max_bytes"`
	ECNMaxProbability float64 `toml:"ecn_max_probability"`
	// DropNotECT drops, where the ports would mark an ECN-capable packet,
	// one that is not (RED's early drop, RFC 7567), instead of letting it
	// queue until the buffer is full. Needs ecn_threshold_bytes.
	DropNotECT bool `toml:"drop_not_ect"`
	// FailedSpines takes the last N spines down (every link of spines
	// spines-N..spines-1) and FailedLinks the leaf-spine links it names
	// ("leaf0.spine1, spine2.leaf3", as the port metrics name their
	// ports), for the whole run: a leaf hashes flows over the spines that
	// both ends still reach (leaf-spine only).
	FailedSpines int    `toml:"failed_spines"`
	FailedLinks  string `toml:"failed_links"`
	// FailAt is when they fail (0: before the run). A leaf stops using
	// its own failed links at once; the others go on sending through a
	// spine that lost its link to the destination's leaf, which drops the
	// packets, for Convergence (the routing protocol's withdrawal: about
	// 3 x the BFD interval, or BGP's hold time of at least 3 s without
	// BFD, RFC 4271 4.2 as RFC 9384 restates it).
	FailAt      time.Duration `toml:"fail_at"`
	Convergence time.Duration `toml:"convergence"`
	// RecoverAt brings them back up (0: never): they carry again at once,
	// and every leaf hashes over them again Convergence later (the
	// sessions re-established, the routes advertised). Later than
	// FailAt + Convergence.
	RecoverAt time.Duration `toml:"recover_at"`
	// FlapEvery repeats the failure and the repair every FlapEvery (0:
	// once): a flapping link or optic. The links fail again at fail_at +
	// k x flap_every and come back at recover_at + k x flap_every, each
	// time with its convergence, until the run ends. Needs fail_at > 0 and
	// recover_at, and is longer than recover_at + convergence - fail_at.
	FlapEvery time.Duration `toml:"flap_every"`
	// SlowLinks are leaf-spine links at another rate than the uplinks',
	// "leaf0.spine1=10, spine2.leaf3=2.5" (Gbit/s, both directions, the
	// whole run): a link negotiated down, a bundle with members down.
	// ECMP hashes onto them as onto the others.
	SlowLinks string `toml:"slow_links"`
	// LossyLinks lose each frame with a probability, "leaf0.spine1=0.001"
	// (both directions, the whole run): a bad optic or cable, a gray
	// failure the routing never sees.
	LossyLinks string `toml:"lossy_links"`
	// ECMP is how a failure re-hashes flows: plain (every flow over the
	// spines left, the modulo of a next-hop group) or resilient (only the
	// flows of the failed paths move).
	ECMP string `toml:"ecmp"`
}

// Allowed values of the fabric's enumerated keys.
var (
	FabricKinds   = network.FabricKinds
	FabricBuffers = []string{"dynamic", "shared", "per-port"}
	FabricECMPs   = []string{"plain", "resilient"}
)

// Bounds of the fabric's keys (assumed, like bounds.go's: they refuse
// typos, not real fabrics). MaxFabricSwitches bounds leaves and spines;
// MaxFabricPorts the switch ports, leaves x (nodes_per_leaf + 2 spines),
// which size the port tables (a port is about 250 bytes: 25 MB).
const (
	MaxFabricSwitches    = 10_000
	MaxFabricPorts       = 100_000
	MinOversubscription  = 0.01
	MaxOversubscription  = 1000
	MaxFabricBufferBytes = 1 << 40
	MinBufferAlpha       = 1.0 / 64
	MaxBufferAlpha       = 64
	// MinMarkProbability: a ramp topping out lower marks too few packets
	// in a run to matter; it is more likely a percentage typed as 0.
	MinMarkProbability = 1e-4
)

// DefaultFabric is the [fabric] table's defaults.
func DefaultFabric() Fabric {
	return Fabric{
		Kind:   "none",
		Leaves: 2,
		Spines: 2,
		// Assumed: 12 MB is the shared packet buffer of a Broadcom
		// Trident II-class 10/40 GbE ToR (DESIGN 4's example); set the
		// buffer of the switch planned for.
		BufferBytes: 12_000_000,
		// Dynamic thresholds (Choudhury and Hahne, IEEE/ACM ToN 6(2),
		// 1998), the shared-buffer ASICs' scheme; alpha assumed 1: a
		// port congested alone may hold half the buffer (vendors make it
		// a per-port setting, in powers of two).
		Buffer:      "dynamic",
		BufferAlpha: 1,
		ECMP:        "plain",
		// Assumed: the ramp's top marks every packet; SONiC's WRED
		// profiles set it (green_drop_probability, often 5-10%).
		ECNMaxProbability: 1,
		// PerHop 0 (assumed): only serialisation and propagation, which
		// are modelled; a switch's own latency is the datasheet's to
		// give (fabric.per_hop).
	}
}

// fabric checks the [fabric] table against the cluster.
func (c *check) fabric(s *Scenario) {
	f := &s.Fabric
	cl := &s.Cluster
	c.oneOf("fabric.kind", f.Kind, FabricKinds)
	c.oneOf("fabric.buffer", f.Buffer, FabricBuffers)
	c.oneOf("fabric.ecmp", f.ECMP, FabricECMPs)
	c.intRange("fabric.leaves", int64(f.Leaves), 1, MaxFabricSwitches)
	c.intRange("fabric.spines", int64(f.Spines), 1, MaxFabricSwitches)
	c.intRange("fabric.nodes_per_leaf", int64(f.NodesPerLeaf), 0, MaxFabricPorts)
	if f.UplinkGbps != 0 {
		c.floatRange("fabric.uplink_gbps", f.UplinkGbps, MinLinkGbps, MaxLinkGbps)
	}
	if f.Oversubscription != 0 {
		c.floatRange("fabric.oversubscription", f.Oversubscription, MinOversubscription, MaxOversubscription)
	}
	c.durMin("fabric.per_hop", f.PerHop, 0)
	c.floatRange("fabric.buffer_alpha", f.BufferAlpha, MinBufferAlpha, MaxBufferAlpha)
	frame := int64(cl.MTU + cl.FrameOverhead)
	c.intRange("fabric.buffer_bytes", f.BufferBytes, 1, MaxFabricBufferBytes)
	c.intRange("fabric.ecn_threshold_bytes", f.ECNThresholdBytes, 0, max(f.BufferBytes, 0))
	c.intRange("fabric.ecn_max_bytes", f.ECNMaxBytes, 0, max(f.BufferBytes, 0))
	c.floatRange("fabric.ecn_max_probability", f.ECNMaxProbability, MinMarkProbability, 1)
	if f.ECNMaxBytes != 0 && f.ECNMaxBytes <= f.ECNThresholdBytes {
		c.fail("fabric.ecn_max_bytes", "must be 0 (step marking) or above fabric.ecn_threshold_bytes = %d: the ramp runs from the threshold to it", f.ECNThresholdBytes)
	}
	if f.DropNotECT && f.ECNThresholdBytes == 0 {
		c.fail("fabric.drop_not_ect", "needs fabric.ecn_threshold_bytes > 0: it drops where the ports would mark")
	}
	c.intRange("fabric.failed_spines", int64(f.FailedSpines), 0, MaxFabricSwitches)
	c.durMin("fabric.fail_at", f.FailAt, 0)
	c.durMin("fabric.convergence", f.Convergence, 0)
	c.durMin("fabric.recover_at", f.RecoverAt, 0)
	if f.FailAt > 0 && s.Duration > 0 && f.FailAt >= s.Duration && (f.FailedSpines != 0 || f.FailedLinks != "") {
		c.fail("fabric.fail_at", "must be before the end of the run (duration = %v)", s.Duration)
	}
	if f.RecoverAt != 0 && f.RecoverAt <= f.FailAt+f.Convergence {
		c.fail("fabric.recover_at", "must be 0 (never) or later than fail_at + convergence = %v (the routes withdrawn first)", f.FailAt+f.Convergence)
	}
	c.durMin("fabric.flap_every", f.FlapEvery, 0)
	switch cycle := f.RecoverAt + f.Convergence - f.FailAt; {
	case f.FlapEvery > 0 && (f.FailAt == 0 || f.RecoverAt == 0):
		c.fail("fabric.flap_every", "needs fabric.fail_at > 0 and fabric.recover_at > 0: it repeats that failure and repair")
	case f.FlapEvery > 0 && f.FlapEvery <= cycle:
		c.fail("fabric.flap_every", "must be longer than recover_at + convergence - fail_at = %v, so that each cycle's routes are back before the next failure", cycle)
	}
	links, linksErr := network.ParseFabricLinks(f.FailedLinks)
	if linksErr != nil {
		c.fail("fabric.failed_links", "%v", linksErr)
	}
	_, slowErr := network.ParseSlowLinks(f.SlowLinks)
	if slowErr != nil {
		c.fail("fabric.slow_links", "%v", slowErr)
	}
	_, lossyErr := network.ParseLossyLinks(f.LossyLinks)
	if lossyErr != nil {
		c.fail("fabric.lossy_links", "%v", lossyErr)
	}
	if f.Kind == "none" || f.BufferBytes < 1 || f.BufferBytes > MaxFabricBufferBytes {
		return
	}
	if f.BufferBytes < frame {
		c.fail("fabric.buffer_bytes", "must hold a full-sized frame of %d bytes (cluster.mtu + cluster.frame_overhead)", frame)
	}
	if f.Buffer == "per-port" && f.Kind == "switch" && cl.Nodes > 0 && f.BufferBytes/int64(cl.Nodes) < frame {
		c.fail("fabric.buffer_bytes", "per-port buffers: %d bytes over the switch's %d ports leave less than a full-sized frame of %d bytes", f.BufferBytes, cl.Nodes, frame)
	}
	if f.Kind != "leaf-spine" || f.Leaves < 1 || f.Spines < 1 || f.Leaves > MaxFabricSwitches || f.Spines > MaxFabricSwitches {
		return
	}
	if f.UplinkGbps != 0 && f.Oversubscription != 0 {
		c.fail("fabric.oversubscription", "set fabric.uplink_gbps or fabric.oversubscription, not both (uplink_gbps = %s)", fmtNum(f.UplinkGbps))
	}
	if ports := int64(f.Leaves) * (int64(s.nodesPerLeaf()) + 2*int64(f.Spines)); ports > MaxFabricPorts {
		c.fail("fabric.spines", "%d leaves x (%d nodes + 2 x %d spines) = %d switch ports: out of range (allowed: up to %d)",
			f.Leaves, s.nodesPerLeaf(), f.Spines, ports, MaxFabricPorts)
	}
	if f.Buffer == "per-port" {
		ports := int64(max(f.Spines+s.nodesPerLeaf(), f.Leaves))
		if f.BufferBytes/ports < frame {
			c.fail("fabric.buffer_bytes", "per-port buffers: %d bytes over a switch's %d ports leave less than a full-sized frame of %d bytes", f.BufferBytes, ports, frame)
		}
	}
	switch npl := f.NodesPerLeaf; {
	case npl == 0 && cl.Nodes%f.Leaves != 0:
		c.fail("cluster.nodes", "must be a multiple of fabric.leaves (%d) with fabric.nodes_per_leaf = 0 (derived), or set fabric.nodes_per_leaf", f.Leaves)
	case npl != 0 && int64(npl)*int64(f.Leaves) != int64(cl.Nodes):
		c.fail("cluster.nodes", "must equal fabric.leaves x fabric.nodes_per_leaf = %d x %d = %d (or set nodes_per_leaf = 0 to derive it)", f.Leaves, npl, int64(npl)*int64(f.Leaves))
	}
	c.failed(s, links, linksErr == nil)
	if linksErr == nil && f.FailedSpines >= 0 && f.FailedSpines < f.Spines {
		nf := s.FabricConfig()
		if err := nf.CheckSlow(); slowErr == nil && err != nil {
			c.fail("fabric.slow_links", "%v", err)
		}
		if err := nf.CheckLossy(); lossyErr == nil && err != nil {
			c.fail("fabric.lossy_links", "%v", err)
		}
	}
	if f.UplinkGbps == 0 && cl.LinkGbps > 0 {
		if up := s.FabricConfig().UplinkGbps; !(up >= MinLinkGbps && up <= MaxLinkGbps) {
			c.fail("fabric.oversubscription", "gives uplinks of %s Gbit/s (nodes_per_leaf x cluster.link_gbps / (spines x oversubscription)): out of range (allowed: %s..%s)",
				fmtNum(up), fmtNum(MinLinkGbps), fmtNum(MaxLinkGbps))
		}
	}
}

// failed checks the leaf-spine's failed spines and links (parsed, when
// ok): a spine left up, links in range and not on a spine already down,
// and every two leaves still sharing a spine.
func (c *check) failed(s *Scenario, links []network.FabricLink, ok bool) {
	f := &s.Fabric
	if f.FailedSpines < 0 || f.FailedSpines > MaxFabricSwitches {
		return // reported
	}
	if f.FailedSpines >= f.Spines {
		c.fail("fabric.failed_spines", "must be below fabric.spines (%d): one spine at least must stay up", f.Spines)
		return
	}
	if !ok {
		return
	}
	for _, l := range links {
		if l.Spine >= f.Spines-f.FailedSpines && l.Spine < f.Spines {
			c.fail("fabric.failed_links", "%v is a link of spine %d, which fabric.failed_spines = %d already takes down (the last %d of spines 0..%d)",
				l, l.Spine, f.FailedSpines, f.FailedSpines, f.Spines-1)
			return
		}
	}
	if err := s.FabricConfig().CheckFailed(); err != nil {
		key := "fabric.failed_links"
		if len(links) == 0 {
			key = "fabric.failed_spines"
		}
		c.fail(key, "%v", err)
	}
}

// nodesPerLeaf is fabric.nodes_per_leaf, or derived from cluster.nodes.
func (s *Scenario) nodesPerLeaf() int {
	if n := s.Fabric.NodesPerLeaf; n != 0 {
		return n
	}
	return s.Cluster.Nodes / max(s.Fabric.Leaves, 1)
}

// FabricConfig is the [fabric] table as the network takes it (after
// validation): the uplink rate from oversubscription when not given, and
// port statistics from the end of the warm-up.
func (s *Scenario) FabricConfig() network.Fabric {
	f := s.Fabric
	kind, err := network.ParseFabricKind(f.Kind)
	if err != nil || kind == network.FabricNone {
		return network.Fabric{}
	}
	nf := network.Fabric{
		Kind: kind, PerHop: sim.FromDuration(f.PerHop), BufferBytes: f.BufferBytes,
		PerPort: f.Buffer == "per-port", StatsFrom: sim.FromDuration(s.Warmup),
		ECNThreshold: f.ECNThresholdBytes, DropNotECT: f.DropNotECT,
		FailAt: sim.FromDuration(f.FailAt), Convergence: sim.FromDuration(f.Convergence),
		RecoverAt: sim.FromDuration(f.RecoverAt), FlapEvery: sim.FromDuration(f.FlapEvery),
	}
	if f.Buffer == "dynamic" {
		nf.Alpha = f.BufferAlpha
	}
	if f.ECNMaxBytes > 0 {
		nf.ECNMax, nf.ECNMaxProb = f.ECNMaxBytes, f.ECNMaxProbability
	}
	if kind == network.FabricLeafSpine {
		nf.Leaves, nf.Spines, nf.NodesPerLeaf = f.Leaves, f.Spines, s.nodesPerLeaf()
		nf.UplinkGbps = f.UplinkGbps
		if nf.UplinkGbps == 0 {
			o := f.Oversubscription
			if o == 0 {
				o = 1
			}
			nf.UplinkGbps = float64(nf.NodesPerLeaf) * s.Cluster.LinkGbps / (float64(f.Spines) * o)
		}
		for sp := max(f.Spines-f.FailedSpines, 0); sp < f.Spines; sp++ {
			for l := 0; l < f.Leaves; l++ {
				nf.Failed = append(nf.Failed, network.FabricLink{Leaf: l, Spine: sp})
			}
		}
		links, _ := network.ParseFabricLinks(f.FailedLinks) // checked
		nf.Failed = append(nf.Failed, links...)
		nf.Slow, _ = network.ParseSlowLinks(f.SlowLinks)    // checked
		nf.Lossy, _ = network.ParseLossyLinks(f.LossyLinks) // checked
		nf.Resilient = f.ECMP == "resilient"
	}
	return nf
}
