package network

import (
	"unsafe"

	"github.com/cnisim/cnisim/internal/prefetch"
	"github.com/cnisim/cnisim/sim"
)

// A node's link is a pipe: its NIC serialises in FIFO order and every
// frame takes the same propagation delay, so frames arrive at the far end
// in the order they were sent, at non-decreasing times. The packets on a
// link wait in a FIFO, and only the earliest has an event in the engine:
// the event queue holds one entry per busy link, not one per packet in
// flight, which keeps it small and cheap whatever the bandwidth-delay
// product.

// inFlight is a packet on the wire and its arrival time at the far end.
// With a fabric it carries what the switch there needs, so that a hop
// touches the packet only where it is dropped or leaves the fabric: the
// egress port it joins (-1: the far end is its destination node), its
// destination node and its wire bytes.
type inFlight struct {
	at sim.Time
	frame
}

// frame is an inFlight without its arrival time.
type frame struct {
	id        int32
	port, dst int32
	bytes     int32
}

// pipe is a FIFO of packets on a link (a ring whose length is a power of
// two); armed when its head has an event in the engine. A switch port's
// pipe also holds its queue (port.go): the newest qn frames, which may
// include some that already left the pipe at its head, so the ring keeps
// max(size, qn) slots, from behind the head when qn > size.
//
// The head's frame is kept in the pipe too (first, while size > 0): its
// arrival, an event, reads it with the pipe's other fields, in one line
// (TestPipeLayout), instead of from a ring slot that the time since its
// send has taken out of the cache; that slot's miss, for the frame after
// it, then no longer delays the hop. Its arrival time is the event's.
type pipe struct {
	first      frame
	q          []inFlight
	head, size int32
	qn         int32 // the port's queued frames (0 for a node's link)
	armed      bool
	popped     uint64 // packets that reached the far end (conservation)
}

// push appends a frame. It takes the fields, not an inFlight: a struct
// argument reached the ring through a stack copy, written field by field
// and read back in 16-byte moves, which store-to-load forwarding cannot
// serve (0.74 s of a 15 s bench/bulk.toml CPU profile stalled on it).
func (w *pipe) push(at sim.Time, id, port, dst, bytes int32) {
	if int(max(w.size, w.qn-1)) == len(w.q) { // qn counts the frame already
		w.grow()
	}
	if w.size == 0 {
		w.first = frame{id, port, dst, bytes}
	}
	s := &w.q[int(w.head+w.size)&(len(w.q)-1)]
	s.at, s.id, s.port, s.dst, s.bytes = at, id, port, dst, bytes
	w.size++
}

// grow doubles the ring, keeping the queued frames behind the head (out
// of line: push is on every hop).
func (w *pipe) grow() {
	k := int(max(w.size, w.qn-1))
	behind := k - int(w.size)
	w.q = sim.GrowRing(w.q, int(w.head)-behind, k, 64)
	w.head = int32(behind)
}

// pop takes the frame at the head (size > 0) and returns it, from first:
// the ring is read only for the next. now must be the head's arrival time
// (next): pop runs in the arrival's event, or inline at its time.
func (w *pipe) pop(now sim.Time) inFlight {
	f := inFlight{now, w.first}
	w.head = (w.head + 1) & int32(len(w.q)-1)
	w.size--
	w.popped++
	if w.size > 0 {
		w.first = w.q[w.head].frame
	}
	return f
}

// next is the head frame's arrival time (size > 0).
func (w *pipe) next() sim.Time { return w.q[w.head].at }

// queued returns the i-th oldest frame of the port's queue (i < qn).
func (w *pipe) queued(i int) *inFlight {
	return &w.q[(int(w.head+w.size-w.qn)+i)&(len(w.q)-1)]
}

// toWire puts p on node's link, arriving at the far end at at (at the
// fabric's port, when port >= 0).
func (n *Network) toWire(node *Node, p *Packet, at sim.Time, port, dst, bytes int32) {
	n.toPipe(&node.wire, inFlight{at, frame{p.id, port, dst, bytes}}, (*wireArrival)(n), uint64(node.index))
}

// wireArrival is the Network as the handler of link arrivals; arg is the
// sending node's index. Once a packet is handled, the next one on the link
// runs inline when it is the engine's next event anyway (sim.Engine.Continue).
type wireArrival Network

func (h *wireArrival) Handle(e *sim.Engine, node uint64) {
	n := (*Network)(h)
	n.drain(&n.Nodes[node].wire, e, h, node) // to the first switch, or the far node
}

// rxWire returns p, arrived at its destination node at at, after telling
// a capture on its route (Route.OnWire). Small enough to inline, and in
// the call it wraps: default.pgo knows the calls around it by line.
func (n *Network) rxWire(p *Packet, at sim.Time) *Packet {
	if n.wireTap {
		p.route.onWireHook(p, at, false)
	}
	return p
}

// txWire is rxWire for p starting to leave its node's NIC at at.
func (n *Network) txWire(p *Packet, at sim.Time) *Packet {
	if n.wireTap {
		p.route.onWireHook(p, at, true)
	}
	return p
}

// onWireHook calls the route's OnWire observer, if any (out of line, so
// that rxWire and txWire inline).
//
//go:noinline
func (r *Route) onWireHook(p *Packet, at sim.Time, sent bool) {
	if r.onWire != nil {
		r.onWire(p, at, sent)
	}
}

// toPipe puts f on the link w (a switch port's), arriving at the far end
// at f.at; h(arg) is the link's arrival handler.
func (n *Network) toPipe(w *pipe, f inFlight, h sim.Handler, arg uint64) {
	w.push(f.at, f.id, f.port, f.dst, f.bytes)
	if !w.armed {
		w.armed = true
		n.eng.Schedule(f.at, h, arg)
	}
}

// drain hands the packets at the head of a switch port's link w to their
// next hop: the next switch port, or the destination node. Like
// wireArrival, it goes on inline while the next one is the engine's next
// event anyway.
func (n *Network) drain(w *pipe, e *sim.Engine, h sim.Handler, arg uint64) {
	for {
		f := w.pop(e.Now())
		if n.scaled && w.size > 0 {
			// the next frame's packet, if it leaves the fabric there: at
			// scale it is out of the cache, and its load would stall the
			// hop that reads it. (Prefetching, for a frame bound to
			// another port, that port's queue ends did not pay.)
			if g := &w.first; g.port < 0 {
				prefetch.Range(unsafe.Pointer(n.pool.at(g.id)), unsafe.Sizeof(Packet{}))
			}
		}
		if f.port >= 0 {
			n.admit(f)
		} else {
			p := n.pool.at(f.id)
			if pf := p.route.pf; pf != nil && n.scaled {
				pf.Prefetch(p)
			}
			n.advance(n.rxWire(p, f.at), f.at, true)
		}
		if w.size == 0 {
			w.armed = false
			return
		}
		next := w.next()
		if !e.Continue(next) {
			e.Schedule(next, h, arg)
			return
		}
	}
}
