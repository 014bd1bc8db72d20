package tcp

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/cnisim/cnisim/internal/pcap"
	"github.com/cnisim/cnisim/internal/wire"
	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// Capture records the packets of the connections and UDP sockets dialled
// with it as tcpdump inside their pods would: a packet when its socket
// hands it to the network (before the CNI's stages, so a SYN the CNI then
// drops is there) and when the network hands it to the receiving socket.
// Each captured node gets one capture (every pod of the node, as tcpdump
// -i any sees the pods' veths), headers only: the simulator carries no
// payload, so a record's original length says what the payload was.
//
// What a record shows is what the model has: sequence numbers from a
// per-connection initial number, TCP timestamps in microseconds of
// simulated time, the SACK blocks of each ACK, the window (scaled as the
// SYN's window-scale option says), the IP header's ECN field as the packet
// carries it where it is recorded (CE set by a switch shows on receipt).
// Addresses stand for pods: 10.<node/256>.<node%256>.<2 + the
// application's core>; a client's port is 1024 + its connection's number
// (in the order connections were dialled) modulo 64,512, a server's
// ServerPort. One record is one model packet: a segment of MSS bytes, not
// a GSO super-packet, with no SACK option bytes in the IP length the
// model charges (the record's headers include them).
//
// The core does no I/O: a capture is built in memory, up to MaxBytes in
// all, then counts what it leaves out (Skipped); Files hands the captures
// to whoever writes them.
type Capture struct {
	// ServerPort is the servers' port (iperf3 5201, HTTP 80).
	ServerPort uint16
	// MaxBytes bounds the captures' bytes together, file headers
	// included; packets past it are counted in Skipped, not recorded.
	MaxBytes int64
	// NIC records the packets where they cross the nodes' NICs instead of
	// the pods' interfaces: when one starts leaving the sending node's
	// NIC (after its queue, which may drop it first) and when it has
	// arrived at the receiving node's (before its stages), inside the
	// route's tunnel and encryption headers (network.Route.OnWire); a
	// pod's traffic within its node is not seen.
	NIC bool

	nodes   map[int]bool // nil: every node
	files   map[int]*nodeCapture
	size    int64
	skipped uint64
	conns   uint32
	buf     []byte
	nicBuf  []byte
	// sackSeq holds a SACK-carrying pure ACK's sequence number from its
	// send to its receipt: its Header.Seq names its SACK log entry instead.
	sackSeq map[*network.Packet]uint32
	// an encrypted wire packet's sequence number, from its send to its
	// receipt, and each route's last
	wireSeq  map[*network.Packet]uint64
	routeSeq map[*network.Route]uint64
}

// nodeCapture holds one node's records until Files writes them in time
// order: a packet sent on a core booked ahead is recorded at its send
// time, after packets the node received before it.
type nodeCapture struct {
	arena [][]byte // the records' bytes, back to back in chunks of arenaChunk (no copies as it grows)
	size  int64    // bytes in arena
	recs  []capRecord
}

type capRecord struct {
	at   sim.Time
	off  int64 // in arena: chunk off/arenaChunk, from off%arenaChunk
	len  int32
	orig int32 // the packet's length
}

// NewCapture captures the given nodes (none: every node), at most
// maxBytes in all.
func NewCapture(nodes []int, maxBytes int64, serverPort uint16) *Capture {
	c := &Capture{ServerPort: serverPort, MaxBytes: maxBytes, files: map[int]*nodeCapture{}, sackSeq: map[*network.Packet]uint32{},
		wireSeq: map[*network.Packet]uint64{}, routeSeq: map[*network.Route]uint64{}}
	if len(nodes) > 0 {
		c.nodes = map[int]bool{}
		for _, n := range nodes {
			c.nodes[n] = true
		}
	}
	return c
}

// arenaChunk is the size of a capture's chunks of record bytes.
const arenaChunk = 1 << 20

// snapLen bounds a record: IPv4 20 + TCP 60 bytes of pod headers, inside
// at most 50 bytes of a tunnel's (VXLAN, Geneve) and an encryption's
// clear header.
const snapLen = 256

// Files returns each captured node's pcap file (LINKTYPE_RAW, nanosecond
// timestamps, records in time order, ties in the order recorded), by node;
// a node that saw no packet has none.
func (c *Capture) Files() map[int][]byte {
	out := make(map[int][]byte, len(c.files))
	for n, f := range c.files {
		sort.SliceStable(f.recs, func(i, j int) bool { return f.recs[i].at < f.recs[j].at })
		var b bytes.Buffer
		b.Grow(24 + int(f.size) + 16*len(f.recs))
		w, err := pcap.NewWriter(&b, snapLen, pcap.LinkTypeRaw)
		if err != nil {
			panic(fmt.Sprintf("tcp: capture: %v", err)) // a bytes.Buffer does not fail
		}
		for _, r := range f.recs {
			at := r.off % arenaChunk
			if err := w.WritePacket(int64(r.at/sim.Nanosecond), f.arena[r.off/arenaChunk][at:at+int64(r.len)], int(r.orig)); err != nil {
				panic(fmt.Sprintf("tcp: capture: %v", err)) // records are built to fit
			}
		}
		out[n] = b.Bytes()
	}
	return out
}

// Skipped returns the packets left out once MaxBytes was reached.
func (c *Capture) Skipped() uint64 { return c.skipped }

func (c *Capture) captures(node int) bool { return c.nodes == nil || c.nodes[node] }

// conn is one captured connection (or UDP socket pair).
type capConn struct {
	c  *Capture
	id uint32
}

// podAddr is the address standing for the pod whose application runs on
// core of node.
func podAddr(node, core int) [4]byte {
	return [4]byte{10, byte(node >> 8), byte(node), byte(2 + core%253)}
}

// isn is a side's initial sequence number: fixed per connection and side,
// so that captures repeat.
func (k *capConn) isn(client bool) uint32 {
	x := uint64(k.id)<<1 | 1
	if client {
		x &^= 1
	}
	return uint32(splitmix(x))
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// attach records conn's packets if either side's node is captured.
func (c *Capture) attach(conn *Conn) {
	if !c.captures(conn.Client.Node) && !c.captures(conn.Server.Node) {
		return
	}
	k := &capConn{c: c, id: c.conns}
	c.conns++
	for _, ep := range []*Endpoint{conn.Client, conn.Server} {
		ep.out.OnSend(func(p *network.Packet, at sim.Time) {
			seq := k.tcpSeq(ep, p, atSocket)
			if !c.NIC {
				k.record(ep, p, at, ep.Node, seq)
			}
		})
		ep.peer.out.Intercept(func(network.Endpoint) network.Endpoint { return &capRecv{k: k, ep: ep} })
		if c.NIC {
			ep.out.OnWire(func(p *network.Packet, at sim.Time, sent bool) {
				k.record(ep, p, at, wireNode(sent, ep.Node, ep.peer.Node), k.tcpSeq(ep, p, onWire))
			})
		}
	}
}

// capRecv records a packet where the network hands it to its endpoint.
type capRecv struct {
	k  *capConn
	ep *Endpoint
}

func (r *capRecv) Deliver(p *network.Packet, at sim.Time) {
	from := r.ep.peer
	seq := r.k.tcpSeq(from, p, atDelivery)
	if !r.k.c.NIC {
		r.k.record(from, p, at, r.ep.Node, seq)
	}
	r.ep.Deliver(p, at)
}

// Where a packet is when tcpSeq is asked for its sequence number.
const (
	atSocket   = iota // handed to the network
	onWire            // on a NIC
	atDelivery        // handed to its endpoint: its last record
)

// tcpSeq is p's sequence number on the wire, p sent by from. A pure ACK
// carrying SACK blocks uses its Header.Seq for its SACK log entry: its
// sequence number is the sender's snd_nxt when it sent it, kept from then
// until its delivery.
func (k *capConn) tcpSeq(from *Endpoint, p *network.Packet, where int) uint32 {
	switch {
	case p.Flags&network.FlagSYN != 0:
		return k.isn(from.client)
	case p.Flags&flagSACK == 0:
		return k.isn(from.client) + 1 + uint32(p.Seq)
	case where == atSocket:
		seq := k.isn(from.client) + 1 + uint32(from.sndNxt)
		k.c.sackSeq[p] = seq
		return seq
	case where == atDelivery:
		seq := k.c.sackSeq[p]
		delete(k.c.sackSeq, p)
		return seq
	}
	return k.c.sackSeq[p]
}

// record adds p, sent by from, to node's capture: the pod's packet, or with
// NIC its wire packet, the route's encapsulation around it.
func (k *capConn) record(from *Endpoint, p *network.Packet, at sim.Time, node int, seq uint32) {
	if !k.c.captures(node) {
		return
	}
	to := from.peer
	t := wire.TCP{SrcPort: k.port(from), DstPort: k.port(to), Seq: seq, Flags: tcpFlags(p.Flags), WScale: -1,
		HasTimestamps: true, TSval: tsMicros(p.TSval), TSecr: tsMicros(p.TSecr)}
	if p.Flags&network.FlagACK != 0 {
		t.Ack = k.isn(to.client) + 1 + uint32(p.Ack)
	}
	ws := windowScale(from.opt.RcvBuf)
	if p.Flags&network.FlagSYN != 0 {
		t.MSS, t.SACKPermitted, t.WScale = uint16(min(from.mss+12, 65535)), true, int8(ws)
		t.Window = uint16(min(p.Win, 65535))
	} else {
		t.Window = uint16(min(p.Win>>ws, 65535))
	}
	if p.Flags&flagSACK != 0 {
		// The blocks are in the sender's SACK log until the peer takes
		// them, after this record on receipt.
		if rec, ok := from.sackLog.peek(uint64(p.Seq)); ok {
			base := k.isn(to.client) + 1
			for _, b := range rec.blk[:rec.n] {
				t.SACK = append(t.SACK, wire.Block{Start: base + uint32(b.start), End: base + uint32(b.end)})
			}
		}
	}
	ip := wire.IPv4{Src: podAddr(from.Node, from.Core), Dst: podAddr(to.Node, to.Core), TOS: p.ECN, DF: true, TTL: 64, Protocol: wire.ProtoTCP}
	var err error
	k.c.buf, err = wire.AppendTCP(k.c.buf[:0], ip, t, int(p.Len))
	if err != nil {
		panic(fmt.Sprintf("tcp: capture: %v", err)) // the model's headers always fit
	}
	k.c.emit(node, at, p, k.id, from.client)
}

// emit writes the packet in buf (its headers; p's payload beyond them) to
// node's capture: as it is, or with NIC inside the outer headers of the
// route (the leg, if relayed) it is on.
func (c *Capture) emit(node int, at sim.Time, p *network.Packet, conn uint32, client bool) {
	inner := len(c.buf) + int(p.Len)
	if !c.NIC {
		c.write(node, at, inner)
		return
	}
	route := p.Route()
	tunnel, encryption, bytes := route.Encapsulation()
	e := wire.Encap{Kind: encapKind(tunnel), Encrypted: encapKind(encryption), Src: nodeAddr(route.Src()), Dst: nodeAddr(route.Dst()),
		TOS: p.ECN, TTL: 64, SrcPort: entropyPort(conn, client), Port: udpTunnelPort, VNI: 1,
		SPI: 0x100 + uint32(route.Src()), Index: 0x100 + uint32(route.Dst()), Overhead: bytes}
	if tunnel == datapath.EncapUDP {
		e.TOS = 0 // a user-space tunnel's socket sends Not-ECT (network.ECNTransparent)
	}
	if encryption != datapath.EncapNone { // a sequence number per route, the packet's from its send to its receipt
		if node == route.Src() {
			c.routeSeq[route]++
			c.wireSeq[p] = c.routeSeq[route]
		}
		e.Seq = c.wireSeq[p]
		if node != route.Src() {
			delete(c.wireSeq, p)
		}
	}
	var err error
	c.nicBuf, err = wire.AppendEncap(c.nicBuf[:0], e, c.buf, inner)
	if err != nil {
		panic(fmt.Sprintf("tcp: capture: %v", err)) // the model's overheads fit its headers
	}
	c.buf, c.nicBuf = c.nicBuf, c.buf
	c.write(node, at, inner+bytes)
}

// port is a side's port: the server's ServerPort, the client's from its
// connection's number.
func (k *capConn) port(ep *Endpoint) uint16 {
	if ep.client {
		return clientPort(k.id)
	}
	return k.c.ServerPort
}

// clientPort is the client's port of connection (or UDP pair) number id.
func clientPort(id uint32) uint16 { return uint16(1024 + id%64512) }

// wireNode is the node whose NIC sees a packet from src to dst: src's when
// sent, dst's when received.
func wireNode(sent bool, src, dst int) int {
	if sent {
		return src
	}
	return dst
}

// write adds the record in buf, of a packet of orig bytes, to node's
// capture.
func (c *Capture) write(node int, at sim.Time, orig int) {
	f := c.files[node]
	add := int64(16 + len(c.buf))
	if f == nil {
		add += 24 // the file's header
	}
	if c.size+add > c.MaxBytes {
		c.skipped++
		return
	}
	if f == nil {
		f = &nodeCapture{}
		c.files[node] = f
	}
	k := len(f.arena) - 1
	if k < 0 || len(f.arena[k])+len(c.buf) > arenaChunk {
		f.arena = append(f.arena, make([]byte, 0, arenaChunk))
		k++
	}
	f.recs = append(f.recs, capRecord{at: at, off: int64(k)*arenaChunk + int64(len(f.arena[k])), len: int32(len(c.buf)), orig: int32(orig)})
	f.arena[k] = append(f.arena[k], c.buf...)
	f.size += int64(len(c.buf))
	c.size += add
}

// tcpFlags maps the model's header flags to TCP's.
func tcpFlags(f uint8) uint8 {
	var t uint8
	for _, m := range [...]struct{ model, wire uint8 }{
		{network.FlagSYN, wire.FlagSYN}, {network.FlagACK, wire.FlagACK}, {network.FlagFIN, wire.FlagFIN},
		{network.FlagRST, wire.FlagRST}, {flagECE, wire.FlagECE}, {flagCWR, wire.FlagCWR},
	} {
		if f&m.model != 0 {
			t |= m.wire
		}
	}
	return t
}

// tsMicros is a TCP timestamp (the model's send time + 1 ns, 0: none) in
// microseconds.
func tsMicros(ts sim.Time) uint32 {
	if ts <= 0 {
		return 0
	}
	return uint32((ts - 1) / sim.Microsecond)
}

// windowScale is the shift Linux's tcp_select_initial_window picks for a
// receive buffer: the least that brings it within 16 bits, at most 14.
func windowScale(rcvBuf int64) int {
	ws := 0
	for rcvBuf>>ws > 65535 && ws < 14 {
		ws++
	}
	return ws
}

// AttachUDP records a UDP socket pair from DialUDP (a sends to b, a
// client's port) if either side's node is captured; call it before either
// sends.
func (c *Capture) AttachUDP(a, b *UDPEndpoint) {
	if !c.captures(a.Node) && !c.captures(b.Node) {
		return
	}
	id := c.conns
	c.conns++
	for i, u := range [2]*UDPEndpoint{a, b} {
		d := udpDir{c: c, u: u, peer: [2]*UDPEndpoint{b, a}[i], conn: id, client: i == 0}
		if c.NIC {
			u.out.OnWire(func(p *network.Packet, at sim.Time, sent bool) { d.record(p, at, wireNode(sent, u.Node, d.peer.Node)) })
			continue
		}
		u.out.OnSend(func(p *network.Packet, at sim.Time) { d.record(p, at, u.Node) })
		u.out.Intercept(func(e network.Endpoint) network.Endpoint {
			return udpRecv{next: e, f: func(p *network.Packet, at sim.Time) { d.record(p, at, d.peer.Node) }}
		})
	}
}

// udpRecv records a datagram where the network hands it to its socket.
type udpRecv struct {
	next network.Endpoint
	f    func(p *network.Packet, at sim.Time)
}

func (r udpRecv) Deliver(p *network.Packet, at sim.Time) {
	r.f(p, at)
	r.next.Deliver(p, at)
}

// udpDir is one direction of a captured UDP socket pair: u's datagrams to
// peer.
type udpDir struct {
	c       *Capture
	u, peer *UDPEndpoint
	conn    uint32
	client  bool
}

// record adds a datagram to node's capture.
func (d *udpDir) record(p *network.Packet, at sim.Time, node int) {
	c := d.c
	if !c.captures(node) {
		return
	}
	ports := [2]uint16{clientPort(d.conn), c.ServerPort}
	if !d.client {
		ports[0], ports[1] = ports[1], ports[0]
	}
	ip := wire.IPv4{Src: podAddr(d.u.Node, d.u.Core), Dst: podAddr(d.peer.Node, d.peer.Core), TOS: p.ECN, DF: true, TTL: 64, Protocol: wire.ProtoUDP}
	var err error
	c.buf, err = wire.AppendUDP(c.buf[:0], ip, wire.UDP{SrcPort: ports[0], DstPort: ports[1]}, int(p.Len))
	if err != nil {
		panic(fmt.Sprintf("tcp: capture: %v", err))
	}
	c.emit(node, at, p, d.conn, d.client)
}

// nodeAddr is the address standing for a node on the underlay:
// 172.16.0.0/12 from .0.1 up.
func nodeAddr(node int) [4]byte {
	a := uint32(172<<24|16<<16) + uint32(node) + 1
	return [4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)}
}

// entropyPort is a VXLAN or Geneve packet's UDP source port, which Linux
// takes from a hash of the inner flow (udp_flow_src_port, within
// ip_local_port_range 32768-60999): one per connection and direction.
func entropyPort(conn uint32, client bool) uint16 {
	x := uint64(conn) << 1
	if !client {
		x |= 1
	}
	return uint16(32768 + splitmix(x^0x5eed)%(60999-32768+1))
}

// udpTunnelPort is a user-space UDP tunnel's port (Flannel's udp backend;
// Weave's sleeve uses 6784).
const udpTunnelPort = 8285

// encapKinds are the capture's names for the encapsulations.
var encapKinds = [...]wire.EncapKind{
	datapath.EncapNone: wire.EncapNone, datapath.EncapVXLAN: wire.EncapVXLAN, datapath.EncapGeneve: wire.EncapGeneve,
	datapath.EncapIPIP: wire.EncapIPIP, datapath.EncapGRE: wire.EncapGRE, datapath.EncapUDP: wire.EncapUDP,
	datapath.EncapWireGuard: wire.EncapWireGuard, datapath.EncapESP: wire.EncapESP, datapath.EncapNaCl: wire.EncapNaCl,
}

func encapKind(e datapath.Encap) wire.EncapKind {
	if int(e) < len(encapKinds) {
		return encapKinds[e]
	}
	return wire.EncapNone
}
