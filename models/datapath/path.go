package datapath

import "fmt"

// Side says on which node of a path a step runs: the node of the sending
// pod or the node of the receiving pod (the same node for intra-host).
type Side uint8

const (
	Src Side = iota // the sending pod's node
	Dst             // the receiving pod's node
)

func (s Side) String() string {
	if s == Src {
		return "src"
	}
	return "dst"
}

// Context says which execution context (and so which CPU core) runs a step
// (DESIGN 2, "Hosts, cores, links").
type Context uint8

const (
	// Send is the sending process's context on the application's core:
	// tcp_sendmsg down to the NIC (or, intra-host, through veth into the
	// backlog of the same core).
	Send Context = iota
	// Softirq is NET_RX softirq on the core RSS picks for the flow.
	Softirq
	// Daemon is a user-space encapsulation daemon's own core (Flannel UDP,
	// Weave sleeve).
	Daemon
	// Recv is the receiving process's context: the copy to user space.
	Recv
)

var contextNames = [...]string{Send: "send", Softirq: "softirq", Daemon: "daemon", Recv: "recv"}

func (c Context) String() string {
	if int(c) < len(contextNames) {
		return contextNames[c]
	}
	return fmt.Sprintf("Context(%d)", c)
}

// ParseContext parses a context name.
func ParseContext(s string) (Context, error) {
	for i, n := range contextNames {
		if n == s {
			return Context(i), nil
		}
	}
	return 0, fmt.Errorf("unknown context %q (valid: send, softirq, daemon, recv)", s)
}

// Step is one stage a packet crosses, where and in which context it runs.
// Count is how many times the stage is crossed at this point (for example
// two FIB lookups for Kube-router's DSR table).
type Step struct {
	Kind    Kind
	Side    Side
	Context Context
	Count   int
}

// Hop marks where a path leaves one node for the other: steps before the
// wire crossing run on Src, after it on Dst. Intra-host paths have no wire.

// CostedStep is a Step with its calibrated cost at the path's CPU
// frequency: Cycles per crossing plus CyclesPerByte times the packet's
// bytes, plus RuleCycles per crossing for connection-opening packets only.
type CostedStep struct {
	Step
	Cycles        float64
	CyclesPerByte float64
	// RuleCycles are policy rules walked only by packets that open a
	// connection (TCP SYN and SYN-ACK, the first packet of a flow in each
	// direction): a rule set behind a conntrack ESTABLISHED accept. Rules
	// walked by every packet (a stateless rule set) are part of Cycles, so
	// Cycles is always the steady-state cost of a data packet.
	RuleCycles float64
}

// CostedPath is what the network model executes for one direction of a
// flow: the ordered steps from the sending socket to the receiving socket,
// whether the packet crosses the wire between Src and Dst, and the bytes
// that encapsulation adds to every packet on the wire.
type CostedPath struct {
	Steps      []CostedStep
	InterHost  bool // the path crosses the wire from Src to Dst
	EncapBytes int  // outer headers added on the wire (0 for native routing)
	// Encap and Encryption are the tunnel and the encryption layer those
	// bytes are (EncapNone: none): what a capture at the NIC shows.
	Encap, Encryption Encap
	// OuterDF says the outer packet carries Don't Fragment: an outer packet
	// larger than the underlay MTU is dropped instead of fragmented.
	OuterDF bool
	// Fragments says the path's full-sized packets fragment: their outer
	// packets exceed the underlay MTU and carry no DF (a pod MTU too
	// large for the encapsulation). With offloads, Linux then cuts a
	// super-packet in software before fragmenting each segment
	// (ip_finish_output_gso's slow path: the NIC's segments would exceed
	// the MTU), and GRO merges no fragment (inet_gro_receive), so the
	// sending side's outer steps run per packet and the receiving NIC
	// merges none of the path's frames. The caller that knows the
	// packets' size sets it (experiments/simulate).
	Fragments bool
	// GSOCut is 1 + the index of the first sending-side step whose device
	// cannot carry a GSO super-packet (models/cni/devices): with offloads,
	// software GSO cuts super-packets there, and that step and every
	// later one on the sending side run per packet. 0: no device cuts
	// (the NIC may still: cluster.nic_offloads).
	GSOCut int
	// NoGRO says the path arrives through a device without GRO (an
	// encryption or user-space tunnel): the receiving NIC merges none of
	// its packets.
	NoGRO bool
	// GROFrom is 1 + the index of the first receiving-side step GRO's
	// merging reaches when a device merges on its own NAPI after its
	// step (WireGuard decrypts every packet, then GROs): the receiving
	// steps before it run per packet. 0: GRO merges at the NIC.
	GROFrom int
	// RSSByNodes says the receiving NIC's RSS hash sees only the two nodes:
	// the outermost header the path arrives in carries none of the inner
	// flow's ports (IP-in-IP, GRE, ESP, a user-space tunnel's fixed UDP
	// ports), so every flow of the path between the same two nodes lands
	// on one receive core (models/cni/devices).
	RSSByNodes bool
	// RSSInner says, with RSSByNodes, that a NIC able to parse that outer
	// header can hash the inner flow's instead (IP-in-IP, GRE; not ESP,
	// whose inner header is encrypted): with such NICs
	// (network.Config.RSSInner) the path spreads by flow.
	RSSInner bool
	// GROFrameExtra is what GRO's parsing of the outer header the path
	// arrives in adds to each frame it merges, cycles, beyond a plain
	// frame's (network.Config.GROFrameCycles): the cost source's, when it
	// states one for that device (FrameCostSource), else models/cni/devices'.
	GROFrameExtra float64
	// GSOSegmentExtra is what software GSO of the path's outermost
	// sending tunnel adds to each segment, cycles, beyond a plain one's
	// (network.Config.GSOSegmentCycles), where the NIC cannot segment the
	// tunnel: the cost source's, when it states one for that device
	// (FrameCostSource), else models/cni/devices'.
	GSOSegmentExtra float64
}

// Placement is where the two pods of a flow sit.
type Placement string

const (
	Intra Placement = "intra" // both pods on one node
	Inter Placement = "inter" // pods on different nodes
)

// CostSource gives the calibrated cost of one crossing of a stage kind for
// a plugin, mode and placement (a calibration profile implements it; the
// most specific entry wins). ok is false when the source has no entry.
type CostSource interface {
	Cost(kind Kind, plugin, mode string, placement Placement) (cycles, cyclesPerByte float64, ok bool)
	CPUGHz() float64
}

// FrameCostSource is a CostSource that may also state the offloads'
// per-frame costs (a calibration profile's [[gro_frame]] and
// [[gso_segment]] entries): device "" for every frame, a tunnel device for
// what its headers add. ok is false when it states none for device.
type FrameCostSource interface {
	GROFrameCycles(device string) (cycles float64, ok bool)
	GSOSegmentCycles(device string) (cycles float64, ok bool)
}
