package network

import (
	"unsafe"

	"github.com/cnisim/cnisim/internal/prefetch"
	"github.com/cnisim/cnisim/sim"
)

// A node's NIC queue is fed by all its cores, so it must see packets in
// the order of their arrival times, not of the events that computed them:
// a packet whose send-side stages end in the future (t > now) could
// otherwise enter the queue before one that another core hands over
// earlier. Instead of an event per packet at its arrival, packets wait in
// a small per-node list sorted by arrival time, and are offered to the
// NIC as soon as nothing can come before them: once the event that sent
// them has returned (sim.Engine.Defer), every packet arriving no later
// than the engine's horizon (the next event's time) plus the node's
// lookahead (the smallest send-side service any route from the node
// charges from an event to the wire) is safe. The others wait for a
// wake-up at their arrival time. A bulk sender thus costs no NIC event at
// all, and the queue, drops and departures stay exactly those of a FIFO
// in arrival order.
//
// The list is a run sorted by arrival time plus a binary heap for the
// offers that arrive out of order. Packets from one core come in time
// order, so a node whose senders share a core (or keep up) appends to the
// run and pops its front at no cost; with many sending cores, some of them
// backlogged, a node keeps hundreds of packets waiting (188 on average on
// a 1,000-node cluster, where a sorted array's insertion moved 35 of them
// per packet), and those that would break the run's order go to the heap.
// The earlier of the two fronts leaves first, so the order is exactly one
// heap's.

// nicOffer is a packet on its way into a node's NIC queue.
type nicOffer struct {
	at  sim.Time
	id  int32  // the packet's pool index (no pointer: nothing for the GC to scan)
	seq uint32 // the order offered (wrapping: compared by difference)
}

// before orders offers by arrival time, equal times in the order offered.
func (a nicOffer) before(b nicOffer) bool {
	return a.at < b.at || a.at == b.at && int32(a.seq-b.seq) < 0
}

// offerQueue is a node's waiting packets: run[head:] in order, and heap.
type offerQueue struct {
	run  []nicOffer
	head int
	last sim.Time // the time of the run's last offer
	heap []nicOffer
}

func (q *offerQueue) len() int { return len(q.run) - q.head + len(q.heap) }

// first is the earliest waiting offer (the queue must not be empty).
func (q *offerQueue) first() nicOffer {
	if len(q.heap) == 0 || q.head < len(q.run) && q.run[q.head].before(q.heap[0]) {
		return q.run[q.head]
	}
	return q.heap[0]
}

// push adds o, offered after everything waiting (so that an offer at the
// same time as the run's last comes after it): to the run when nothing in
// it comes later.
func (q *offerQueue) push(o nicOffer) {
	k := len(q.run)
	if k == q.head { // the run is empty: start it again at the front
		q.run, q.head, k = q.run[:0], 0, 0
	}
	if k == 0 || o.at >= q.last {
		if k == cap(q.run) && q.head >= 64 && 2*q.head >= k { // full: reuse the front rather than grow
			q.run = q.run[:copy(q.run, q.run[q.head:])]
			q.head = 0
		}
		q.run, q.last = append(q.run, o), o.at
		return
	}
	h := append(q.heap, o)
	i := len(h) - 1
	for i > 0 {
		up := (i - 1) / 2
		if !o.before(h[up]) {
			break
		}
		h[i] = h[up]
		i = up
	}
	h[i] = o
	q.heap = h
}

// pop removes the earliest waiting offer (the queue must not be empty).
func (q *offerQueue) pop() {
	if len(q.heap) == 0 {
		q.head++
		return
	}
	q.popEither()
}

func (q *offerQueue) popEither() {
	if q.head < len(q.run) && q.run[q.head].before(q.heap[0]) {
		q.head++
		return
	}
	h := q.heap
	k := len(h) - 1
	if k <= 1 {
		h[0] = h[k]
		q.heap = h[:k]
		return
	}
	q.heap = siftDown(h[:k], h[k])
}

// siftDown puts last into the heap h whose root was just removed.
func siftDown(h []nicOffer, last nicOffer) []nicOffer {
	i := 0
	for {
		c := 2*i + 1
		if c >= len(h) {
			break
		}
		if c+1 < len(h) && h[c+1].before(h[c]) {
			c++
		}
		if !h[c].before(last) {
			break
		}
		h[i] = h[c]
		i = c
	}
	h[i] = last
	return h
}

// offerNIC hands p to its route's source NIC at time t >= now.
func (n *Network) offerNIC(r *Route, p *Packet, t sim.Time) {
	node := &n.Nodes[r.src]
	if node.pending.len() == 0 && t <= n.eng.Now() {
		n.transmit(r, p, t) // nothing can arrive earlier
		return
	}
	node.pending.push(nicOffer{at: t, id: p.id, seq: node.offers})
	node.offers++
	if !node.deferred {
		node.deferred = true
		n.eng.Defer((*nicFlusher)(n), uint64(node.index))
	}
}

// flush offers the node's waiting packets that nothing can precede, in
// arrival order, and arms the wake-up for the rest.
func (n *Network) flush(node *Node) {
	node.deferred = false
	// horizon + lookahead: at least now + lookahead; the engine's horizon
	// is asked for only when a packet arrives later than that
	h := n.eng.Now() + node.lookahead
	asked := false
	for node.pending.len() > 0 {
		o := node.pending.first()
		if o.at > h && !asked {
			asked = true
			if hz := n.eng.Horizon(); hz < sim.Never-node.lookahead {
				h = hz + node.lookahead
			} else {
				h = sim.Never
			}
		}
		if o.at > h {
			break
		}
		node.pending.pop()
		if n.scaled && node.pending.len() > 0 { // the next one's packet, while this one is sent
			prefetch.Range(unsafe.Pointer(n.pool.at(node.pending.first().id)), unsafe.Sizeof(Packet{}))
		}
		p := n.pool.at(o.id)
		if !n.transmit(p.route, p, o.at) {
			// a drop may have woken a sender at now: back to the floor
			h, asked = n.eng.Now()+node.lookahead, false
		}
	}
	if node.pending.len() > 0 {
		node.wake.Set(node.pending.first().at)
	}
}

// nicFlusher is the Network as the handler of deferred flushes and NIC
// wake-ups; arg is the node index.
type nicFlusher Network

func (f *nicFlusher) Handle(_ *sim.Engine, node uint64) {
	n := (*Network)(f)
	n.flush(&n.Nodes[node])
}

// sendLookahead is the least time a packet of a route can take from an
// event (its Send, or a change of core on the sending side) to the wire:
// the fixed cost of the last send-side segment.
func sendLookahead(segs []segment) sim.Time {
	la := sim.Time(0)
	for i := range segs {
		if segs[i].wire {
			break
		}
		la = sim.Time(segs[i].psPkt + segs[i].psOuter) // floor: never more than the service charged
	}
	return la
}

// interrupt is interrupt moderation (Config.RxUsecs, ethtool's rx-usecs)
// for a frame reaching core's receive queue at t: when its softirq job may
// start. A frame that finds the queue's NAPI idle (no frame of it waiting
// or being processed, no interrupt pending) arms the interrupt, which
// fires usecs later; frames arriving before it fires wait for it, and
// those arriving while NAPI polls are polled at once. So GRO can merge a
// flow's frames even on an idle core, and an idle receiver adds usecs to
// a packet's latency. Out of line, and called after advance's hot call
// sites, whose lines default.pgo knows (called before them it moved their
// lines and cost segment.service its inlining: +2% of bench/bulk.toml's
// instructions).
//
//go:noinline
func (nd *Node) interrupt(core int16, t, usecs sim.Time) sim.Time {
	irq := &nd.irqAt[core]
	switch {
	case t < *irq: // pending
		return *irq
	case nd.rx[core].len(t) > 0: // NAPI is polling
		return t
	}
	*irq = t + usecs
	return *irq
}
