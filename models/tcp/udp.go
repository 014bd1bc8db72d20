package tcp

import (
	"fmt"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// UDPHeaderBytes is IPv4 20 + UDP 8.
const UDPHeaderBytes = 28

// UDPEndpoint is a UDP socket: datagrams out on one route, in on the
// other. Its receive buffer drops datagrams when the application's copies
// fall RcvBuf bytes behind (Linux udp: rmem_default 212992).
type UDPEndpoint struct {
	net  *network.Network
	Node int
	Core int
	out  *network.Route

	RcvBuf int64
	// OnRecv is called for every datagram accepted, at the time its copy
	// to the application ends (later than now: schedule to act then).
	OnRecv func(at sim.Time, h network.Header)

	rcvd, read int64 // bytes accepted / copied (as of the last check)
	copies     []copyDone
	head       int

	Sent, Received, SockDrops uint64
	BytesReceived             int64

	slept bool // the application slept since its last send (Slept)
	woke  bool // the application, blocked on the send buffer, was woken (Woke)
}

// DialUDP creates a pair of UDP sockets a <-> b (fwd carries a -> b).
func DialUDP(n *network.Network, a, b Side, fwd, rev datapath.CostedPath, key uint64) (*UDPEndpoint, *UDPEndpoint, error) {
	ua := &UDPEndpoint{net: n, Node: a.Node, Core: a.Core, RcvBuf: 212992}
	ub := &UDPEndpoint{net: n, Node: b.Node, Core: b.Core, RcvBuf: 212992}
	var err error
	if ua.out, err = n.NewRoute(network.RouteSpec{Path: fwd, Src: a.Node, Dst: b.Node, FlowKey: 2 * key, RecvCore: b.Core, SenderShares: a == b, To: ub}); err != nil {
		return nil, nil, fmt.Errorf("forward path: %w", err)
	}
	if ub.out, err = n.NewRoute(network.RouteSpec{Path: rev, Src: b.Node, Dst: a.Node, FlowKey: 2*key + 1, RecvCore: a.Core, SenderShares: a == b, To: ua}); err != nil {
		return nil, nil, fmt.Errorf("reverse path: %w", err)
	}
	return ua, ub, nil
}

// Route returns the route the socket sends on.
func (u *UDPEndpoint) Route() *network.Route { return u.out }

// Send sends a datagram of payload bytes at time at from the socket's
// core; seq is carried for loss accounting and the send time as TSval.
func (u *UDPEndpoint) Send(at sim.Time, payload int, seq int64) {
	p := u.net.Alloc()
	p.Seq = seq
	p.Len = int32(payload)
	p.TSval = at
	p.IPBytes = int32(UDPHeaderBytes + payload)
	p.Calls = 1  // one sendmsg per datagram
	if u.slept { // the sleep's own call, and the wake-up from it
		p.Calls, p.Wake, u.slept = 2, true, false
	}
	if u.woke { // a send call that blocked goes on: its wake-up only
		p.Wake, u.woke = true, false
	}
	u.Sent++
	u.net.Send(u.out, p, u.Core, at)
}

// Slept says the application slept between its last send and its next
// (a paced sender ahead of its schedule: nanosleep, a timed select or a
// runtime timer): the next datagram pays the sleep's call and the
// wake-up from it, as a blocked writer's does (datapath/calls.go).
func (u *UDPEndpoint) Slept() { u.slept = true }

// Woke says the application's send call blocked on a full socket send
// buffer and was woken (sock_wfree): the next datagram pays the wake-up.
func (u *UDPEndpoint) Woke() { u.woke = true }

// Deliver accepts a datagram (network.Endpoint).
func (u *UDPEndpoint) Deliver(p *network.Packet, at sim.Time) {
	h, in, bytes := p.Header, p.Route(), int64(p.IPBytes)
	u.net.Free(p)
	for u.head < len(u.copies) && u.copies[u.head].done <= at {
		u.read = u.copies[u.head].total
		u.head++
	}
	if u.head == len(u.copies) {
		u.copies, u.head = u.copies[:0], 0
	}
	if u.rcvd-u.read+bytes > u.RcvBuf {
		u.SockDrops++
		return
	}
	u.rcvd += bytes
	u.Received++
	u.BytesReceived += int64(h.Len)
	done := in.Recv(network.Read{Pkts: 1, Bytes: bytes, Payload: int64(h.Len), Datagrams: true}, at)
	u.copies = append(u.copies, copyDone{done, u.rcvd})
	if u.OnRecv != nil {
		u.OnRecv(done, h)
	}
}
