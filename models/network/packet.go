package network

import "github.com/cnisim/cnisim/sim"

// Header flags carried by a packet for its transport. The network reads
// only FlagSYN: a SYN or SYN-ACK walks conntrack-guarded policy rules
// (datapath.CostedStep.RuleCycles).
const (
	FlagSYN uint8 = 1 << iota
	FlagACK
	FlagFIN
	FlagRST
	FlagProbe // zero-window probe: the receiver answers with an ACK at once
)

// Header is the transport's view of a packet. The network reads only
// Flags&FlagSYN.
type Header struct {
	Seq   int64 // first payload byte (TCP) or datagram number (UDP)
	Ack   int64
	Win   int64 // advertised receive window, bytes
	TSval sim.Time
	TSecr sim.Time
	Len   int32 // payload bytes
	Flags uint8
	Retx  bool  // a retransmission (for statistics)
	ECN   uint8 // the IP header's ECN field: ECNNotECT, ECNECT0 or ECNCE
}

// Codepoints of the IP header's ECN field (RFC 3168 5), in Header.ECN. A
// switch port above its marking threshold sets CE on ECN-capable packets
// (Fabric.ECNThreshold). Linux's tunnels copy the field to the outer
// header and a CE mark back to the inner one (RFC 6040: VXLAN, Geneve,
// IP-in-IP, WireGuard), so the mark on the packet is the mark the
// receiver sees; a user-space tunnel's outer header is not ECN-capable
// and is never marked (ECNTransparent).
const (
	ECNNotECT uint8 = 0
	ECNECT0   uint8 = 2
	ECNCE     uint8 = 3
)

// Packet is one IP packet in flight. Packets live in the Network's pool and
// are passed by pointer; a *Packet stays valid until Free.
//
// The fields the network reads at every hop come first and the transport's
// Header last, largest first (80 bytes rather than 104): at a fabric's
// scale a packet is out of the cache when a queue hands it on, and one
// line then holds all a hop needs.
type Packet struct {
	route    *Route
	IPBytes  int32 // inner IP packet size (headers + payload)
	SendCore int16 // core that runs the Send-context segments
	seg      int16 // next segment to run
	core     int16 // core that ran the previous segment
	// Calls are the application's send calls that begin in this packet
	// (its Send-context per-call steps run that many times: 0 for an ACK or
	// a retransmission); Wake says the writer was blocked and woken to
	// send it (its Send-context per-wake-up steps run once). The sender
	// sets both before Send (datapath/calls.go).
	Calls uint16
	Wake  bool
	frag  bool // outer packet fragmented into two frames
	// batched: the packet rides in a GSO or GRO super-packet behind its
	// head, so its stages charge only their per-byte costs (offload.go)
	batched bool
	inNet   bool  // sent and not yet delivered or dropped
	next    int32 // free list link
	id      int32

	Header
}

// Route returns the route the packet travels.
func (p *Packet) Route() *Route { return p.route }

const chunkBits = 12

// pool hands out packets from fixed chunks so pointers stay valid while the
// pool grows; freed packets are reused (no allocation per packet).
type pool struct {
	chunks [][]Packet
	free   int32 // head of the free list, -1 when empty
	n      int32 // packets ever created
	live   int64
}

func newPool() pool { return pool{free: -1} }

func (pl *pool) get() *Packet {
	var p *Packet
	if pl.free >= 0 {
		p = pl.at(pl.free)
		pl.free = p.next
	} else {
		if int(pl.n>>chunkBits) == len(pl.chunks) {
			pl.chunks = append(pl.chunks, make([]Packet, 1<<chunkBits))
		}
		p = pl.at(pl.n)
		p.id = pl.n
		pl.n++
	}
	// field by field: clearing the whole struct would go through the
	// write-barrier path for its one pointer
	p.Header = Header{}
	p.IPBytes, p.SendCore = 0, 0
	p.Calls, p.Wake = 0, false
	p.route = nil
	p.seg, p.core, p.frag, p.inNet, p.next = 0, 0, false, false, -1
	p.batched = false
	pl.live++
	return p
}

func (pl *pool) at(i int32) *Packet { return &pl.chunks[i>>chunkBits][i&(1<<chunkBits-1)] }

func (pl *pool) put(p *Packet) {
	p.route = nil
	p.inNet = false
	p.next = pl.free
	pl.free = p.id
	pl.live--
}

// Core returns the core that ran the packet's last segment: the softirq
// core where its receiver sends an immediate ACK from.
func (p *Packet) Core() int { return int(p.core) }
