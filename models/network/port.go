package network

import (
	"fmt"

	"github.com/cnisim/cnisim/sim"
)

// A switch port is an egress FIFO: a frame that has fully arrived (store
// and forward) and spent the switch's per-hop latency joins the port's
// queue if the buffer has room for its bytes, else it is dropped (drop
// tail); the port sends frames one after another at its rate onto its
// link, a pipe like a node's (wire.go). Arrivals at a switch reach it in
// time order because each comes from the head of a link's pipe, which is
// an engine event (one per busy link, not one per packet), so admission is
// exact without an event of its own: the port is "busy until" like a NIC,
// with departure times whose retirement is lazy (O(1) amortised per
// frame). The queue needs no ring of its own: a frame joins the port's
// link pipe when admitted (at its arrival at the far end, departure +
// delay), so the queue is the pipe's newest frames (pipe.qn), whose slots
// the pipe keeps until they are retired even if they have reached the far
// end. A frame's entry is then read at its retirement, and at its
// arrival, a link delay later, the pipe has a copy of it in its own line
// (pipe.first): one miss per hop rather than two.
//
// Its statistics need no events either: a frame's bytes stay in the
// buffer from its arrival to the end of its transmission, so the time
// integral of the queue's bytes is the sum of bytes x residence
// (Little), and the busy time the sum of serialisation times, both
// clipped to the statistics window when read.

// port is one egress port of a switch, laid out by use (TestPortLayout):
// what a frame's arrival and admission read and write in three cache
// lines (its link pipe; the port's state; its counters and statistics),
// what only drops, failures and reports touch after them.
type port struct {
	wire pipe // frames sent (or being sent, or queued) on its link

	sw        int32 // its switch (buffer)
	tier      Tier
	failed    bool     // its link is down (Fabric.Failed): it never sends
	spine     int32    // TierToSpine: the spine its link ends at
	index     int32    // in fabric.ports
	psPerByte float64  // serialisation, picoseconds per byte
	delay     sim.Time // from the end of transmission to the next hop's ready time
	busy      sim.Time // transmitting until
	held      int64    // bytes in the queue (wire.qn frames)
	loss      float64  // probability that a frame is lost on its link (Fabric.Lossy)
	// the statistics window [windowStart, now]
	windowStart sim.Time

	// whole-run counters: in = out + dropped + blackholed + held frames
	// (Conservation); blackholed arrived after its link failed; corrupted
	// were sent on a lossy link and lost at its far end
	in, out  uint64
	windowed bool     // a frame has arrived in the window (maxHeld covers its start)
	wFrames  uint64   // frames admitted in the window
	wBytes   int64    // their bytes
	wBusy    sim.Time // serialisation in the window (up to busy)
	wQueue   float64  // byte-picoseconds held in the window (up to each frame's departure)
	maxHeld  int64    // deepest queue in the window

	node                           int32 // TierToNode: the node its link ends at; else -1
	dropped, blackholed, corrupted uint64
	wDrops                         uint64   // drops in the window
	wEarly                         uint64   // of them, early drops of packets not ECN-capable (Fabric.DropNotECT)
	wMarks                         uint64   // frames marked CE in the window
	tbfLast                        sim.Time // with Config.TBFBurstFrames: when the last frame left (tbfStart); to 256 bytes: every port in the slice starts a line
}

// retire forgets the frames whose transmission has ended by now.
func (pt *port) retire(now sim.Time, sw *switchBuf) {
	w := &pt.wire
	if w.qn > 0 && now >= pt.busy {
		// the last frame queued (departing at busy) has been sent, so
		// have the others: retire them all without reading their slots
		sw.used -= pt.held
		pt.out += uint64(w.qn)
		pt.held, w.qn = 0, 0
		return
	}
	for w.qn > 0 {
		f := w.queued(0)
		if f.at-pt.delay > now {
			return
		}
		b := int64(f.bytes)
		pt.held -= b
		sw.used -= b
		w.qn--
		pt.out++
	}
}

// heldAt is the bytes in the buffer at t (>= the last retirement): the
// frames not yet sent by t.
func (pt *port) heldAt(t sim.Time) int64 {
	var b int64
	for i := range int(pt.wire.qn) {
		if f := pt.wire.queued(i); f.at-pt.delay > t {
			b += int64(f.bytes)
		}
	}
	return b
}

// admit offers the packet f, arrived at its port f.port at f.at (the
// engine's now), to that port: queued and put on its link toward the next
// hop, or dropped.
func (n *Network) admit(f inFlight) {
	now := f.at
	fb := n.fab
	pt := &fb.ports[f.port]
	sw := &fb.switches[pt.sw]
	pt.retire(now, sw)
	pt.in++
	if pt.failed {
		n.dropLink++
		pt.blackholed++
		n.dropFrame(f.id)
		return
	}
	inWindow := now >= pt.windowStart
	if inWindow && !pt.windowed {
		// the queue at the window's start may be its deepest
		pt.windowed = true
		pt.maxHeld = pt.heldAt(pt.windowStart)
	}
	bytes := int64(f.bytes)
	if !fb.room(pt, sw, bytes, now) {
		n.dropAtPort(pt, f.id, inWindow, false)
		return
	}
	if k := fb.cfg.ECNThreshold; k > 0 && pt.held > k && fb.congested(pt.held) {
		// the packet is read only here
		if !n.markCE(pt, f.id, inWindow) && fb.cfg.DropNotECT {
			n.dropAtPort(pt, f.id, inWindow, true)
			return
		}
	}
	start := max(now, pt.busy)
	dep := start + sim.Time(float64(bytes)*pt.psPerByte+0.5)
	pt.busy = dep
	pt.held += bytes
	sw.used += bytes
	if w := pt.windowStart; dep > w {
		pt.wBusy += dep - max(start, w)
		pt.wQueue += float64(bytes) * float64(dep-max(now, w))
	}
	if inWindow {
		pt.wFrames++
		pt.wBytes += bytes
		pt.maxHeld = max(pt.maxHeld, pt.held)
	}
	leaves := dep
	if b := n.tbfBucket; b > 0 {
		// a tbf, not a switch: held until it leaves (retire), then gone
		pt.tbfLast = tbfStart(now, start, pt.tbfLast, b, bytes, pt.psPerByte)
		leaves = pt.tbfLast
	}
	f.at, f.port = leaves+pt.delay, fb.next(pt, f.dst)
	pt.wire.qn++ // queued too, until retired
	n.toPipe(&pt.wire, f, (*portArrival)(n), uint64(pt.index))
}

// dropAtPort drops the frame of pool index id at port pt: for want of
// buffer, or early (Fabric.DropNotECT) where it would have been marked.
func (n *Network) dropAtPort(pt *port, id int32, inWindow, early bool) {
	pt.dropped++
	n.dropPort++
	if inWindow {
		pt.wDrops++
		if early {
			pt.wEarly++
		}
	}
	n.dropFrame(id)
}

// congested reports whether a frame arriving at a queue of held bytes,
// above the marking threshold, is to be marked: always with step marking
// and at or beyond the ramp's top (Fabric.ECNMax), else with the ramp's
// probability.
func (fb *fabric) congested(held int64) bool {
	k, m := fb.cfg.ECNThreshold, fb.cfg.ECNMax
	if m == 0 || held >= m {
		return true
	}
	p := fb.cfg.ECNMaxProb * float64(held-k) / float64(m-k)
	return fb.markRNG.Float64() < p
}

// markCE marks the packet of pool index id CE at port pt, whose queue is
// congested, when it is ECN-capable on the wire, and reports whether it
// was.
func (n *Network) markCE(pt *port, id int32, inWindow bool) bool {
	if !n.setCE(id) {
		return false
	}
	if inWindow {
		pt.wMarks++
	}
	return true
}

// setCE marks the packet of pool index id CE when it is ECN-capable on
// the wire, and reports whether it is (INET_ECN_set_ce: one already
// marked counts as marked): a switch port's marking and fq_codel's.
func (n *Network) setCE(id int32) bool {
	p := n.pool.at(id)
	if p.ECN == ECNNotECT || p.route.ecnOpaque {
		return false
	}
	p.ECN = ECNCE
	return true
}

// next is the port after pt toward node dst (-1: dst itself).
func (fb *fabric) next(pt *port, dst int32) int32 {
	switch pt.tier {
	case TierToSpine: // the spine's port down to dst's leaf
		L, N := int32(fb.cfg.Leaves), int32(fb.cfg.NodesPerLeaf)
		return L*int32(fb.perLeaf) + pt.spine*L + dst/N
	case TierToLeaf: // the leaf's port down to dst
		N := int32(fb.cfg.NodesPerLeaf)
		return dst/N*int32(fb.perLeaf) + dst%N
	}
	return -1
}

// room reports whether a frame of bytes fits the port's buffer at now.
// The shared count may include frames of other ports already sent (their
// rings retire lazily): only when it says "full" are they all retired and
// the exact count asked.
func (fb *fabric) room(pt *port, sw *switchBuf, bytes int64, now sim.Time) bool {
	if !fb.shared {
		return pt.held+bytes <= sw.limit
	}
	if fb.fits(pt, sw, bytes) {
		return true
	}
	for i := sw.first; i < sw.first+sw.n; i++ {
		fb.ports[i].retire(now, sw)
	}
	return fb.fits(pt, sw, bytes)
}

// fits is the shared buffer's test on its count so far: room in the
// buffer, and with dynamic thresholds the port's queue with the frame at
// most alpha x the buffer free before it (Choudhury and Hahne's T(t) =
// alpha (B - Q(t))). An overcounted used only ever refuses.
func (fb *fabric) fits(pt *port, sw *switchBuf, bytes int64) bool {
	if sw.used+bytes > sw.limit {
		return false
	}
	return fb.alpha == 0 || float64(pt.held+bytes) <= fb.alpha*float64(sw.limit-sw.used)
}

// portArrival is the Network as the handler of arrivals at the far end of
// a switch port's link; arg is the port index.
type portArrival Network

func (h *portArrival) Handle(e *sim.Engine, arg uint64) {
	n := (*Network)(h)
	fb := n.fab
	pt := &fb.ports[arg]
	// A fabric with no failed or lossy link reads only the port's pipe
	// (its first line): the flags are in the next.
	if (fb.down != nil || fb.lossRNG != nil) && (pt.failed || pt.loss > 0) {
		n.drainFaulty(pt, e, h, arg)
		return
	}
	n.drain(&pt.wire, e, h, arg)
}

// PortStats are one switch port's figures over the statistics window
// (Fabric.StatsFrom to the time they are read).
type PortStats struct {
	Name string // "tor.node3", "leaf0.spine1", "spine1.leaf0", ...
	Tier Tier
	// Drops are the frames dropped for want of buffer and, EarlyDrops of
	// them, those of packets not ECN-capable that the port would have
	// marked (Fabric.DropNotECT); Frames and Bytes those admitted (wire
	// bytes, framing included); ECNMarks those of them marked CE
	// (Fabric.ECNThreshold).
	Drops, EarlyDrops, Frames, ECNMarks uint64
	Bytes                               int64
	// MaxQueueBytes is the deepest the port's queue was (bytes held,
	// the frame being sent included); MeanQueueBytes its time average.
	MaxQueueBytes  int64
	MeanQueueBytes float64
	// Utilisation is the fraction of the window the port was sending.
	Utilisation float64
	// Failed: the port's link was down for the whole window (failed
	// from before it began); it carried nothing.
	Failed bool
}

// portStats reads every port's statistics at now.
func (n *Network) portStats(now sim.Time) []PortStats {
	fb := n.fab
	out := make([]PortStats, len(fb.ports))
	for i := range fb.ports {
		pt := &fb.ports[i]
		w := pt.windowStart
		span := float64(now - w)
		st := PortStats{Name: fb.portName(i), Tier: pt.tier, Drops: pt.wDrops, EarlyDrops: pt.wEarly, Frames: pt.wFrames, Bytes: pt.wBytes, ECNMarks: pt.wMarks,
			Failed: pt.failed && fb.failedSince <= w}
		if !pt.windowed {
			st.MaxQueueBytes = pt.heldAt(w) // nothing arrived since: the start was the deepest
		} else {
			st.MaxQueueBytes = pt.maxHeld
		}
		if span > 0 {
			// what was counted up to departures after now is not in the window
			busy, q := pt.wBusy, pt.wQueue
			if pt.busy > now {
				busy -= pt.busy - max(now, w)
			}
			for j := range int(pt.wire.qn) {
				if f := pt.wire.queued(j); f.at-pt.delay > now {
					q -= float64(f.bytes) * float64(f.at-pt.delay-max(now, w))
				}
			}
			st.Utilisation = float64(busy) / span
			st.MeanQueueBytes = q / span
		}
		out[i] = st
	}
	return out
}

// portConservation checks every port's frames (in = sent + dropped +
// held), every link's (sent = arrived at the far end + on the link), and
// that the shared counts match the rings.
func (n *Network) portConservation() error {
	fb := n.fab
	now := n.eng.Now()
	var corrupted uint64
	for i := range fb.ports {
		pt := &fb.ports[i]
		corrupted += pt.corrupted
		pt.retire(now, &fb.switches[pt.sw])
		if pt.failed && fb.cfg.FailAt == 0 && pt.in != 0 {
			return fmt.Errorf("network: port %s: its link is down, yet %d frames reached it", fb.portName(i), pt.in)
		}
		if pt.in != pt.out+pt.dropped+pt.blackholed+uint64(pt.wire.qn) {
			return fmt.Errorf("network: port %s: frames not conserved: in %d != sent %d + dropped %d + blackholed %d + queued %d",
				fb.portName(i), pt.in, pt.out, pt.dropped, pt.blackholed, pt.wire.qn)
		}
		var held int64
		for j := range int(pt.wire.qn) {
			held += int64(pt.wire.queued(j).bytes)
		}
		if held != pt.held {
			return fmt.Errorf("network: port %s: %d bytes held, the ring says %d", fb.portName(i), pt.held, held)
		}
		if pt.admitted() != pt.wire.popped+uint64(pt.wire.size) {
			return fmt.Errorf("network: port %s: link not conserved: sent %d != arrived %d + on the link %d",
				fb.portName(i), pt.admitted(), pt.wire.popped, pt.wire.size)
		}
	}
	if corrupted != n.dropCorrupt {
		return fmt.Errorf("network: %d frames lost on lossy links, the ports say %d", n.dropCorrupt, corrupted)
	}
	for i := range fb.switches {
		sw := &fb.switches[i]
		var held int64
		for j := sw.first; j < sw.first+sw.n; j++ {
			held += fb.ports[j].held
		}
		if held != sw.used {
			return fmt.Errorf("network: switch %d: buffer count %d != the ports' %d", i, sw.used, held)
		}
	}
	return nil
}

// admitted is the frames the port accepted (sent or still queued).
func (pt *port) admitted() uint64 { return pt.in - pt.dropped - pt.blackholed }
