package datapath

import "fmt"

// Header sizes used in MTU arithmetic (IPv4, RFC 791; TCP, RFC 793; the
// timestamp option, RFC 7323, which Linux enables by default: 10 bytes
// padded to 12).
const (
	IPv4Header    = 20
	TCPHeader     = 20
	TCPTimestamps = 12
	// TCPIPOverhead is what a full-sized TCP segment adds to its payload:
	// MSS = MTU - 52 (Linux advertises MTU - 40 and sends 12 bytes fewer
	// per segment when timestamps are on). It is also the IP size of a
	// pure ACK. The project's one spelling of these 52 bytes: TCP
	// endpoints, the workloads' bounds, calibration (perf H, fit's ACK
	// bytes), the testbed and the catalog's goodput bound use it.
	TCPIPOverhead = IPv4Header + TCPHeader + TCPTimestamps
)

// Framing is what a link adds to each IP packet on the wire.
type Framing struct {
	Overhead   int // bytes per frame beyond the IP packet
	MinPayload int // frames carrying less are padded to this (Ethernet: 46)
}

// Ethernet framing: header 14 + FCS 4 = 18, plus preamble/SFD 8 and the
// inter-frame gap 12 = 20 (IEEE 802.3): 38 bytes per frame; the minimum
// frame of 64 bytes holds 46 bytes of payload.
var Ethernet = Framing{Overhead: DefaultFrameOverhead, MinPayload: 46}

// PPP framing as in ns-3's point-to-point links: a 2-byte protocol field.
var PPP = Framing{Overhead: 2}

// DefaultFrameOverhead is Ethernet's per-frame overhead in bytes.
const DefaultFrameOverhead = 38

// WireBytes is the bytes a frame carrying an IP packet of ipLen bytes
// occupies on the wire, padding included.
func (f Framing) WireBytes(ipLen int) int {
	return max(ipLen, f.MinPayload) + f.Overhead
}

// WireBytes is ipLen plus a per-frame overhead, without minimum-frame
// padding (DESIGN 2: IP packet + 38 on Ethernet).
func WireBytes(ipLen, frameOverhead int) int { return ipLen + frameOverhead }

// MinIPv4MTU is the least MTU of an IPv4 link (RFC 791: every module must
// forward a 68-byte datagram): the one floor of a pod MTU, derived or set.
const MinIPv4MTU = 68

// PodMTU is the pod interface MTU for an underlay MTU and the bytes the
// datapath adds on the wire (DESIGN 2: pod MTU = underlay MTU - overhead
// unless the scenario sets it). It is an error when nothing fits.
func PodMTU(underlayMTU, overhead int) (int, error) {
	m := underlayMTU - overhead
	if m < MinIPv4MTU {
		return 0, fmt.Errorf("underlay MTU %d minus %d bytes of encapsulation leaves %d, below IPv4's minimum %d", underlayMTU, overhead, m, MinIPv4MTU)
	}
	return m, nil
}

// MSS is the TCP payload per full-sized segment at a pod MTU (IPv4 with
// timestamps: MTU - 52).
func MSS(podMTU int) int { return podMTU - TCPIPOverhead }

// Goodput is the TCP payload rate in bits/s on a link of rateBps when CPUs
// are not the bottleneck: every full-sized segment of MSS bytes costs
// podMTU + encapBytes + frameOverhead bytes on the wire (DESIGN 2: R x MSS /
// (MTU + 38) for native routing on Ethernet).
func Goodput(rateBps float64, podMTU, encapBytes, frameOverhead int) float64 {
	return rateBps * float64(MSS(podMTU)) / float64(podMTU+encapBytes+frameOverhead)
}

// PacketRate is the frames per second a link of rateBps carries when each
// frame holds an IP packet of ipLen bytes.
func PacketRate(rateBps float64, ipLen, frameOverhead int) float64 {
	return rateBps / 8 / float64(WireBytes(ipLen, frameOverhead))
}
