package network

import (
	"math"
	"unsafe"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/sim"
)

// fq_codel, the transmit queue of a node's NIC with Config.Qdisc =
// QdiscFQCoDel: Linux's default qdisc wherever systemd sets
// net.core.default_qdisc (RFC 8290; net/sched/sch_fq_codel.c and
// include/net/codel_impl.h, Linux 6.18, followed step by step below). A
// packet goes to one of 1,024 flow queues by its skb's hash (skbHash);
// the queues are served by deficit round robin, flows that have just
// become active (new) before the others (old), and each queue runs CoDel
// at its head: once the packets it hands out have waited at least target
// for an interval, it drops (or marks CE, for an ECN-capable packet) and
// drops again after interval / sqrt(count), until a packet waits less.
// Unlike the FIFO, a packet's departure is known only when the NIC takes
// it, so the NIC takes packets in events of their own (fqDequeuer).
//
// The parameters are Config.FQCoDel's (Linux's defaults:
// DefaultFQCoDel), the others Linux's fixed ones, quoted, not measured:
// this project's kernel has no fq_codel to measure against.
const (
	fqFlows     = 1024            // q->flows_cnt
	fqDropBatch = 64              // q->drop_batch_size
	codelShift  = 10              // CODEL_SHIFT: codel time is ns >> 10
	recInvBits  = 16              // REC_INV_SQRT_BITS
	recInvShift = 32 - recInvBits // REC_INV_SQRT_SHIFT
	fqHeader    = 14              // psched_mtu: dev->mtu + hard_header_len (Ethernet)
	fqNewList   = 1
	fqOldList   = 2
	fqNoFlow    = -1
	codelNever  = int64(-1) << 62 // first_above_time 0: not above target
)

// FQCoDelNodeBytes is what a node's fq_codel holds before any packet
// waits in it: its flow queues' state (a run's memory estimate counts it).
const FQCoDelNodeBytes = fqFlows * int(unsafe.Sizeof(fqFlow{}))

// Qdisc values (Config.Qdisc).
const (
	QdiscPFIFO   = "pfifo"    // a FIFO of QdiscLen packets: pfifo_fast, txqueuelen
	QdiscFQCoDel = "fq_codel" // fqCodel
)

// Qdiscs are the values Config.Qdisc accepts ("" is QdiscPFIFO).
var Qdiscs = []string{QdiscPFIFO, QdiscFQCoDel}

// fqEntry is a packet waiting in a flow queue: its pool index, length
// (qdisc_pkt_len: the frame's) and enqueue time. With offloads a GSO
// super-packet is one skb: its segments behind the head are entries that
// continue it (cont), taken, dropped and marked with it.
type fqEntry struct {
	id    int32
	bytes int32
	at    sim.Time
	cont  bool
}

// fqFlow is one flow queue with its CoDel state (struct codel_vars).
type fqFlow struct {
	q          []fqEntry // ring, power-of-two length
	head, n    int
	backlog    int64
	deficit    int64
	next       int // the list's next flow, fqNoFlow at its tail
	list       uint8
	dropping   bool
	count      uint32
	lastCount  uint32
	recInvSqrt uint16
	dropNext   int64  // codel time
	firstAbove int64  // codel time, codelNever when below target
	ldelay     int64  // the sojourn of the packet last taken, codel time
	last       *Route // the route of the newest skb, whose segments may follow it
}

// fqCodel is a node's fq_codel qdisc.
type fqCodel struct {
	flows   []fqFlow
	lists   [3]struct{ head, tail int } // new and old flows
	qlen    int
	backlog int64
	// psched_mtu (MTU + the Ethernet header): deficit round robin's
	// quantum and CoDel's "backlog <= mtu" floor alike
	mtu int64
	// the parameters, in codel time (ns >> 10): Config.FQCoDel
	target, interval, ceThreshold int64
	limit                         int
	ecn                           bool
	perturb                       uint64
	armed                         bool    // a dequeue event is pending
	group                         []int32 // the packets of the skb last taken
	marks                         uint64  // skbs CoDel marked CE (Stats.QdiscMarks)
}

func newFQCodel(mtu int, p FQCoDel, perturb uint64) *fqCodel {
	q := &fqCodel{flows: make([]fqFlow, fqFlows), mtu: int64(mtu + fqHeader), perturb: perturb,
		target: codelTime(p.Target), interval: codelTime(p.Interval), limit: p.Limit, ecn: p.ECN, ceThreshold: math.MaxInt64} // off
	if p.CEThreshold > 0 {
		q.ceThreshold = codelTime(p.CEThreshold)
	}
	for i := range q.flows {
		q.flows[i].next, q.flows[i].firstAbove = fqNoFlow, codelNever
	}
	for l := range q.lists {
		q.lists[l] = struct{ head, tail int }{fqNoFlow, fqNoFlow}
	}
	return q
}

// codelTime is Linux's codel_get_time of simulated time t: ns >> 10.
func codelTime(t sim.Time) int64 { return int64(t/sim.Nanosecond) >> codelShift }

// bucket is the flow queue of a route's packets: its skbs' hash scaled
// to the flows (fq_codel_classify: reciprocal_scale(skb_get_hash,
// flows_cnt)). A socket's hash is random (sk_set_txhash), so which flows
// share a queue is too: perturb, drawn per node from the run's seed.
func (q *fqCodel) bucket(r *Route) int {
	return int((mix(r.skbHash^q.perturb) >> 32 * fqFlows) >> 32)
}

// skbSalt separates the skb hash from the RSS and ECMP hashes of a key.
const skbSalt = 0xbb67ae8584caa73b

// skbHash is the hash a route's skbs carry to its source node's qdisc,
// which skb_get_hash returns when one is set. A socket sets its flow's
// (skb_set_hash_from_sk, an L4 hash), which a veth keeps and a kernel
// tunnel keeps too (iptunnel_xmit's skb_clear_hash_if_not_l4; VXLAN and
// Geneve take their source port from it), so the qdisc tells a pod's
// flows apart over IP-in-IP, GRE and ESP as well, where a switch's ECMP
// sees only the node pair. A user-space tunnel (Flannel UDP, Weave
// sleeve) sends every flow to a node from one daemon socket: one hash
// per node pair.
func skbHash(path datapath.CostedPath, src, dst int, flowKey uint64) uint64 {
	if userspaceTunnel(path) {
		return mix(uint64(src)<<32 | uint64(uint32(dst)) ^ skbSalt)
	}
	return mix(flowKey ^ skbSalt)
}

func (q *fqCodel) pushList(l uint8, i int) {
	f := &q.flows[i]
	f.list, f.next = l, fqNoFlow
	if q.lists[l].tail == fqNoFlow {
		q.lists[l].head = i
	} else {
		q.flows[q.lists[l].tail].next = i
	}
	q.lists[l].tail = i
}

func (q *fqCodel) popList(l uint8) int {
	i := q.lists[l].head
	f := &q.flows[i]
	q.lists[l].head = f.next
	if f.next == fqNoFlow {
		q.lists[l].tail = fqNoFlow
	}
	f.list, f.next = 0, fqNoFlow
	return i
}

// enqueue adds a packet of route r (fq_codel_enqueue); batched, it
// continues r's newest skb if that is the queue's last. Past the limit
// it drops a batch of skbs from the head of the fattest flow, calling drop
// for each packet (fq_codel_drop), and reports whether it dropped.
func (q *fqCodel) enqueue(i int, e fqEntry, r *Route, batched bool, drop func(id int32)) bool {
	f := &q.flows[i]
	if f.n == len(f.q) {
		f.q = sim.GrowRing(f.q, f.head, f.n, 8)
		f.head = 0
	}
	e.cont = batched && f.n > 0 && f.last == r
	f.q[(f.head+f.n)&(len(f.q)-1)] = e
	f.n++
	f.last = r
	f.backlog += int64(e.bytes)
	q.backlog += int64(e.bytes)
	if e.cont {
		return false // a segment of an skb already counted
	}
	q.qlen++
	if f.list == 0 {
		q.pushList(fqNewList, i)
		f.deficit = q.mtu
	}
	if q.qlen <= q.limit {
		return false
	}
	fat := 0
	for j := range q.flows {
		if q.flows[j].backlog > q.flows[fat].backlog {
			fat = j
		}
	}
	g := &q.flows[fat]
	threshold := g.backlog >> 1
	var dropped int64
	k := uint32(0)
	for {
		d := q.pop(g)
		dropped += int64(d.bytes)
		q.dropGroup(drop)
		k++
		if k >= fqDropBatch || dropped >= threshold || g.n == 0 {
			break
		}
	}
	g.count += k
	return true
}

// pop takes a flow's head skb (dequeue_head, with fq_codel's accounting
// in dequeue_func): its first packet's entry with the skb's length, its
// packets in q.group.
func (q *fqCodel) pop(f *fqFlow) fqEntry {
	mask := len(f.q) - 1
	e := f.q[f.head]
	q.group = append(q.group[:0], e.id)
	f.head = (f.head + 1) & mask
	f.n--
	for f.n > 0 && f.q[f.head].cont {
		c := f.q[f.head]
		q.group = append(q.group, c.id)
		e.bytes += c.bytes
		f.head = (f.head + 1) & mask
		f.n--
	}
	if f.n == 0 {
		f.last = nil
	}
	f.backlog -= int64(e.bytes)
	q.backlog -= int64(e.bytes)
	q.qlen--
	return e
}

// dropGroup drops the packets of the skb last taken.
func (q *fqCodel) dropGroup(drop func(id int32)) {
	for _, id := range q.group {
		drop(id)
	}
}

// markGroup marks the skb last taken CE where CoDel would drop it, if the
// qdisc marks (ecn), and reports whether it did.
func (q *fqCodel) markGroup(mark func(id int32) bool) bool { return q.ecn && q.markAll(mark) }

// markAll marks the skb last taken CE if its head is ECN-capable (its
// segments share the head's IP header: INET_ECN_set_ce), and reports
// whether it was.
func (q *fqCodel) markAll(mark func(id int32) bool) bool {
	if !mark(q.group[0]) {
		return false
	}
	for _, id := range q.group[1:] {
		mark(id)
	}
	return true
}

// dequeue hands out the next skb at now (fq_codel_dequeue), its packets
// in q.group, calling drop for each packet CoDel drops and mark for each
// it marks CE (mark reports whether the packet is ECN-capable: a packet
// that is not is dropped instead). ok is false when every queue is empty.
func (q *fqCodel) dequeue(now sim.Time, drop func(id int32), mark func(id int32) bool) (fqEntry, bool) {
	ct := codelTime(now)
	for {
		l := uint8(fqNewList)
		if q.lists[l].head == fqNoFlow {
			l = fqOldList
			if q.lists[l].head == fqNoFlow {
				return fqEntry{}, false
			}
		}
		i := q.lists[l].head
		f := &q.flows[i]
		if f.deficit <= 0 {
			f.deficit += q.mtu
			q.popList(l)
			q.pushList(fqOldList, i)
			continue
		}
		e, ok := q.codelDequeue(f, ct, drop, mark)
		if !ok {
			q.popList(l)
			if l == fqNewList && q.lists[fqOldList].head != fqNoFlow {
				q.pushList(fqOldList, i)
			}
			continue
		}
		f.deficit -= int64(e.bytes)
		return e, true
	}
}

// shouldDrop is codel_should_drop for the packet e just taken (ok: there
// was one), q.backlog no longer counting it.
func (q *fqCodel) shouldDrop(f *fqFlow, e fqEntry, ok bool, now int64) bool {
	if !ok {
		f.firstAbove = codelNever
		return false
	}
	sojourn := now - codelTime(e.at)
	f.ldelay = sojourn
	if sojourn < q.target || q.backlog <= q.mtu {
		f.firstAbove = codelNever
		return false
	}
	if f.firstAbove == codelNever {
		f.firstAbove = now + q.interval
		return false
	}
	return now > f.firstAbove
}

func (q *fqCodel) take(f *fqFlow) (fqEntry, bool) {
	if f.n == 0 {
		return fqEntry{}, false
	}
	return q.pop(f), true
}

// codelDequeue is codel_dequeue on one flow queue.
func (q *fqCodel) codelDequeue(f *fqFlow, now int64, drop func(id int32), mark func(id int32) bool) (fqEntry, bool) {
	e, ok := q.take(f)
	if !ok {
		f.dropping = false
		return e, false
	}
	dropIt := q.shouldDrop(f, e, ok, now)
	switch {
	case f.dropping && !dropIt:
		f.dropping = false
	case f.dropping && now >= f.dropNext:
		for f.dropping && now >= f.dropNext {
			f.count++
			f.newtonStep()
			if q.markGroup(mark) {
				q.marks++
				f.dropNext = controlLaw(f.dropNext, q.interval, f.recInvSqrt)
				break // codel_dequeue's goto end
			}
			q.dropGroup(drop)
			e, ok = q.take(f)
			if !q.shouldDrop(f, e, ok, now) {
				f.dropping = false
			} else {
				f.dropNext = controlLaw(f.dropNext, q.interval, f.recInvSqrt)
			}
		}
	case !f.dropping && dropIt:
		if q.markGroup(mark) {
			q.marks++
		} else {
			q.dropGroup(drop)
			e, ok = q.take(f)
			q.shouldDrop(f, e, ok, now)
		}
		f.dropping = true
		delta := f.count - f.lastCount
		if delta > 1 && now-f.dropNext < 16*q.interval {
			f.count = delta
			f.newtonStep()
		} else {
			f.count = 1
			f.recInvSqrt = ^uint16(0)
		}
		f.lastCount = f.count
		f.dropNext = controlLaw(now, q.interval, f.recInvSqrt)
	}
	if ok && f.ldelay > q.ceThreshold && q.markAll(mark) { // ce_threshold, with the qdisc's ecn or not
		q.marks++
	}
	return e, ok
}

// newtonStep is codel_Newton_step: one Newton iteration of 1/sqrt(count)
// in Q0.16.
func (f *fqFlow) newtonStep() {
	invsqrt := uint32(f.recInvSqrt) << recInvShift
	invsqrt2 := uint32((uint64(invsqrt) * uint64(invsqrt)) >> 32)
	val := (uint64(3) << 32) - uint64(f.count)*uint64(invsqrt2)
	val >>= 2
	val = (val * uint64(invsqrt)) >> (32 - 2 + 1)
	f.recInvSqrt = uint16(val >> recInvShift)
}

// controlLaw is codel_control_law: t + interval / sqrt(count).
func controlLaw(t, interval int64, recInvSqrt uint16) int64 {
	return t + int64((uint64(interval)*uint64(uint32(recInvSqrt)<<recInvShift))>>32)
}

// beforeNIC is transmit's path for a packet that does not join the FIFO:
// too large for the path with DF set (dropped), or, with fq_codel, bound
// for a flow queue. Out of line: transmit keeps its lines (default.pgo).
func (n *Network) beforeNIC(node *Node, r *Route, p *Packet, at sim.Time) bool {
	if p.frag && n.cfg.DropOversize {
		n.dropDF++
		n.discard(r, p)
		r.txProgress(true)
		return false
	}
	q := node.fq
	// a socket that counts its bytes to the wire counts them while they
	// wait in the qdisc (transmit has taken them off preNic)
	r.preNic += n.heldBytes(r, p)
	dropped := q.enqueue(q.bucket(r), fqEntry{id: p.id, bytes: n.qdiscLen(r, p), at: at}, r, p.batched, n.fqDrop)
	r.txProgress(false)
	if !q.armed { // the queue was empty
		if t := node.NIC.BusyUntil(); t > at {
			q.armed = true
			n.eng.Schedule(t, (*fqDequeuer)(n), uint64(node.index))
		} else {
			n.fqTake(node, at) // the NIC is free: it takes the packet at once, as an event at at would
		}
	}
	return !dropped
}

// heldBytes are p's bytes that its socket counts until the NIC sends
// them: none past an orphaning stack (Route.orphan).
func (n *Network) heldBytes(r *Route, p *Packet) int64 {
	return int64(p.IPBytes) &^ -int64(r.orphan)
}

// qdiscLen is the length the qdisc counts for p: the frame without the
// preamble, FCS and gap (qdisc_pkt_len: skb->len with its Ethernet
// header), the tunnel's headers included.
func (n *Network) qdiscLen(r *Route, p *Packet) int32 {
	return int32(p.IPBytes) + int32(r.encap) + fqHeader
}

// fqDrop drops a packet fq_codel took (CoDel or the limit).
func (n *Network) fqDrop(id int32) {
	p := n.pool.at(id)
	r := p.route
	n.dropQdisc++
	r.preNic -= n.heldBytes(r, p)
	n.discard(r, p)
	r.txProgress(true)
}

// fqDequeuer is the Network as the handler of a node's fq_codel dequeue:
// the NIC is free, and takes the next packet; arg is the node index.
type fqDequeuer Network

func (h *fqDequeuer) Handle(e *sim.Engine, arg uint64) {
	n := (*Network)(h)
	node := &n.Nodes[arg]
	node.fq.armed = false
	n.fqTake(node, e.Now())
}

// fqTake has node's free NIC take the next skb from fq_codel at t, and
// arms the next dequeue for when it has sent it.
func (n *Network) fqTake(node *Node, t sim.Time) {
	q := node.fq
	if _, ok := q.dequeue(t, n.fqDrop, n.setCE); !ok {
		return
	}
	var done sim.Time
	for _, id := range q.group { // an skb's segments back to back (TSO)
		done = n.fqSend(node, n.pool.at(id), t)
	}
	if q.qlen > 0 {
		q.armed = true
		n.eng.Schedule(done, (*fqDequeuer)(n), uint64(node.index))
	}
}

// fqSend puts p, taken from fq_codel at now, on the NIC, as transmit's
// tail does for the FIFO, and returns when it has left.
func (n *Network) fqSend(node *Node, p *Packet, now sim.Time) sim.Time {
	r := p.route
	bytes, frames := n.wireBytes(r, p)
	svc := sim.Time(float64(bytes)*n.psPerByte + 0.5)
	start, done := node.NIC.Serve(now, svc)
	node.TxFrames += frames
	node.TxBytes += uint64(bytes)
	held := n.heldBytes(r, p)
	r.preNic -= held
	p.batched = false     // TSO: the NIC cuts super-packets into frames
	r.retire(n.eng.Now()) // not now: TxQueued may still be asked about earlier times
	r.txPush(done, held)
	r.txProgress(false)
	p.seg++
	port := int32(-1)
	if r.hops != nil {
		port = r.hops[0]
	}
	n.toWire(node, n.txWire(p, start), done+n.firstHop, port, int32(r.dst), int32(bytes))
	return done
}
