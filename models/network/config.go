package network

import (
	"github.com/cnisim/cnisim/internal/field"

	"github.com/cnisim/cnisim/sim"
)

// Config describes the cluster (DESIGN 3, scenario [cluster]).
type Config struct {
	Nodes         int      // number of nodes (>= 1)
	CoresPerNode  int      // cores per node (>= 1)
	GHz           float64  // core frequency
	LinkGbps      float64  // NIC line rate
	LinkDelay     sim.Time // propagation delay node to peer
	MTU           int      // underlay (NIC) MTU, IP bytes
	FrameOverhead int      // wire bytes per frame beyond the IP packet: 38 Ethernet (18 header+FCS, 20 preamble+IFG), 2 PPP
	QdiscLen      int      // NIC transmit queue limit in packets (Linux txqueuelen default 1000)
	// Qdisc is the NICs' transmit queue: QdiscPFIFO ("" too), a FIFO of
	// QdiscLen packets, or QdiscFQCoDel, Linux's fq_codel (fqcodel.go)
	// with the parameters FQCoDel, QdiscLen unused.
	Qdisc   string
	FQCoDel FQCoDel
	// RxRing bounds the packets waiting for (or in) the receiving RSS core
	// when a packet arrives from the wire: the NIC ring and backlog
	// (assumed 1000, Linux netdev_max_backlog); beyond it packets drop.
	RxRing int
	// RxUsecs is the receive interrupt's moderation delay (ethtool's
	// rx-usecs, a fixed value; 0, the default, interrupts at once): a frame
	// reaching an idle receive queue waits that long for its softirq, so
	// that those arriving meanwhile are polled, and merged by GRO, with it
	// (Node.interrupt). Beside RxRing: advance reads both.
	RxUsecs sim.Time
	// WakeupLatency is how long a reader asleep on an idle core takes to
	// run once data wakes it (the wake-up IPI, the core's exit from idle
	// and the switch in; 0, the default, runs it at once): the copy of the
	// data that woke it starts that much later, and what arrives meanwhile
	// is read by the same call (Route.Recv).
	WakeupLatency sim.Time
	// TimeSlice is how long a reader woken on the core its sender runs on
	// waits for the CPU (the scheduler lets the running sender finish its
	// slice; 0, the default, runs the reader at once): what arrives
	// meanwhile is read by the same call, as a one-CPU Linux stream reads
	// about once a slice (Route.Recv, RouteSpec.SenderShares).
	TimeSlice sim.Time
	// DaemonCore is the core of user-space encapsulation daemons (Daemon
	// context); -1 means the last core.
	DaemonCore int
	// DropOversize makes an outer packet larger than MTU drop (DF set)
	// instead of fragmenting into two frames.
	DropOversize bool
	// CPUJitter is the coefficient of variation of every job's service
	// time on a core (cache misses, interrupts, frequency changes): each
	// job costs its calibrated cycles times a lognormal factor of mean 1
	// (jitter.go). 0, the default, makes every job cost exactly its cycles.
	CPUJitter float64
	// Offloads turns on GSO/TSO and GRO (offload.go): consecutive packets
	// of a flow share one super-packet of up to GSOMaxBytes, whose
	// per-packet stage costs are charged once. Off by default: the
	// paper's cycles are per packet.
	Offloads bool
	// NICOffloads are the offloads the NICs lack (nicoffload.go; zero:
	// none lacking). Only with Offloads.
	NICOffloads NICOffloads
	// GROFrameCycles is, with Offloads, what each frame GRO merges behind
	// a super-packet's head costs the receiving core: the driver's
	// per-frame receive work, GRO's protocol callbacks and the merge, and
	// freeing the merged frame's head (DefaultGROFrameCycles), plus what a
	// tunnel's headers add (datapath.CostedPath.GROFrameExtra); 0 turns
	// both off. The head pays the super-packet's per-packet stage costs
	// instead.
	GROFrameCycles float64
	// GSOSegmentCycles is, with Offloads, what each segment software GSO
	// cuts from a super-packet costs the sending core: skb_segment and
	// the protocols' gso_segment callbacks, the segment's skb allocated
	// and its headers copied (DefaultGSOSegmentCycles). Software GSO cuts
	// where a device on the path cannot carry super-packets
	// (datapath.CostedPath.GSOCut) or the NIC cannot segment them
	// (NICOffloads); it is charged to every segment of a super-packet
	// that is cut (the head's with the first segment behind it), at the
	// first sending segment the cut reaches. 0 turns it off.
	GSOSegmentCycles float64
	// FragmentCycles and ReassembleCycles are what an outer packet over
	// the underlay MTU costs besides its second frame's pass through the
	// outer steps: cutting it into fragments on the sending node
	// (ip_do_fragment) and joining them on the receiving one (ip_defrag),
	// cycles per fragmented packet (frag.go; DefaultFragmentCycles,
	// DefaultReassembleCycles). 0 turns each off.
	FragmentCycles, ReassembleCycles float64
	// RPS is Receive Packet Steering on the receiving nodes (rps_cpus set
	// on every queue): a path that RSS puts on its node pair's core but
	// whose inner flow the kernel's flow dissector reaches (IP-in-IP, GRE:
	// datapath.CostedPath.RSSInner) runs its receiving stack after the
	// NIC's step (and GRO, which the NIC's core still does) on its inner
	// flow's core. RPS's own enqueue and inter-processor interrupt are not
	// charged.
	RPS bool
	// RSSInner: the NICs hash the inner header of the tunnels that allow
	// it (datapath.CostedPath.RSSInner: IP-in-IP and GRE, as mlx5e does),
	// so such paths spread over the receiving cores by flow rather than
	// by node pair. Offloads or not.
	RSSInner bool
	// TBFBurstFrames, when > 0, makes every link a Linux tbf whose bucket
	// holds that many full-sized frames (MTU + FrameOverhead), as the
	// testbed's emulated NICs and switch port (cnisim testbed incast,
	// --burst-frames): a frame leaves, and reaches the next hop a link
	// delay later, as soon as the bucket holds its bytes, not when a
	// store-and-forward port has clocked it out; the bucket refills at
	// the link rate, so a busy link still carries the link rate. The
	// departure is max(arrival, the store-and-forward start less the
	// bucket's room beyond this frame), the fill being the same as a
	// store-and-forward port's busy time (tbfStart). For comparing with
	// such a testbed; a NIC or switch is store-and-forward (0). Not with
	// Offloads.
	TBFBurstFrames int
	// TSQThroughFabric makes a route's queued bytes (Route.TxQueued, what
	// TCP small queues and the UDP send buffer bound) count a packet from
	// its send until it is delivered or dropped, not until it leaves the
	// source's NIC: a fabric emulated in the senders' kernel by veths and
	// a plain bridge (the incast testbed's), where an skb keeps charging
	// its socket's sk_wmem_alloc into the emulated switch's queue
	// (measured: cnisim testbed incast with ss -tinm, skmem t = 2,280
	// bytes per segment not yet received, 2026-12-07, kernel 6.18). A NIC
	// frees the skb when it has sent it, and a routed hop or a bridge
	// whose frames netfilter sees takes it from its socket
	// (calibration/tsq/tsq-orphan.sh): false. Not with Offloads.
	TSQThroughFabric bool
	// TSQOrphan ends a route's queued bytes where Linux takes an skb from
	// its socket: a pod's packets that its node's IP stack receives on
	// their way out (a path with a sending-side ip_rcv step: routed and
	// bridged pods, overlays; not a host-network socket nor a pod whose
	// eBPF datapath redirects past the host stack) stop counting against
	// TCP small queues and the UDP send buffer when they reach the NIC
	// queue, not when they leave it, so nothing but the NIC queue's limit
	// bounds what a pod's stream queues there. ip_rcv_core orphans the
	// skb (measured, calibration/tsq/tsq-orphan.sh and rtt-under-load.sh,
	// kernel 6.18, 2026-12-07). False: every route counts its NIC queue,
	// as a host-network socket does. Not with TSQThroughFabric.
	TSQOrphan bool
	// Fabric is the switched fabric between the nodes (fabric.go); the
	// zero value, FabricNone, is a link from each node to its peer.
	Fabric Fabric
	// Streams seeds the jitter draws (one stream per node); unused when
	// CPUJitter is 0.
	Streams sim.Streams
}

// FQCoDel are fq_codel's parameters (tc-fq_codel(8)); DefaultFQCoDel has
// Linux's.
type FQCoDel struct {
	Target      sim.Time // CoDel's acceptable standing sojourn (target)
	Interval    sim.Time // how long above target before a drop, and the control law's base (interval)
	Limit       int      // skbs the qdisc holds before it drops from the fattest queue (limit)
	ECN         bool     // mark ECN-capable packets CE where CoDel would drop them (ecn)
	CEThreshold sim.Time // mark ECN-capable packets that waited longer, whatever CoDel's state (ce_threshold; 0: off)
}

// DefaultFQCoDel are Linux's fq_codel defaults (fq_codel_init,
// codel_params_init: target 5 ms, interval 100 ms, limit 10 * 1024, ecn
// on, ce_threshold disabled), quoted from net/sched/sch_fq_codel.c.
func DefaultFQCoDel() FQCoDel {
	return FQCoDel{Target: 5 * sim.Millisecond, Interval: 100 * sim.Millisecond, Limit: 10 * 1024, ECN: true}
}

// MaxTBFBurstFrames bounds Config.TBFBurstFrames (the testbed's
// IncastMaxBurst).
const MaxTBFBurstFrames = 16

// MaxFQCoDelLimit bounds FQCoDel.Limit (a million skbs: gigabytes).
const MaxFQCoDelLimit = 1_000_000

// DefaultConfig returns a two-node cluster like the paper's testbed:
// 10 cores at 2.4 GHz, 10 Gbit/s, Ethernet framing, txqueuelen 1000.
func DefaultConfig() Config {
	return Config{
		Nodes: 2, CoresPerNode: 10, GHz: 2.4, LinkGbps: 10, LinkDelay: 5 * sim.Microsecond,
		MTU: 1500, FrameOverhead: 38, QdiscLen: 1000, RxRing: 1000, DaemonCore: -1,
		GROFrameCycles: DefaultGROFrameCycles, GSOSegmentCycles: DefaultGSOSegmentCycles,
		FragmentCycles: DefaultFragmentCycles, ReassembleCycles: DefaultReassembleCycles,
		FQCoDel: DefaultFQCoDel(),
	}
}

// Validate reports the first invalid field, naming the key and the allowed values.
func (c Config) Validate() error {
	switch {
	case c.Nodes < 1:
		return field.Errorf("network.Config.Nodes", c.Nodes, "must be >= 1")
	case c.CoresPerNode < 1:
		return field.Errorf("network.Config.CoresPerNode", c.CoresPerNode, "must be >= 1")
	case !(c.GHz > 0):
		return field.Errorf("network.Config.GHz", c.GHz, "must be > 0")
	case !(c.LinkGbps > 0):
		return field.Errorf("network.Config.LinkGbps", c.LinkGbps, "must be > 0 (use a large value for an infinite link)")
	case c.LinkDelay < 0:
		return field.Errorf("network.Config.LinkDelay", c.LinkDelay, "must be >= 0")
	case c.MTU < 576 || c.MTU > 65535:
		return field.Errorf("network.Config.MTU", c.MTU, "must be in [576, 65535]")
	case c.FrameOverhead < 0:
		return field.Errorf("network.Config.FrameOverhead", c.FrameOverhead, "must be >= 0 (38 Ethernet, 2 PPP)")
	case c.QdiscLen < 1:
		return field.Errorf("network.Config.QdiscLen", c.QdiscLen, "must be >= 1")
	case c.Qdisc != "" && c.Qdisc != QdiscPFIFO && c.Qdisc != QdiscFQCoDel:
		return field.Errorf("network.Config.Qdisc", c.Qdisc, "must be %s or %s", QdiscPFIFO, QdiscFQCoDel)
	case c.Qdisc == QdiscFQCoDel && !(c.FQCoDel.Target >= sim.Microsecond && c.FQCoDel.Target <= sim.Second):
		return field.Errorf("network.FQCoDel.Target", c.FQCoDel.Target, "must be in [1us, 1s]")
	case c.Qdisc == QdiscFQCoDel && !(c.FQCoDel.Interval >= sim.Microsecond && c.FQCoDel.Interval <= 10*sim.Second):
		return field.Errorf("network.FQCoDel.Interval", c.FQCoDel.Interval, "must be in [1us, 10s]")
	case c.Qdisc == QdiscFQCoDel && (c.FQCoDel.Limit < 1 || c.FQCoDel.Limit > MaxFQCoDelLimit):
		return field.Errorf("network.FQCoDel.Limit", c.FQCoDel.Limit, "must be in [1, %d]", MaxFQCoDelLimit)
	case c.Qdisc == QdiscFQCoDel && !(c.FQCoDel.CEThreshold >= 0 && c.FQCoDel.CEThreshold <= sim.Second):
		return field.Errorf("network.FQCoDel.CEThreshold", c.FQCoDel.CEThreshold, "must be in [0, 1s] (0: off)")
	case c.Qdisc == QdiscFQCoDel && c.TBFBurstFrames > 0:
		return field.Errorf("network.Config.Qdisc", c.Qdisc, "must be %s with TBFBurstFrames (the emulated links are a tbf over a FIFO)", QdiscPFIFO)
	case c.RxRing < 1:
		return field.Errorf("network.Config.RxRing", c.RxRing, "must be >= 1")
	case c.RxUsecs < 0 || c.RxUsecs > sim.Second:
		return field.Errorf("network.Config.RxUsecs", c.RxUsecs, "must be in [0, 1s] (receive interrupt moderation)")
	case c.TimeSlice < 0 || c.TimeSlice > sim.Second:
		return field.Errorf("network.Config.TimeSlice", c.TimeSlice, "must be in [0, 1s] (the time slice a reader sharing its sender's core waits)")
	case c.WakeupLatency < 0 || c.WakeupLatency > sim.Second:
		return field.Errorf("network.Config.WakeupLatency", c.WakeupLatency, "must be in [0, 1s] (an idle core's wake-up latency)")
	case !(c.GROFrameCycles >= 0 && c.GROFrameCycles <= 1e6):
		return field.Errorf("network.Config.GROFrameCycles", c.GROFrameCycles, "must be in [0, 1e6] (cycles per frame GRO merges)")
	case !(c.GSOSegmentCycles >= 0 && c.GSOSegmentCycles <= 1e6):
		return field.Errorf("network.Config.GSOSegmentCycles", c.GSOSegmentCycles, "must be in [0, 1e6] (cycles per segment software GSO cuts)")
	case !(c.FragmentCycles >= 0 && c.FragmentCycles <= 1e6):
		return field.Errorf("network.Config.FragmentCycles", c.FragmentCycles, "must be in [0, 1e6] (cycles per packet the sending node fragments)")
	case !(c.ReassembleCycles >= 0 && c.ReassembleCycles <= 1e6):
		return field.Errorf("network.Config.ReassembleCycles", c.ReassembleCycles, "must be in [0, 1e6] (cycles per packet the receiving node reassembles)")
	case !(c.CPUJitter >= 0 && c.CPUJitter <= 1):
		return field.Errorf("network.Config.CPUJitter", c.CPUJitter, "must be in [0, 1] (coefficient of variation of a job's service time)")
	case c.TBFBurstFrames < 0 || c.TBFBurstFrames > MaxTBFBurstFrames:
		return field.Errorf("network.Config.TBFBurstFrames", c.TBFBurstFrames, "must be in [0, %d] (0: store-and-forward links)", MaxTBFBurstFrames)
	case c.TSQThroughFabric && c.Offloads:
		return field.Errorf("network.Config.TSQThroughFabric", c.TSQThroughFabric, "must be false with Offloads (the emulated fabric is modelled per packet)")
	case c.TSQOrphan && c.TSQThroughFabric:
		return field.Errorf("network.Config.TSQOrphan", c.TSQOrphan, "must be false with TSQThroughFabric (a socket's bytes end at the first IP stack or at delivery, not both)")
	case c.TBFBurstFrames > 0 && c.Offloads:
		return field.Errorf("network.Config.TBFBurstFrames", c.TBFBurstFrames, "must be 0 with Offloads (tbf links are modelled per frame)")
	case c.DaemonCore >= c.CoresPerNode || c.DaemonCore < -1:
		return field.Errorf("network.Config.DaemonCore", c.DaemonCore, "must be -1 (last core) or in [0, %d]", c.CoresPerNode-1)
	}
	return c.Fabric.validate(c)
}
