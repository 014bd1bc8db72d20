package network

import (
	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/sim"
)

// Route is one direction of a flow compiled onto the cluster: its
// segments with their accounting counters, the receiving endpoint, its
// bytes waiting for the wire (for TCP small queues and UDP send buffers),
// and its drop hooks.
type Route struct {
	// The fields a packet's hops read or write come first, in the first
	// three cache lines: at a fabric's scale the route is out of the cache
	// whenever one of its packets needs it, and each line more is a miss.
	net      *Network
	segs     []segment
	to       Endpoint
	pf       Prefetcher // to, if it is one
	src, dst int
	hops     []int32 // the fabric's egress ports it crosses (nil: none)

	sent, delivered, dropped uint64

	// bytes sent and not yet on the wire: before the NIC (preNic) and in
	// the NIC queue (ring of serialisation end times).
	preNic  int64
	encap   int16 // outer bytes: a tunnel's and encryption's headers, tens
	rssCore int16
	wired   bool
	hooked  bool  // a blackhole, dropNth or OnSend was set: hookDrops must look
	orphan  uint8 // 1 with Config.TSQOrphan on a path through the sending node's IP stack (orphansSkb): its NIC queue entries count no bytes
	ring    []txEntry
	head, n int
	ringB   int64
	target  int64 // throttled sender: wake when queued bytes fall to target (-1: not throttled)
	netB    int64 // with Config.TSQThroughFabric: bytes sent and neither delivered nor dropped
	// DropIf, when set, drops the packets it returns true for (tests).
	DropIf func(p *Packet, at sim.Time) bool
	wake   sim.Timer

	recvCore int16
	rpsCore  int16 // with RPS (Config.RPS): the core the inner flow's hash steers its stack to
	// sharesCore: the sending application runs on the receiving core of
	// the same node (RouteSpec.SenderShares), so a reader woken there
	// waits for the sender's time slice (Config.TimeSlice); in the
	// padding before recvProc
	sharesCore bool
	recvProc   *sim.Processor // core recvCore of node dst
	// the reader: when its last copy ends, and the bytes its last read
	// call has taken (Recv)
	recvIdle  sim.Time
	readCarry int64

	gso0       gsoBatch // the open GSO super-packet (offload.go)
	tsoDropped bool     // the NIC queue dropped the head of the open super-packet
	ecnOpaque  bool     // the wire header does not carry the packet's ECN field (ECNTransparent)

	blackholeUntil sim.Time
	dropNth        []uint64 // ascending packet numbers (1-based) to drop

	ecmp  uint64 // the ECMP hash of its outer header (ecmp.go), to hash it again when links fail
	folds uint64 // times folded by a sweep after Retire (retire.go)
	next  *Route // a relayed route's second leg (relay.go)
	recv  segment

	// observers (a packet capture), nil: none; last, off every packet's lines
	onSend             func(p *Packet, at sim.Time)
	onWire             func(p *Packet, at sim.Time, sent bool)
	tunnel, encryption datapath.Encap // the path's, for a capture's outer headers
	// skbHash is the hash its packets' skbs carry to the source NIC's
	// qdisc (fq_codel's flow queue, fqcodel.go)
	skbHash uint64
	// a reader on its sender's core (sharesCore): its last wake-up and the
	// payload it was handed since, the sender's rate for sliceWait
	lastWake, lastArrive sim.Time
	sinceWake            int64
}

type txEntry struct {
	done  sim.Time
	bytes int64
}

// Src and Dst return the route's nodes.
func (r *Route) Src() int { return r.src }

// Dst returns the receiving node.
func (r *Route) Dst() int { return r.dst }

// rxCore is the receiving core that pick (pickRSS or pickRPS) names.
func (r *Route) rxCore(pick corePick) int16 {
	if pick == pickRPS {
		return r.rpsCore
	}
	return r.rssCore
}

// RSSCore returns the receiving node's core that runs the route's softirq.
func (r *Route) RSSCore() int { return int(r.rssCore) }

// RecvCore returns the receiving application's core.
func (r *Route) RecvCore() int { return int(r.recvCore) }

// Counts returns packets sent into, delivered by and dropped on the route.
func (r *Route) Counts() (sent, delivered, dropped uint64) { return r.sent, r.delivered, r.dropped }

// BlackholeUntil drops every packet sent on the route before t (a pod whose
// network is not ready yet: DESIGN 2, "Pod launch pipeline").
func (r *Route) BlackholeUntil(t sim.Time) { r.blackholeUntil, r.hooked = t, true }

// DropNth drops the k-th packet sent on the route (1-based), for tests.
func (r *Route) DropNth(k ...uint64) {
	r.dropNth = append(r.dropNth, k...)
	r.hooked = true
	for i := 1; i < len(r.dropNth); i++ { // insertion sort: tiny lists
		for j := i; j > 0 && r.dropNth[j] < r.dropNth[j-1]; j-- {
			r.dropNth[j], r.dropNth[j-1] = r.dropNth[j-1], r.dropNth[j]
		}
	}
}

// OnSend calls f with every packet the sender hands to the route, at the
// time it does, before any of the route's drops (a capture in the sending
// pod sees a SYN its CNI then drops). f must not keep p: the network owns
// it. It costs the routes without one nothing: Send looks only when a
// hook is set.
func (r *Route) OnSend(f func(p *Packet, at sim.Time)) { r.onSend, r.hooked = f, f != nil || r.hooked }

// OnWire calls f with every packet of the route (each leg, if relayed) as
// a capture on the nodes' NICs would see it: sent when it starts leaving
// the sending node's NIC (after its queue: a packet the queue drops is
// not seen), received when it has arrived at the receiving node's, before
// its stages. f must not keep p. The wire looks for it only once a route
// of the network has one.
func (r *Route) OnWire(f func(p *Packet, at sim.Time, sent bool)) {
	for ; r != nil; r = r.next {
		r.onWire = f
		r.net.wireTap = r.net.wireTap || f != nil
	}
}

// Encapsulation returns the tunnel and the encryption layer of the
// route's wire packets (datapath.EncapNone: none) and the bytes they add.
func (r *Route) Encapsulation() (tunnel, encryption datapath.Encap, bytes int) {
	return r.tunnel, r.encryption, int(r.encap)
}

// Intercept puts wrap(endpoint) in front of the endpoint the route (its
// last leg, if relayed) delivers to: an observer of what arrives (a packet
// capture), which must pass every packet on. The route then prefetches
// nothing for it.
func (r *Route) Intercept(wrap func(Endpoint) Endpoint) {
	for r.next != nil {
		r = r.next
	}
	r.to, r.pf = wrap(r.to), nil
}

func (r *Route) hookDrops(p *Packet, at sim.Time) bool {
	if r.onSend != nil {
		r.onSend(p, at)
	}
	if at < r.blackholeUntil || r.DropIf != nil && r.DropIf(p, at) {
		return true
	}
	for len(r.dropNth) > 0 && r.dropNth[0] < r.sent {
		r.dropNth = r.dropNth[1:]
	}
	if len(r.dropNth) > 0 && r.dropNth[0] == r.sent {
		r.dropNth = r.dropNth[1:]
		return true
	}
	return false
}

// Read is data made readable to the receiving application at once.
type Read struct {
	Pkts    int   // packets carrying it
	Bytes   int64 // their IP bytes (per-byte costs)
	Payload int64 // their payload bytes
	// Size is the bytes one read call asks for (iperf3 128 KiB); a
	// datagram socket (Datagrams) reads one packet per call whatever Size.
	Size      int64
	Datagrams bool
	// WindowLeft is, for a stream, the payload bytes its sender may still
	// send before this reader's reads open the window (the advertised
	// right edge less rcv_nxt): a reader waiting for its sender's time
	// slice runs once the sender has used them (Route.sliceWait).
	WindowLeft int64
}

// Recv runs the receiving application's copy (the Recv-context steps) for
// data made readable at time at, on the route's receive core; it returns
// when the copy is done. The per-packet steps run per packet; the per-read
// steps (datapath/calls.go) once per read call and the per-wake-up ones
// once if the reader was blocked: a reader that had finished every
// earlier copy by at sleeps in its read call and is woken, and reads what
// it finds in calls of Size bytes (starting Config.WakeupLatency later if
// its core was idle, up to Config.TimeSlice later if its sender runs on
// its core); data arriving while it still wakes or copies is read by the
// call in progress up to Size bytes, then by further calls, after the
// copies before it.
func (r *Route) Recv(rd Read, at sim.Time) sim.Time {
	s := &r.recv
	if len(s.steps) == 0 || rd.Pkts == 0 {
		return at
	}
	woke := at >= r.recvIdle
	calls := r.readCalls(&rd, woke) // by pointer: a copy of rd would load across its spilled fields (store forwarding)
	s.pkts += uint64(rd.Pkts)
	s.bytes += uint64(rd.Bytes)
	s.calls += uint64(calls)
	t := float64(rd.Pkts)*s.psPkt + s.psByte*float64(rd.Bytes) + float64(calls)*s.psCall
	if woke {
		s.wakes++
		t += s.psWake
	}
	if j := &r.net.jit; j.on && t > 0 {
		// one job: one factor for the whole copy
		f := j.factor(r.dst)
		t *= f
		s.jPkts += (f - 1) * float64(rd.Pkts)
		s.jBytes += (f - 1) * float64(rd.Bytes)
		s.jCalls += (f - 1) * float64(calls)
		if woke {
			s.jWakes += f - 1
		}
	}
	arrived := at
	switch {
	case !woke:
		at = r.recvIdle // the call in progress copies it next, not in a gap before
	case r.sharesCore:
		at += r.sliceWait(&rd, at) // the sender keeps the core until its slice ends
	case r.recvProc.BusyUntil() <= at:
		at += r.net.cfg.WakeupLatency // the reader's core was idle: it wakes first
	}
	if r.sharesCore {
		r.sinceWake += rd.Payload
		r.lastArrive = arrived
	}
	_, done := r.recvProc.Book(r.net.eng.Now(), at, sim.Time(t+0.5))
	r.recvIdle = done
	return done
}

// sliceWait is how long a reader woken at at on its sender's core waits
// for it: the sender's time slice (Config.TimeSlice), or less when the
// sender will have used the window this reader left it (rd.WindowLeft)
// sooner, at the rate its data arrived between the reader's last wake-up
// and the last arrival before this one (while it was sending, not after
// it stopped): Linux runs the reader as soon as the sender sleeps.
func (r *Route) sliceWait(rd *Read, at sim.Time) sim.Time {
	slice := r.net.cfg.TimeSlice
	last, bytes := r.lastWake, r.sinceWake
	r.lastWake, r.sinceWake = at, 0
	if rd.Datagrams || last == 0 || bytes <= 0 || r.lastArrive <= last {
		return slice // no flow control, or no rate yet
	}
	perByte := float64(r.lastArrive-last) / float64(bytes)
	return min(slice, sim.Time(float64(max(rd.WindowLeft, 0))*perByte+0.5))
}

// readCalls returns the read calls that take rd's data, keeping in
// r.readCarry what the last call has read so far.
func (r *Route) readCalls(rd *Read, woke bool) int64 {
	if rd.Datagrams {
		return int64(rd.Pkts)
	}
	size, p := rd.Size, rd.Payload
	if size <= 0 { // no size: one call takes everything a wake-up finds
		if woke {
			return 1
		}
		return 0
	}
	if !woke {
		space := size - r.readCarry
		if p <= space {
			r.readCarry += p
			return 0
		}
		p -= space
	}
	if p <= 0 {
		r.readCarry = 0
		return 1 // a wake-up with no payload (a FIN): one call returns
	}
	calls := (p + size - 1) / size
	r.readCarry = p - (calls-1)*size
	return calls
}

// RecvCost returns the Recv-context cycles for one packet of the given IP
// bytes (0 when the path has no Recv steps), without calls or wake-ups.
func (r *Route) RecvCost(bytes int) sim.Time {
	return sim.Time(r.recv.psPkt + r.recv.psByte*float64(bytes) + 0.5)
}

func (r *Route) txPush(done sim.Time, bytes int64) {
	if r.n == len(r.ring) {
		r.ring, r.head = sim.GrowRing(r.ring, r.head, r.n, 64), 0 // a power of two: index with a mask
	}
	r.ring[(r.head+r.n)&(len(r.ring)-1)] = txEntry{done, bytes}
	r.n++
	r.ringB += bytes
}

func (r *Route) retire(now sim.Time) {
	for r.n > 0 && r.ring[r.head].done <= now {
		r.ringB -= r.ring[r.head].bytes
		r.head = (r.head + 1) & (len(r.ring) - 1)
		r.n--
	}
}

// TxQueued returns the IP bytes sent on the route that have not finished
// serialisation on the wire at now (0 for an intra-host route); with
// Config.TSQThroughFabric, those neither delivered nor dropped; with
// Config.TSQOrphan, on a pod's path through its node's IP stack, those
// not yet in the NIC queue (the ring's entries carry no bytes).
func (r *Route) TxQueued(now sim.Time) int64 {
	if r.net.tsqFabric {
		return r.netB
	}
	r.retire(now)
	return r.preNic + r.ringB
}

// SetTxWaker names the handler called when a throttled route drains.
func (r *Route) SetTxWaker(h sim.Handler, arg uint64) {
	r.wake.Init(r.net.eng, h, arg)
	r.target = -1
}

// Throttle asks for a wake-up (through the handler given to SetTxWaker)
// once the route's queued bytes fall to target or below: Linux's TCP
// small queues and the UDP send buffer, which stop a local sender from
// flooding its own qdisc.
func (r *Route) Throttle(now sim.Time, target int64) {
	r.target = target
	r.retire(now)
	r.txProgress(true)
}

// release takes bytes delivered or dropped off a route's queued bytes
// (Config.TSQThroughFabric) and wakes a throttled sender they drain.
func (r *Route) release(bytes int64) {
	r.netB -= bytes
	if r.target >= 0 && r.netB <= r.target && !r.wake.Armed() {
		r.wake.Set(r.net.eng.Now())
	}
}

// Throttled reports whether a wake-up is pending.
func (r *Route) Throttled() bool { return r.target >= 0 }

// Unthrottle cancels a pending wake-up (the waker calls it first).
func (r *Route) Unthrottle() {
	r.target = -1
	r.wake.Stop()
}

// txProgress arms the wake-up for the time the queue drains to target,
// known from the NIC's completion times. A packet moving from before the
// NIC into its queue leaves that time unchanged, so only an unarmed
// wake-up (the packets still before the NIC exceeded the target) or a
// drop (the queue shrank) needs the scan again.
func (r *Route) txProgress(force bool) {
	if r.target < 0 || r.wake.Armed() && !force {
		return
	}
	now := r.net.eng.Now()
	if r.net.tsqFabric { // drained by deliveries and drops (release)
		if r.netB <= r.target {
			r.wake.Set(now)
		}
		return
	}
	q := r.preNic + r.ringB
	if q <= r.target {
		r.wake.Set(now)
		return
	}
	for i := 0; i < r.n; i++ {
		e := r.ring[(r.head+i)&(len(r.ring)-1)]
		q -= e.bytes
		if q <= r.target {
			r.wake.Set(max(e.done, now))
			return
		}
	}
}

// orphansSkb reports whether the sending node's IP stack receives path's
// packets before its NIC (a sending-side ip_rcv step): Linux's
// ip_rcv_core takes such an skb from its socket, which stops counting it
// (Config.TSQOrphan). A host-network socket's own output and an eBPF
// redirect past the host stack have no such step.
func orphansSkb(path datapath.CostedPath) bool {
	if !path.InterHost {
		return false
	}
	for _, s := range path.Steps {
		if s.Side == datapath.Src && s.Kind == datapath.IPRcv { // Count >= 1: datapath validates it
			return true
		}
	}
	return false
}
