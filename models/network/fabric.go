package network

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/cnisim/cnisim/internal/field"
	"github.com/cnisim/cnisim/sim"
)

// FabricKind is the switched fabric between the nodes (DESIGN 4, [fabric]).
type FabricKind uint8

const (
	// FabricNone: each node's link ends at the destination node (an ideal
	// non-blocking crossbar with no queue): the two-node testbed of every
	// existing scenario, and the zero value.
	FabricNone FabricKind = iota
	// FabricSwitch: one top-of-rack switch, a port of LinkGbps per node.
	FabricSwitch
	// FabricLeafSpine: leaves of NodesPerLeaf nodes, each leaf linked to
	// every spine at UplinkGbps; ECMP over the spines (ecmp.go).
	FabricLeafSpine
)

// FabricKinds are the names of the kinds, in FabricKind order.
var FabricKinds = []string{"none", "switch", "leaf-spine"}

func (k FabricKind) String() string {
	if int(k) < len(FabricKinds) {
		return FabricKinds[k]
	}
	return fmt.Sprintf("FabricKind(%d)", k)
}

// ParseFabricKind reads a kind name.
func ParseFabricKind(s string) (FabricKind, error) {
	for i, n := range FabricKinds {
		if s == n {
			return FabricKind(i), nil
		}
	}
	return 0, field.Errorf("network.Fabric.Kind", s, "allowed %s", strings.Join(FabricKinds, ", "))
}

// Fabric describes the switches (Config.Fabric). Every switch port is a
// store-and-forward FIFO at its link's rate with drop-tail admission
// against a buffer in bytes (port.go); a frame is forwarded once it has
// fully arrived plus PerHop.
type Fabric struct {
	Kind FabricKind
	// Leaf-spine: Leaves x NodesPerLeaf = Config.Nodes; node i hangs off
	// leaf i / NodesPerLeaf; every leaf has one link of UplinkGbps to
	// each of the Spines.
	Leaves, Spines, NodesPerLeaf int
	UplinkGbps                   float64
	// PerHop is a switch's latency beyond store-and-forward (lookup,
	// crossbar): added once per switch crossed.
	PerHop sim.Time
	// BufferBytes is each switch's packet buffer. Shared (the default):
	// any egress port may fill all of it (complete sharing); PerPort:
	// split evenly over the switch's egress ports (static partitioning);
	// Alpha > 0 (shared only): a port may hold at most Alpha times the
	// buffer still free (dynamic thresholds, Choudhury and Hahne,
	// IEEE/ACM ToN 6(2), 1998, as shared-buffer switch ASICs do), so one
	// congested port keeps Alpha/(1+Alpha) of the buffer and leaves the
	// rest to the others.
	BufferBytes int64
	PerPort     bool
	Alpha       float64
	// ECNThreshold, when > 0, is every port's ECN marking threshold K in
	// bytes: a frame of an ECN-capable packet that arrives while the
	// port's queue holds more than K bytes is marked CE instead of
	// waiting for a drop (step marking on the instantaneous queue, as
	// DCTCP's switches are set up: Alizadeh et al., SIGCOMM 2010, 3.1).
	// Other packets are queued or dropped as without it.
	ECNThreshold int64
	// ECNMax, when > ECNThreshold, makes the marking a ramp (WRED with
	// ECN on the instantaneous queue, as datacenter switch ASICs offer
	// it, e.g. SONiC's WRED profiles): a frame arriving at a queue of q
	// bytes in (ECNThreshold, ECNMax) is marked with probability
	// ECNMaxProb x (q - ECNThreshold) / (ECNMax - ECNThreshold), each
	// frame drawn alone (no RED count spacing), and every frame at a
	// queue of ECNMax or more is marked (as Linux's RED without
	// harddrop). 0: step marking at ECNThreshold.
	ECNMax     int64
	ECNMaxProb float64
	// DropNotECT makes the ports drop, where they would mark an
	// ECN-capable packet, one that is not (RED's early drop, RFC 7567:
	// an AQM drops what it cannot mark); false: such packets pass the
	// marking point and only a full buffer drops them.
	DropNotECT bool
	// StatsFrom starts the window of the port statistics (PortStats: the
	// warm-up is deleted); conservation counts cover the whole run.
	StatsFrom sim.Time
	// Failed are leaf-spine links that are down, both directions, for
	// the whole run (a spine out for maintenance is its Leaves links). A
	// leaf hashes a packet over the spines that reach the destination's
	// leaf by live links only: a spine that loses its link to a leaf
	// withdraws that leaf's routes, and the other leaves' ECMP groups for
	// it shrink (BGP in a Clos, RFC 7938 section 5.2; with plain, not
	// resilient, hashing every flow is hashed again over what is left).
	Failed []FabricLink
	// FailAt is when the Failed links go down (0: before the run, as if
	// never up). A leaf stops hashing onto its own failed links at once
	// (loss of signal); the other leaves go on hashing onto a spine that
	// lost its link to the destination's leaf, which drops those packets,
	// until Convergence later (the routing protocol's withdrawal). Frames
	// on a link or queued for it when it fails are lost.
	FailAt, Convergence sim.Time
	// RecoverAt, when > 0, is when the Failed links come back up (the
	// end of a maintenance window, a repaired optic): from then on they
	// carry what is sent to them, and Convergence later (the BGP
	// sessions re-established, the routes advertised again) every leaf
	// hashes over all the spines again. Nothing is lost; with plain
	// hashing every flow is hashed again, with resilient hashing only
	// the flows that had moved go back. Later than FailAt + Convergence.
	RecoverAt sim.Time
	// FlapEvery, when > 0, repeats the failure and the recovery every
	// FlapEvery (a flapping optic or link): the Failed links go down again
	// at FailAt + k x FlapEvery and come back at RecoverAt + k x
	// FlapEvery, each time with its Convergence, until the run ends. It
	// needs FailAt > 0 and RecoverAt, and is longer than RecoverAt +
	// Convergence - FailAt, so that each cycle's routes are back before
	// the next failure.
	FlapEvery sim.Time
	// Resilient: a failure moves only the flows of the failed paths
	// (resilient ECMP); otherwise every flow is hashed again over the
	// spines left (plain ECMP, the modulo of a next-hop group).
	Resilient bool
	// Slow are leaf-spine links running below UplinkGbps, both directions,
	// for the whole run (a link negotiated at a lower speed, a bundle
	// with members down): ECMP, blind to speed, hashes onto them as onto
	// the others.
	Slow []SlowLink
	// Lossy are leaf-spine links that lose each frame, both directions,
	// with a probability (a bad optic or cable: a gray failure the routing
	// never sees), drawn from the replication's stream "fabric-loss".
	Lossy []LossyLink
}

// validate checks the fabric against the cluster.
func (f Fabric) validate(c Config) error {
	switch f.Kind {
	case FabricNone:
		return nil
	case FabricSwitch, FabricLeafSpine:
	default:
		return field.Errorf("network.Fabric.Kind", f.Kind, "allowed %s", strings.Join(FabricKinds, ", "))
	}
	if f.FailAt < 0 || f.Convergence < 0 {
		return field.Errorf("network.Fabric.FailAt", f.FailAt, "must be >= 0, and Convergence (%v) too", f.Convergence)
	}
	if f.FlapEvery < 0 || f.FlapEvery > 0 && (f.FailAt == 0 || f.RecoverAt == 0 || f.FlapEvery <= f.RecoverAt+f.Convergence-f.FailAt) {
		return field.Errorf("network.Fabric.FlapEvery", f.FlapEvery, "must be 0 (once), or with FailAt > 0 and RecoverAt > 0 longer than RecoverAt + Convergence - FailAt (%v + %v - %v)", f.RecoverAt, f.Convergence, f.FailAt)
	}
	if f.RecoverAt != 0 && f.RecoverAt <= f.FailAt+f.Convergence {
		return field.Errorf("network.Fabric.RecoverAt", f.RecoverAt, "must be 0 (never) or later than FailAt + Convergence = %v + %v (the routes withdrawn first)", f.FailAt, f.Convergence)
	}
	if f.PerHop < 0 {
		return field.Errorf("network.Fabric.PerHop", f.PerHop, "must be >= 0")
	}
	if !(f.Alpha >= 0 && f.Alpha <= 1e6) || f.Alpha > 0 && f.PerPort {
		return field.Errorf("network.Fabric.Alpha", f.Alpha, "must be >= 0 (0: complete sharing), and 0 with per-port buffers")
	}
	if f.StatsFrom < 0 {
		return field.Errorf("network.Fabric.StatsFrom", f.StatsFrom, "must be >= 0")
	}
	if f.ECNThreshold < 0 || f.ECNThreshold > f.BufferBytes {
		return field.Errorf("network.Fabric.ECNThreshold", f.ECNThreshold, "must be in [0, the buffer's %d bytes] (0: no marking)", f.BufferBytes)
	}
	if f.ECNMax != 0 && (f.ECNThreshold == 0 || f.ECNMax <= f.ECNThreshold || f.ECNMax > f.BufferBytes) {
		return field.Errorf("network.Fabric.ECNMax", f.ECNMax, "must be 0 (step marking) or in (ECNThreshold = %d, the buffer's %d bytes]", f.ECNThreshold, f.BufferBytes)
	}
	if f.ECNMax != 0 && !(f.ECNMaxProb > 0 && f.ECNMaxProb <= 1) {
		return field.Errorf("network.Fabric.ECNMaxProb", f.ECNMaxProb, "must be in (0, 1] with a marking ramp (ECNMax %d)", f.ECNMax)
	}
	if f.DropNotECT && f.ECNThreshold == 0 {
		return field.Errorf("network.Fabric.DropNotECT", f.DropNotECT, "needs a marking threshold (ECNThreshold > 0): it drops where the ports would mark")
	}
	if f.Kind == FabricLeafSpine {
		switch {
		case f.Leaves < 1:
			return field.Errorf("network.Fabric.Leaves", f.Leaves, "must be >= 1")
		case f.Spines < 1:
			return field.Errorf("network.Fabric.Spines", f.Spines, "must be >= 1")
		case f.NodesPerLeaf < 1:
			return field.Errorf("network.Fabric.NodesPerLeaf", f.NodesPerLeaf, "must be >= 1")
		case f.Leaves*f.NodesPerLeaf != c.Nodes:
			return field.Errorf("network.Config.Nodes", c.Nodes, "must equal the leaves x nodes per leaf = %d x %d = %d",
				f.Leaves, f.NodesPerLeaf, f.Leaves*f.NodesPerLeaf)
		case !(f.UplinkGbps > 0):
			return field.Errorf("network.Fabric.UplinkGbps", f.UplinkGbps, "must be > 0")
		}
	}
	if len(f.Failed) > 0 {
		if err := f.CheckFailed(); err != nil {
			return field.Errorf("network.Fabric.Failed", f.Failed, "%v", err)
		}
	}
	if len(f.Slow) > 0 {
		if err := f.CheckSlow(); err != nil {
			return field.Errorf("network.Fabric.Slow", f.Slow, "%v", err)
		}
	}
	if len(f.Lossy) > 0 {
		if err := f.CheckLossy(); err != nil {
			return field.Errorf("network.Fabric.Lossy", f.Lossy, "%v", err)
		}
	}
	// the smallest share of a buffer must hold one full-sized frame
	share, ports := f.BufferBytes, int64(f.maxPorts(c))
	if f.PerPort {
		share /= ports
	}
	if frame := int64(c.MTU + c.FrameOverhead); share < frame {
		what := ""
		if f.PerPort {
			what = fmt.Sprintf(" (a share of %d bytes over %d ports, per-port buffers)", share, ports)
		}
		return field.Errorf("network.Fabric.BufferBytes", f.BufferBytes, "must hold a full-sized frame of %d bytes (MTU + frame overhead)%s", frame, what)
	}
	return nil
}

// Ports is how many egress ports the fabric has over a cluster of nodes
// (buildFabric's layout): one toward each node, and in a leaf-spine one
// each way between every leaf and every spine.
func (f Fabric) Ports(nodes int) int {
	switch f.Kind {
	case FabricSwitch:
		return nodes
	case FabricLeafSpine:
		return f.Leaves*(f.NodesPerLeaf+f.Spines) + f.Spines*f.Leaves
	}
	return 0
}

// maxPorts is the most egress ports one switch has.
func (f Fabric) maxPorts(c Config) int {
	if f.Kind == FabricLeafSpine {
		return max(f.NodesPerLeaf+f.Spines, f.Leaves)
	}
	return c.Nodes
}

// Tier says where a port sends.
type Tier uint8

const (
	TierToNode  Tier = iota // a ToR's or leaf's port down to a node
	TierToSpine             // a leaf's uplink to a spine
	TierToLeaf              // a spine's port down to a leaf
	NumTiers
)

// Tiers are the tiers' names, in Tier order (metric group members).
var Tiers = [NumTiers]string{"to_node", "to_spine", "to_leaf"}

// switchBuf is one switch's packet buffer.
type switchBuf struct {
	limit int64 // bytes one port may hold (per-port), or the whole switch (shared)
	used  int64 // shared: bytes held by its ports, not yet retired (>= the exact)
	first int32 // its ports: [first, first+n)
	n     int32
}

// fabric is the built topology: ports and switches, in index order.
type fabric struct {
	cfg      Fabric
	ports    []port
	switches []switchBuf
	shared   bool
	alpha    float64 // dynamic thresholds (shared only)
	// leaf-spine indexing (port indices of the layout in build)
	perLeaf int // ports per leaf: NodesPerLeaf down, then Spines up
	// down[l*Spines+s]: the link between leaf l and spine s fails (nil:
	// none does); view is what the leaves know of it (viewNone before
	// Fabric.FailAt, viewLocal until the routes converge, then viewAll;
	// viewNone again once recovered links' routes are back)
	down []bool
	view uint8
	// failedSince is when the Failed links last went down (0: before the
	// run); the ports' statistics report a link failed for the whole
	// window only if it went down before the window began
	failedSince sim.Time
	// lossRNG draws the lossy links' losses (nil: none is lossy)
	lossRNG *rand.Rand
	// markRNG draws the marking ramp's marks (nil: step marking)
	markRNG *rand.Rand
}

// What the leaves' ECMP groups exclude.
const (
	viewNone  = iota // nothing has failed yet
	viewLocal        // each leaf its own failed links
	viewAll          // every spine that cannot reach the destination's leaf
)

// buildFabric lays out the switches and ports:
//   - switch: switch 0, port i down to node i;
//   - leaf-spine: leaf l is switch l with ports l*(N+S)+j down to node
//     l*N+j (j < N) and l*(N+S)+N+s up to spine s; spine s is switch L+s
//     with port L*(N+S)+s*L+l down to leaf l.
func buildFabric(c Config) *fabric {
	f := c.Fabric
	fb := &fabric{cfg: f, shared: !f.PerPort, alpha: f.Alpha, ports: make([]port, 0, f.Ports(c.Nodes))}
	D := c.LinkDelay
	add := func(sw int, tier Tier, gbps float64, delay sim.Time, node int) {
		fb.ports = append(fb.ports, port{
			sw: int32(sw), tier: tier, psPerByte: 8000 / gbps, delay: delay, node: int32(node), index: int32(len(fb.ports)), spine: -1,
		})
		fb.switches[sw].n++
	}
	newSwitch := func() {
		fb.switches = append(fb.switches, switchBuf{first: int32(len(fb.ports))})
	}
	switch f.Kind {
	case FabricSwitch:
		newSwitch()
		for i := 0; i < c.Nodes; i++ {
			add(0, TierToNode, c.LinkGbps, D, i)
		}
	case FabricLeafSpine:
		N, S, L := f.NodesPerLeaf, f.Spines, f.Leaves
		fb.perLeaf = N + S
		for l := 0; l < L; l++ {
			newSwitch()
			for j := 0; j < N; j++ {
				add(l, TierToNode, c.LinkGbps, D, l*N+j)
			}
			for s := 0; s < S; s++ {
				add(l, TierToSpine, f.UplinkGbps, D+f.PerHop, -1)
				fb.ports[len(fb.ports)-1].spine = int32(s)
			}
		}
		for s := 0; s < S; s++ {
			newSwitch()
			for l := 0; l < L; l++ {
				add(L+s, TierToLeaf, f.UplinkGbps, D+f.PerHop, -1)
			}
		}
	}
	for i := range fb.switches {
		sw := &fb.switches[i]
		sw.limit = f.BufferBytes
		if f.PerPort {
			sw.limit = f.BufferBytes / int64(sw.n)
		}
	}
	for i := range fb.ports {
		fb.ports[i].windowStart = f.StatsFrom
	}
	if f.ECNMax > 0 {
		fb.markRNG = c.Streams.Stream("fabric-mark")
	}
	for _, ll := range f.Lossy {
		for _, i := range fb.linkPorts(ll.FabricLink) {
			fb.ports[i].loss = ll.Loss
		}
		fb.lossRNG = c.Streams.Stream("fabric-loss")
	}
	for _, sl := range f.Slow {
		for _, i := range fb.linkPorts(sl.FabricLink) {
			fb.ports[i].psPerByte = 8000 / sl.Gbps
		}
	}
	if len(f.Failed) > 0 {
		fb.down = make([]bool, f.Leaves*f.Spines)
		for _, l := range f.Failed {
			fb.down[l.Leaf*f.Spines+l.Spine] = true
		}
		if f.FailAt == 0 {
			fb.fail(true)
			fb.view = viewAll
		}
	}
	return fb
}

// linkPorts are the two ports of a leaf-spine link: the leaf's uplink to
// the spine, and the spine's port down to the leaf.
func (fb *fabric) linkPorts(l FabricLink) [2]int {
	N, L := fb.cfg.NodesPerLeaf, fb.cfg.Leaves
	return [2]int{l.Leaf*fb.perLeaf + N + l.Spine, L*fb.perLeaf + l.Spine*L + l.Leaf}
}

// fail takes the Failed links' ports down (up again: down false).
func (fb *fabric) fail(down bool) {
	for _, l := range fb.cfg.Failed {
		for _, i := range fb.linkPorts(l) {
			fb.ports[i].failed = down
		}
	}
}

// hops returns the egress ports a packet from node src to node dst
// crosses, choosing the spine by the ECMP hash h (ecmp.go).
func (fb *fabric) hops(src, dst int, h uint64) []int32 {
	switch fb.cfg.Kind {
	case FabricSwitch:
		return []int32{int32(dst)}
	case FabricLeafSpine:
		N, S := fb.cfg.NodesPerLeaf, fb.cfg.Spines
		ls, ld := src/N, dst/N
		down := int32(ld*fb.perLeaf + dst%N)
		if ls == ld {
			return []int32{down}
		}
		s := int(h % uint64(S))
		if fb.view != viewNone {
			s = fb.liveSpine(ls, ld, h)
		}
		up, spine := fb.linkPorts(FabricLink{ls, s})[0], fb.linkPorts(FabricLink{ld, s})[1]
		return []int32{int32(up), int32(spine), down}
	}
	return nil
}

// PortName names port i for results: "tor.node3", "leaf0.node5",
// "leaf0.spine1", "spine1.leaf0".
func (fb *fabric) portName(i int) string {
	p := &fb.ports[i]
	f := fb.cfg
	switch {
	case f.Kind == FabricSwitch:
		return fmt.Sprintf("tor.node%d", p.node)
	case p.tier == TierToNode:
		return fmt.Sprintf("leaf%d.node%d", p.sw, p.node)
	case p.tier == TierToSpine:
		return fmt.Sprintf("leaf%d.spine%d", p.sw, (i-int(p.sw)*fb.perLeaf)-f.NodesPerLeaf)
	default:
		s := int(p.sw) - f.Leaves
		return fmt.Sprintf("spine%d.leaf%d", s, i-f.Leaves*fb.perLeaf-s*f.Leaves)
	}
}

// Spine is the spine the route's packets cross now (the ECMP hash's
// choice over the live spines), or -1: no leaf-spine, or both ends on
// one leaf.
func (r *Route) Spine() int {
	if len(r.hops) != 3 {
		return -1
	}
	return int(r.net.fab.ports[r.hops[0]].spine)
}

// Hops returns the links a route's packets cross: 1 node to node without
// a fabric, one more per switch, 0 for an intra-host route.
func (r *Route) Hops() int {
	if !r.wired {
		return 0
	}
	return len(r.hops) + 1
}
