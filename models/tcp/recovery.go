package tcp

import (
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
	"math"
)

// dupThresh is RFC 6675's DupThresh (and RFC 5681's three duplicate ACKs;
// Linux tcp_reordering 3).
const dupThresh = 3

// takeSACK merges the SACK option of an ACK into the scoreboard and
// returns the bytes it newly SACKed (RFC 6675 5, "update the scoreboard")
// and whether it reported a duplicate (D-SACK).
func (ep *Endpoint) takeSACK(h *network.Header) (n int64, dsack bool) {
	rec, ok := ep.peer.sackLog.take(uint64(h.Seq))
	if !ok {
		return 0, false
	}
	if dsack = rec.n > 0 && ep.isDSACK(rec, h.Ack); dsack {
		ep.onDSACK(rec.blk[0])
	}
	for k := uint8(0); k < rec.n; k++ {
		b := rec.blk[k] // a D-SACK block below the ACK or inside the next block adds nothing
		b.start = max(b.start, h.Ack, ep.sndUna)
		if b.end > b.start && b.end <= ep.sndMax {
			n += ep.sb.add(b.start, b.end)
		}
	}
	return n, dsack
}

// isDSACK says whether the option's first block reports a duplicate (RFC
// 2883 4): it lies below the cumulative ACK, or inside the second block.
func (ep *Endpoint) isDSACK(rec *sackRec, ack int64) bool {
	b := rec.blk[0]
	return b.start < ack || rec.n > 1 && b.start >= rec.blk[1].start && b.end <= rec.blk[1].end
}

// onDSACK counts a duplicate the receiver reported against the
// retransmissions of the last recovery (Linux tcp_check_dsack's counting,
// every duplicate being a retransmission here: the network does not
// duplicate packets): once each was reported, none of its originals was
// lost and the recovery is undone (tcp_try_undo_dsack), at the ACK that
// ends it or, after it, at the ACK that reports the last.
func (ep *Endpoint) onDSACK(b span) {
	ep.Stats.DSACKs++
	if ep.tlpHigh > 0 && ep.tlpRetrans && b.start >= ep.tlpSeq && b.end <= ep.tlpHigh {
		ep.tlpDup = true // the probe and the segment it repeated both arrived
	}
	if !ep.undoArmed || ep.undoRetrans <= 0 || b.end <= ep.undoMarker {
		return
	}
	ep.undoRetrans = max(0, ep.undoRetrans-int((b.end-b.start+ep.mss-1)/ep.mss))
	if ep.undoRetrans == 0 && !ep.inRecovery && !ep.inLoss { // in Loss: at the next ACK (lossAck)
		ep.undo()
	}
}

// pipe is RFC 6675's estimate of the bytes in the network (SetPipe):
// unSACKed bytes above snd_una, less those deemed lost and not yet
// retransmitted (a lost byte retransmitted counts once).
func (ep *Endpoint) pipe() int64 {
	p := ep.sndMax - ep.sndUna - ep.sb.sacked
	lost := ep.lostBelow()
	if from := max(ep.highRxt, ep.sndUna); from < lost {
		p -= ep.sb.unsacked(from, lost)
	}
	for _, s := range ep.relost { // retransmitted, then found lost: not in flight
		p -= ep.sb.unsacked(max(s.start, ep.sndUna), min(s.end, ep.highRxt))
	}
	return p
}

// retxRec is a retransmission sent during recovery, the highest sequence
// sent before it (snd_max: data above the fence left after it) and when
// it was sent.
type retxRec struct {
	start, end, fence int64
	sent              sim.Time
}

// detectLostRetx finds retransmissions that were lost in turn, by RACK's
// rule with the order of sending in place of its timestamps (RFC 8985
// 6.2, Linux tcp_rack_detect_loss, without a reordering window: this
// network does not reorder a flow): a retransmission not delivered when
// something sent after it has been (a later retransmission, or data above
// its fence) is lost, and is sent again before any other hole. Without it
// only the RTO would repair a lost retransmission (RFC 6675 sends each
// hole once).
//
// It is incremental (Linux keeps per-segment state for the same reason,
// tcp_mark_lost_retrans): a retransmission is undelivered when sent (it
// carries unSACKed bytes at or above snd_una) and can only become
// delivered by a cumulative ACK reaching into it or by newly SACKed bytes
// overlapping it (the scoreboard's dirty ranges), so only those are looked
// up. Fences rise in send order (snd_max never falls), so the entries
// with fence < hi are a prefix; the entries from the latest delivered one
// and from that prefix are all that change, and the rest stay as they are.
func (ep *Endpoint) detectLostRetx(at sim.Time) {
	if checkDetect != nil {
		defer checkDetect(ep)()
	}
	hi := max(ep.sndUna, ep.sb.high()) // the highest byte delivered, + 1
	log := ep.rtxLog
	last := -1 // the latest retransmission delivered
	// The scan often walks the whole log (61 entries on average on the
	// 1,024-flow leaf-spine): an entry above snd_una outside the span of
	// the newly SACKed ranges is undelivered without asking the
	// scoreboard (retxDeliveredSince's test, by the span's bounds).
	una := ep.sndUna
	dlo, dhi := ep.sb.dirtyBounds()
	// Skipping every entry needs no walk when the log's bounds say so:
	// nothing cumulatively acknowledged and the newly SACKed bytes all
	// above or all below it (in recovery, SACKs mostly report new data
	// above the holes being repaired).
	if ep.rtxLo < una || ep.rtxHi > dlo && ep.rtxLo < dhi {
		for j := len(log) - 1; j >= 0; j-- {
			if r := &log[j]; r.start >= una && (r.end <= dlo || r.start >= dhi) {
				continue
			}
			if ep.retxDeliveredSince(log[j]) {
				last = j
				break
			}
		}
	}
	if last >= 0 && ep.inRecovery {
		ep.rackSentBefore(at, log[last])
	}
	m := last + 1 // log[:m] leaves the log: delivered, or lost again
	for m < len(log) && hi > log[m].fence {
		m++
	}
	for _, r := range log[:m] {
		if !ep.retxDeliveredSince(r) {
			ep.relost = append(ep.relost, span{r.start, r.end})
		}
	}
	if m > 0 {
		ep.rtxLog = log[:copy(log, log[m:])]
		ep.boundRetx()
	}
	ep.sb.clearDirty()
}

// rackSentBefore is RACK's rule for data sent once, by send time (RFC 8985
// 6.2; Linux tcp_rack_advance and tcp_rack_detect_loss, the reordering
// window 0 in recovery): once retransmission r is delivered, every
// unSACKed byte sent before it and not resent since is lost, so data
// above the highest SACKed byte sent before r counts too: a flight's
// last segments lost behind holes are repaired in the same recovery, not
// left to the RTO (nothing above them to SACK). As Linux, a
// retransmission acknowledged within the minimum RTT of its sending may
// have been the original's delivery and moves nothing.
func (ep *Endpoint) rackSentBefore(at sim.Time, r retxRec) {
	if at-r.sent >= ep.minRTT {
		ep.rackLost = max(ep.rackLost, r.fence)
	}
}

// boundRetx sets rtxLo and rtxHi to the log's exact bounds.
func (ep *Endpoint) boundRetx() {
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for _, r := range ep.rtxLog {
		lo, hi = min(lo, r.start), max(hi, r.end)
	}
	ep.rtxLo, ep.rtxHi = lo, hi
}

// checkDetect, when set (by this package's tests), is called before
// detectLostRetx changes anything and returns a check to run after it:
// the tests compare it with the whole-log scan it replaces.
var checkDetect func(ep *Endpoint) func()

// retxDeliveredSince is retxDelivered for a retransmission that was not
// delivered at the last detectLostRetx (or when sent): the scoreboard is
// consulted only if snd_una reached into it or newly SACKed bytes overlap
// it.
func (ep *Endpoint) retxDeliveredSince(r retxRec) bool {
	if r.end <= ep.sndUna {
		return true
	}
	if r.start >= ep.sndUna && !ep.sb.touched(r.start, r.end) {
		return false
	}
	return ep.sb.unsacked(max(r.start, ep.sndUna), r.end) == 0
}

func (ep *Endpoint) retxDelivered(r retxRec) bool {
	return r.end <= ep.sndUna || ep.sb.unsacked(max(r.start, ep.sndUna), r.end) == 0
}

// forgetRetx ends the lost-retransmission bookkeeping after a timeout,
// which sends everything unSACKed again.
func (ep *Endpoint) forgetRetx() {
	ep.rtxLog, ep.relost = ep.rtxLog[:0], ep.relost[:0]
	ep.rackLost = 0
}

// carryRetx ends a recovery's loss marks but keeps its retransmissions
// not yet delivered, and those found lost again and not yet resent, for
// the next recovery: Linux keeps TCPCB_SACKED_RETRANS and TCPCB_LOST per
// segment across episodes, so RACK still finds such a retransmission
// lost by its send time (and a recovery that ends with lost segments
// outstanding starts the next at once, tcp_time_to_recover's lost_out).
// Forgetting them left a retransmission lost above the recovery point
// counted in flight until the RTO.
func (ep *Endpoint) carryRetx() {
	ep.rackLost = 0
	log := ep.rtxLog[:0]
	for _, r := range ep.rtxLog {
		if !ep.retxDelivered(r) {
			log = append(log, r)
		}
	}
	ep.rtxLog = log
	relost := ep.relost[:0]
	for _, sp := range ep.relost {
		if sp.end > ep.sndUna {
			relost = append(relost, sp)
		}
	}
	ep.relost = relost
	if len(log) > 0 {
		ep.boundRetx()
	}
}

// lostBelow is the boundary below which unSACKed bytes are lost: RFC
// 6675's IsLost, or data sent before a tail loss probe that arrived.
func (ep *Endpoint) lostBelow() int64 {
	return max(ep.sb.lostBelow(ep.sndUna, ep.mss), min(ep.rackLost, ep.sndMax))
}

// armRetx arms the retransmission timer at now + RTO or, when a sender
// in the open state has data in flight and no probe outstanding, the
// tail loss probe at now + PTO if that comes first (RFC 8985 7.2; Linux
// tcp_schedule_loss_probe: 2 SRTT, plus the minimum RTO with one segment
// in flight, whose ACK the peer may delay, else plus 2 ms), or at the
// RTO's time when that comes first (Linux: timeout = min(timeout,
// rto_delta_us)): one segment lost at a transfer's tail is probed for,
// not timed out, so the window does not fall to one segment and the RTO
// does not back off; a lost probe leaves the RTO one RTO later.
func (ep *Endpoint) armRetx(at sim.Time) { ep.armRetxFlight(at, ep.sndMax-ep.sndUna, false) }

// armRetxFlight is armRetx with flight bytes outstanding: xmit arms the
// timer for a segment before its caller advances snd_max, and the probe
// is due for a first flight from idle too (Linux tcp_write_xmit ends with
// tcp_schedule_loss_probe).
//
// With Options.RTOFromHead, as Linux: the probe is armed during a
// probe's episode too (tcp_schedule_loss_probe does not look at
// tlp_high_seq; tcp_send_loss_probe then re-arms the RTO instead of
// probing, lossProbe), a probe armed after sending (sent: not an ACK's
// advance) is due no later than the RTO counted from the oldest
// outstanding segment's send (tcp_rto_delta_us), and an RTO armed
// while a probe was pending counts from there too (tcp_rearm_rto).
func (ep *Endpoint) armRetxFlight(at sim.Time, flight int64, sent bool) {
	wasProbing := ep.probing
	ep.probing = false
	open := !ep.inRecovery && ep.sndUna >= ep.recover // not repairing a loss (Linux TCP_CA_Open)
	episode := ep.tlpHigh != 0 && !ep.opt.RTOFromHead
	if ep.state == Established && open && !ep.persist && !episode && ep.srtt > 0 && flight > 0 {
		pto := 2 * ep.srtt
		if flight <= ep.mss {
			pto += ep.opt.MinRTO
		} else {
			pto += timeoutMin
		}
		limit := ep.rto
		if sent {
			limit = ep.rtoFromHead(at)
		}
		ep.probing = true
		ep.rtoTimer.Set(ep.opt.timerAt(at, min(pto, limit)))
		return
	}
	rto := ep.rto
	if wasProbing {
		rto = ep.rtoFromHead(at)
	}
	ep.rtoTimer.Set(ep.opt.timerAt(at, rto))
}

// rtoFromHead is the retransmission timeout to arm at now, Linux's
// tcp_rearm_rto with a probe pending (Options.RTOFromHead): what is left
// of an RTO from the send of the oldest segment outstanding (its last
// retransmission's, if it was sent again), at least a microsecond (a
// jiffy with Options.HZ); without the option, or with nothing
// outstanding, the RTO.
func (ep *Endpoint) rtoFromHead(now sim.Time) sim.Time {
	if !ep.opt.RTOFromHead {
		return ep.rto
	}
	ep.forgetAcked()
	if ep.sentHead == len(ep.sent) {
		return ep.rto
	}
	t := ep.sent[ep.sentHead].at
	for _, r := range ep.rtxLog {
		if r.start <= ep.sndUna && ep.sndUna < r.end {
			t = max(t, r.sent)
		}
	}
	return max(t+ep.rto-now, sim.Microsecond)
}

// noteSent records an original segment's send (Options.RTOFromHead),
// first forgetting those acknowledged.
func (ep *Endpoint) noteSent(end int64, at sim.Time) {
	ep.forgetAcked()
	if ep.sentHead > 64 && 2*ep.sentHead > len(ep.sent) {
		n := copy(ep.sent, ep.sent[ep.sentHead:])
		ep.sent, ep.sentHead = ep.sent[:n], 0
	}
	ep.sent = append(ep.sent, sentRec{end, at})
}

// forgetAcked moves sentHead past the segments acknowledged.
func (ep *Endpoint) forgetAcked() {
	for ep.sentHead < len(ep.sent) && ep.sent[ep.sentHead].end <= ep.sndUna {
		ep.sentHead++
	}
}

// sentRec is an original segment's end and send time.
type sentRec struct {
	end int64
	at  sim.Time
}

// lossProbe sends the tail loss probe (RFC 8985 7.3): a new segment if
// the peer's window takes one (whatever cwnd says), else the last segment
// again, to draw an ACK whose SACK shows what was lost; then the RTO.
func (ep *Endpoint) lossProbe(now sim.Time) {
	if ep.opt.RTOFromHead && ep.tlpHigh != 0 { // at most one probe outstanding: armed during its episode, it re-arms the RTO (Linux tcp_send_loss_probe)
		ep.probing = false
		ep.rtoTimer.Set(ep.opt.timerAt(now, ep.rtoFromHead(now)))
		return
	}
	seq := ep.sndNxt
	n := min(ep.mss, ep.appLimit-seq)
	if n <= 0 || seq+n > ep.sndWndEdge || seq < ep.sndMax {
		if ep.out.TxQueued(now) > 0 {
			// the last segment has not left this host's queue yet:
			// sending it again proves nothing (Linux
			// skb_still_in_host_queue, TCPSpuriousRtxHostQueues), and
			// the RTO is armed instead (tcp_send_loss_probe's
			// rearm_timer); ACKs arm the probe again as they come
			ep.probing = false
			ep.rtoTimer.Set(ep.opt.timerAt(now, ep.rtoFromHead(now)))
			return
		}
		seq = max(ep.sndUna, (ep.sndMax-1)/ep.mss*ep.mss)
		n = ep.sndMax - seq
	}
	ep.Stats.TLPs++
	ep.tlpSeq, ep.tlpHigh = seq, max(ep.sndMax, seq+n)
	ep.tlpRetrans, ep.tlpDup = seq < ep.sndMax, false
	ep.xmit(now, seq, n)
	if seq == ep.sndNxt {
		ep.sndNxt += n
		ep.sndMax = max(ep.sndMax, ep.sndNxt)
	}
	ep.probing = false
	ep.rtoTimer.Set(ep.opt.timerAt(now, ep.rtoFromHead(now)))
}

// probeAcked follows a probe episode to its end (RFC 8985 7.4; Linux
// tcp_process_tlp_ack). Below the probe: when the probe arrived while
// data sent before it did not (its SACK), that data is lost and recovery
// starts (RACK, RFC 8985 6.2 and 7.4), rather than waiting for the RTO.
// At or above it: a probe of new data ends the episode; so does one that
// sent the last segment again when the receiver reported its bytes twice
// (a D-SACK) or the ACK is a pure duplicate, both copies having arrived;
// an ACK beyond the probe with neither says that the probe repaired a
// loss, a congestion signal: the window is reduced (tlpReduce). An ACK
// just reaching the probe's end waits for the D-SACK that may follow it.
func (ep *Endpoint) probeAcked(at sim.Time, ack int64, pureDup bool) {
	switch {
	case ack < ep.tlpHigh:
		if !ep.inRecovery && ep.sndUna < ep.tlpSeq && ep.sb.unsacked(ep.tlpSeq, ep.tlpHigh) == 0 {
			ep.tlpHigh = 0
			ep.enterRecovery(at)
			ep.rackLost = max(ep.rackLost, ep.tlpSeq)
			ep.prrOnAck(ep.mss, false)
		}
	case !ep.tlpRetrans || ep.tlpDup || pureDup:
		ep.tlpHigh = 0
	case ack > ep.tlpHigh:
		ep.tlpReduce(at)
	}
}

// timeoutMin is Linux's TCP_TIMEOUT_MIN_US (include/net/tcp.h, 2 ms),
// added to the tail loss probe's 2 SRTT (tcp_schedule_loss_probe) and to
// RACK's reordering wait (tcp_rack_mark_lost) so that neither fires
// within a timer tick of its cause.
const timeoutMin = 2 * sim.Millisecond

// rackDetect is RACK's loss detection for data sent once, in the open
// state (RFC 8985 6.2; Linux tcp_rack_detect_loss, Linux's loss detection
// since RFC 6675's duplicate-ACK threshold became off by default with
// tcp_recovery's RACK bit): unSACKed data sent before SACKed data is lost
// once a reordering window has passed, and recovery starts. Sent once,
// data below the highest SACKed byte was sent before it. With three or
// more segments SACKed the window is 0 (tcp_rack_reo_wnd: sacked_out >=
// reordering) and dupAck has already started recovery by RFC 6675's
// rule, which gives the same holes; with fewer, the window is a quarter
// of the minimum RTT, at most SRTT, from the first ACK that showed the
// holes (Linux counts it from each hole's send time, at most this much
// earlier), and Linux's timer fires timeoutMin after it
// (tcp_rack_mark_lost: usecs_to_jiffies(timeout + TCP_TIMEOUT_MIN_US)):
// without it a burst that lost all but its last segments waited for the
// RTO. The timer is Linux's retransmission timer in its REO_TIMEOUT
// role, so it is gone once the holes fill (an ACK then re-arms the
// probe or the RTO), when recovery starts and when the RTO fires.
func (ep *Endpoint) rackDetect(at sim.Time) {
	if ep.sndUna < ep.recover || ep.state != Established || ep.reoTimer.Armed() {
		return
	}
	wnd := min(ep.minRTT/4, ep.srtt)
	if wnd <= 0 {
		ep.onReoTimeout(at)
		return
	}
	ep.reoTimer.Set(ep.opt.timerAt(at, wnd+timeoutMin))
}

// rackRecoveryLost is RACK's loss detection in recovery (RFC 8985 6.2;
// Linux tcp_rack_reo_wnd is 0 from TCP_CA_Recovery on while no
// reordering has been seen, and this network does not reorder a flow):
// unSACKed data below the highest SACKed byte was sent before it and is
// lost at once, where RFC 6675's IsLost waits for three segments SACKed
// above each hole. Retransmissions lost again are detectLostRetx's.
func (ep *Endpoint) rackRecoveryLost() {
	if !ep.sb.empty() {
		ep.rackLost = max(ep.rackLost, ep.sb.high())
	}
}

// onReoTimeout marks the holes below the highest SACKed byte lost when
// the reordering window has passed without them arriving and starts
// recovery (Linux tcp_rack_reo_timeout: tcp_enter_recovery, PRR for one
// segment delivered, the retransmissions).
func (ep *Endpoint) onReoTimeout(now sim.Time) {
	ep.reoTimer.Stop()
	if ep.state != Established || ep.inRecovery || ep.inLoss || ep.sb.empty() || ep.sndUna < ep.recover {
		return
	}
	ep.enterRecovery(now) // its rackRecoveryLost marks the holes below the highest SACKed byte
	ep.prrOnAck(ep.mss, false)
	ep.output(now)
}

// lossRetxLost finds retransmissions lost again after a timeout, by
// RACK's rule (RFC 8985 6.2, reordering window 0 in the loss state, as
// Linux tcp_rack_reo_wnd): after the timeout the holes are sent again in
// order from snd_una, so a hole below newly SACKed data that was sent in
// this round (below snd_nxt) went out before it and is lost. The sender
// then leaves the loss state for a fast recovery (Linux
// tcp_fastretrans_alert: in TCP_CA_Loss, FLAG_LOST_RETRANS falls through
// to tcp_enter_recovery), which sends those holes again first; the data
// not yet sent again since the timeout stays lost (tcp_enter_loss marked
// it so). Without this a lost retransmission waited for a second,
// backed-off timeout. SACKs arriving sooner than the minimum RTT after the
// timeout are for data sent before it, not for this round (Linux
// tcp_rack_advance ignores a retransmission "delivered" within min_rtt).
func (ep *Endpoint) lossRetxLost(at sim.Time, sacked int64) {
	lo, hi := ep.sb.dirtyBounds()
	ep.sb.clearDirty()
	if at-ep.lossAt < ep.minRTT || lo >= ep.sndNxt {
		return
	}
	hi = min(hi, ep.sndNxt)
	if hole, _ := ep.sb.nextHole(ep.sndUna, hi); hole >= hi {
		return // nothing below the SACKed data is missing
	}
	sent := ep.sndNxt
	ep.inLoss = false
	ep.enterRecovery(at)
	ep.relost = append(ep.relost[:0], span{ep.sndUna, hi})
	ep.highRxt = sent
	ep.sndNxt = ep.sndMax
	ep.rackLost = ep.sndMax
	ep.prrOnAck(sacked, false)
}

// tlpReduce reduces the window after a probe repaired a loss, at once to
// the ssthresh the congestion control gives (Linux
// tcp_init_cwnd_reduction, the CWR state, then tcp_end_cwnd_reduction:
// cwnd = ssthresh), and queues CWR under RFC 3168 ECN
// (tcp_ecn_queue_cwr). Nothing is retransmitted and nothing undone.
func (ep *Endpoint) tlpReduce(at sim.Time) {
	ep.tlpHigh = 0
	ep.Stats.TLPRecoveries++
	ep.ssthresh = ep.cwrSsthresh(at)
	ep.cwnd = ep.ssthresh
	if e := ep.ecn; e != nil {
		e.inCWR = false
		e.sendCWR = !e.dctcp
	}
}

// cwrSsthresh is the ssthresh the congestion control gives when the
// window is reduced without a loss recovery (ECE, a probe's repair; Linux
// icsk_ca_ops->ssthresh): DCTCP's cwnd x (1 - alpha/2) (dctcp_ssthresh),
// else that of a loss (ccOnLoss).
func (ep *Endpoint) cwrSsthresh(at sim.Time) float64 {
	if e := ep.ecn; e != nil && e.dctcp {
		return max(ep.cwnd*(1-e.alpha/2), 2)
	}
	return ep.ccOnLoss(at)
}

// enterRecovery starts SACK loss recovery (RFC 6675 5 step 4; HighRxt
// as in RFC 6675 2) with
// proportional rate reduction (RFC 6937 3.1 initialisation): ssthresh from
// the congestion control, RecoverFS as Linux's prior_cwnd.
func (ep *Endpoint) enterRecovery(at sim.Time) {
	ep.Stats.FastRetrans++
	ep.reoTimer.Stop() // RACK's wait is over: recovery marks the holes
	ep.ecnLoss()
	ep.tlpHigh = 0 // tcp_init_cwnd_reduction ends a probe episode
	ep.inRecovery = true
	ep.recover = ep.sndMax
	ep.priorCwnd = int64(ep.cwnd * float64(ep.mss))
	ep.armUndo()
	ep.recRetx = 0
	// D-SACKs may undo it unless retransmissions are outstanding from
	// before, which Linux counts in undo_retrans (retrans_out) and this
	// TCP does not count one by one
	ep.undoArmed = ep.sndUna >= ep.rtxEnd
	if ep.sndUna >= ep.rtxEnd {
		ep.retransStamp = 0 // none outstanding from before
	}
	ep.ssthresh = ep.ccOnLoss(at)
	ep.prrDelivered, ep.prrOut = 0, 0
	ep.carryRetx()
	// retransmissions of the last recovery still unacknowledged stay in
	// flight until found lost (Linux keeps TCPCB_SACKED_RETRANS per segment)
	ep.highRxt = max(ep.highRxt, ep.sndUna)
	ep.rackRecoveryLost()
	if ep.probing {
		// the head's fast retransmission follows: Linux re-arms the RTO
		// for it (tcp_xmit_retransmit_queue), and a probe is never
		// scheduled outside the open state (tcp_schedule_loss_probe)
		ep.armRetx(at)
	}
}

// prrOnAck sets the window for what may be sent on an ACK that delivered
// `delivered` bytes during recovery (RFC 6937 3.1, PRR-SSRB as Linux's
// tcp_cwnd_reduction): in proportion to ssthresh/RecoverFS while pipe
// exceeds ssthresh, else slow start back up to ssthresh, never by more
// than the data delivered plus one segment when snd_una advanced. The
// first ACK always lets the fast retransmission out. No inflation.
func (ep *Endpoint) prrOnAck(delivered int64, unaAdvanced bool) {
	if delivered <= 0 {
		return
	}
	ep.prrDelivered += delivered
	pipe := ep.pipe()
	ss := int64(ep.ssthresh * float64(ep.mss))
	var sndcnt int64
	if pipe > ss {
		fs := max(ep.priorCwnd, 1)
		sndcnt = (ep.prrDelivered*ss+fs-1)/fs - ep.prrOut
	} else {
		sndcnt = max(ep.prrDelivered-ep.prrOut, delivered)
		if unaAdvanced {
			sndcnt += ep.mss
		}
		sndcnt = min(ss-pipe, sndcnt)
	}
	if ep.prrOut == 0 {
		sndcnt = max(sndcnt, ep.mss)
	}
	sndcnt = max(sndcnt, 0)
	ep.cwnd = float64(pipe+sndcnt) / float64(ep.mss)
}

// exitRecovery ends recovery on the ACK of the recovery point: the window
// is ssthresh (RFC 6937 3.1; Linux tcp_end_cwnd_reduction).
func (ep *Endpoint) exitRecovery() {
	ep.inRecovery = false
	ep.carryRetx()
	ep.cwnd = ep.ssthresh
}

// undoIfSpurious undoes the recovery that the ACK h ended when it was
// spurious: it retransmitted nothing and none was outstanding from
// before, or h echoes a timestamp older than the oldest retransmission
// outstanding, so what filled the holes was the original data, delayed,
// not lost (the Eifel detection, RFC 3522; Linux
// tcp_try_undo_recovery with tcp_packet_delayed). The window and ssthresh
// return to what they were (tcp_undo_cwnd_reduction; CUBIC's undo_cwnd
// keeps the larger window). Reordering makes one, as when a flow moves
// to a shorter path (fabric failures and repairs). Linux at datacenter
// time scales, its timestamps in milliseconds, finds it by D-SACK a round
// trip later instead.
func (ep *Endpoint) undoIfSpurious(h *network.Header) {
	none := ep.recRetx == 0 && ep.retransStamp == 0
	delayed := ep.retransStamp != 0 && h.TSecr != 0 && h.TSecr < ep.retransStamp
	duplicated := ep.undoArmed && ep.undoRetrans == 0 // every retransmission D-SACKed (onDSACK)
	if none || delayed || duplicated {
		ep.undo()
	}
}

// undo gives back the window and ssthresh a spurious recovery took, once
// (Linux tcp_undo_cwnd_reduction clears undo_marker).
func (ep *Endpoint) undo() {
	ep.Stats.Undos++
	ep.undoArmed = false
	ep.cwnd = max(ep.cwnd, ep.undoCwnd)
	ep.ssthresh = max(ep.ssthresh, ep.undoSsthresh)
}

// timeoutReduces says whether a timeout sets ssthresh (Linux
// tcp_enter_loss: "reduce ssthresh if it has not yet been made inside
// this window"): not during a fast recovery or an ECN reduction of the
// same window, which already did, and not again when the timer fires
// again with no progress since the last timeout (RFC 5681 3.1: ssthresh
// is held constant when a segment is retransmitted by the timer again).
func (ep *Endpoint) timeoutReduces() bool {
	switch {
	case ep.inRecovery:
		return ep.sndUna >= ep.recover
	case ep.inLoss:
		return ep.sndUna >= ep.recover || !ep.timedOut
	case ep.ecn != nil && ep.ecn.inCWR:
		return ep.sndUna > ep.ecn.cwrHigh
	}
	return true
}

// armUndo records the window and ssthresh a reduction is about to change,
// so that it can be undone if found spurious (Linux tcp_init_undo, with
// prior_ssthresh = tcp_current_ssthresh): by D-SACKs for every
// retransmission it sends from now, or by a timestamp echoed from before
// them.
func (ep *Endpoint) armUndo() {
	ep.undoCwnd, ep.undoSsthresh = ep.cwnd, max(ep.ssthresh, ep.cwnd*3/4)
	ep.undoArmed, ep.undoMarker, ep.undoRetrans = true, ep.sndUna, -1
}

// lossAck is the part of an ACK advancing snd_una after a timeout (Linux
// tcp_process_loss with tcp_try_undo_loss): when it echoes a timestamp
// from before the first retransmission (tcp_packet_delayed), or every
// retransmission was reported duplicated, the timeout was spurious: the
// original data was delayed, not lost. The window and ssthresh return, the
// data the timeout took for lost and not yet sent again is in flight
// again (snd_nxt back to snd_max, as Linux unmarks it), and the sender is
// open: a later loss starts a fast recovery. Else the timeout's recovery
// ends once snd_una reaches the data sent before it.
func (ep *Endpoint) lossAck(h *network.Header) {
	ep.timedOut = false // progress (Linux icsk_retransmits = 0)
	delayed := ep.retransStamp != 0 && h.TSecr != 0 && h.TSecr < ep.retransStamp
	switch {
	case ep.undoArmed && (delayed || ep.undoRetrans == 0):
		ep.Stats.RTOUndos++
		ep.undo()
		ep.inLoss = false
		ep.sndNxt = max(ep.sndNxt, ep.sndMax)
		ep.recover = ep.sndUna
	case ep.sndUna >= ep.recover:
		ep.inLoss = false
	}
}

// recoveryOutput sends while pipe is below the PRR window: first the
// retransmissions found lost again, then the lost holes in order (RFC 6675
// NextSeg rule 1), then new data (rule 2).
func (ep *Endpoint) recoveryOutput(at sim.Time) {
	pipe := ep.pipe()
	wnd := ep.cwnd*float64(ep.mss) + 0.5
	for {
		seq, n, kind := ep.nextSeg()
		if n <= 0 {
			return
		}
		if float64(pipe+n) > wnd {
			ep.cwndLimited = true
			return
		}
		if tsq := ep.opt.TSQBytes; tsq > 0 && (ep.opt.LinuxTSQ || ep.out.TxQueued(at) >= tsq) && ep.tsqHold(at, 0, tsq) { // as output's
			return
		}
		ep.xmit(at, seq, n)
		ep.prrOut += n
		pipe += n
		switch kind {
		case segRelost:
			ep.relost[0].start = seq + n
		case segHole:
			ep.highRxt = seq + n
		case segNew:
			ep.sndNxt += n
			ep.sndMax = max(ep.sndMax, ep.sndNxt)
			continue
		}
		if len(ep.rtxLog) == 0 { // no entry for earlier SACKs to have delivered
			ep.sb.clearDirty()
			ep.rtxLo, ep.rtxHi = seq, seq+n
		} else {
			ep.rtxLo, ep.rtxHi = min(ep.rtxLo, seq), max(ep.rtxHi, seq+n)
		}
		ep.rtxLog = append(ep.rtxLog, retxRec{seq, seq + n, ep.sndMax, ep.lastXmit}) // when xmit handed it down
	}
}

// what nextSeg picked
const (
	segRelost = iota // a retransmission found lost, again
	segHole          // a lost hole, the first time
	segNew           // new data
)

// nextSeg returns the next segment recovery may send and its kind; n <= 0
// when there is none (no data, or the peer's window is full).
func (ep *Endpoint) nextSeg() (seq, n int64, kind int) {
	for len(ep.relost) > 0 {
		s := ep.relost[0]
		seq, next := ep.sb.nextHole(max(s.start, ep.sndUna), s.end)
		if seq < s.end {
			return seq, min(ep.mss, min(next, s.end)-seq), segRelost
		}
		if ep.relost = ep.relost[1:]; len(ep.relost) == 0 {
			ep.relost = nil
		}
	}
	lost := ep.lostBelow()
	seq, next := ep.sb.nextHole(max(ep.highRxt, ep.sndUna), ep.sndMax)
	if seq < lost {
		return seq, min(ep.mss, next-seq, lost-seq), segHole
	}
	seq = ep.sndNxt
	n = min(ep.mss, ep.appLimit-seq)
	if seq+n > ep.sndWndEdge {
		n = 0
	}
	return seq, n, segNew
}
