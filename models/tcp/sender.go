package tcp

import (
	"math"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// Write hands n more bytes to the socket at time at >= now (an infinite
// source writes math.MaxInt64/2). Data waits for the handshake.
func (ep *Endpoint) Write(at sim.Time, n int64) {
	if n <= 0 {
		return
	}
	start := ep.appLimit
	ep.appLimit += n
	if ep.appLimit < 0 {
		ep.appLimit = math.MaxInt64 / 2
	}
	ep.writes = append(ep.writes, span{start, ep.appLimit})
	if len(ep.writes) == 1 {
		ep.callNext = start
	}
	ep.output(at)
}

// callsIn returns the send calls that begin before end in the data not
// sent before (a write of n bytes is ceil(n / WriteBytes) calls, each
// paid with the segment carrying its first byte), and moves past them.
func (ep *Endpoint) callsIn(end int64) uint16 {
	var k uint16
	for len(ep.writes) > 0 && ep.callNext < end && k < math.MaxUint16 {
		k++
		ep.callNext += ep.opt.WriteBytes
		if ep.callNext >= ep.writes[0].end {
			if len(ep.writes) == 1 {
				ep.writes = ep.writes[:0] // keep the array for the next write
			} else {
				ep.writes = ep.writes[1:]
			}
			if len(ep.writes) > 0 {
				ep.callNext = ep.writes[0].start
			}
		}
	}
	return k
}

// Written returns the bytes the application has written.
func (ep *Endpoint) Written() int64 { return ep.appLimit }

// output sends what the congestion window, the peer's window and TCP small
// queues allow, at time at, from the application's core.
func (ep *Endpoint) output(at sim.Time) {
	if ep.state != Established || ep.out.Throttled() {
		return
	}
	if ep.inRecovery {
		ep.recoveryOutput(at)
		return
	}
	for {
		left := ep.appLimit - ep.sndNxt
		if left <= 0 {
			return
		}
		n := min(ep.mss, left)
		if ep.sndNxt < ep.sndMax && !ep.sb.empty() { // after an RTO: resend only what is not SACKed
			seq, next := ep.sb.nextHole(ep.sndNxt, ep.sndMax)
			ep.sndNxt = seq
			if seq >= ep.sndMax {
				continue
			}
			n = min(n, next-seq)
		}
		inflight := ep.sndNxt - ep.sndUna
		if ep.inLoss && !ep.sb.empty() {
			// after a timeout the SACKed data is not in flight, nor the
			// holes not yet sent again (Linux tcp_packets_in_flight:
			// packets_out - sacked_out - lost_out + retrans_out): only
			// what was sent since, below snd_nxt, and not SACKed
			inflight = ep.sb.unsacked(ep.sndUna, ep.sndNxt)
		}
		if float64(inflight+n) > math.Floor(ep.cwnd)*float64(ep.mss) {
			ep.cwndLimited = true
			return
		}
		if ep.sndNxt+n > ep.sndWndEdge {
			if inflight == 0 && !ep.persist { // zero window: probe (RFC 9293 3.8.6.1)
				ep.persist = true
				ep.probing = false
				ep.rtoTimer.Set(ep.opt.timerAt(at, ep.rto))
			}
			return
		}
		if tsq := ep.opt.TSQBytes; tsq > 0 && (ep.opt.LinuxTSQ || ep.out.TxQueued(at) >= tsq) && ep.tsqHold(at, left, tsq) { // the fast test inline (tsqHold)
			return
		}
		ep.xmit(at, ep.sndNxt, n)
		if ep.ecn != nil && ep.ecn.inCWR {
			ep.prrOut += n
		}
		ep.sndNxt += n
		if ep.sndNxt > ep.sndMax {
			ep.sndMax = ep.sndNxt
		}
	}
}

// tsqHold reports whether TCP small queues hold the next segment back at
// at, and if so asks the route for a wake-up (evTSQ) when its queued
// bytes have drained. Its callers make the fast test inline (a function
// doing it too is beyond the inliner's budget: 0.3% more instructions on
// bench/bulk.toml): tsq > 0 and, without LinuxTSQ, the fixed bound
// reached, so that the wake-up comes at half of it. With LinuxTSQ, Linux
// checks the skb about to go, which holds the unsent data (unsent; 0 for
// a retransmission) up to the GSO size, and sends it whole once it
// passes.
func (ep *Endpoint) tsqHold(at sim.Time, unsent, tsq int64) bool {
	if !ep.opt.LinuxTSQ {
		ep.out.Throttle(at, tsq/2)
		return true
	}
	if unsent > 0 && ep.sndNxt < ep.tsqPass && at == ep.tsqPassAt {
		return false // the rest of an skb let through whole
	}
	if ep.sndMax-ep.sndUna <= ep.mss { // tcp_rtx_queue_empty_or_single_skb
		return false
	}
	skb := min(max(unsent, ep.mss), gsoMaxSize)
	limit := ep.linuxTSQLimit(skb)
	if ep.out.TxQueued(at) <= limit {
		if unsent > 0 {
			ep.tsqPass, ep.tsqPassAt = ep.sndNxt+skb, at
		}
		return false
	}
	ep.out.Throttle(at, limit)
	return true
}

// skbOverhead is an skb's sk_wmem_alloc charge beyond its payload, its
// truesize less its data (measured: ss -tinm's skmem t, 2,280 bytes for
// each 1,448-byte segment in flight and 2,008 for a 1,176-byte one,
// cnisim testbed incast on kernel 6.18, 2026-12-07).
const skbOverhead = 832

// gsoMaxSize is the largest skb TCP builds (sk_gso_max_size, Linux
// GSO_LEGACY_MAX_SIZE 65,536; tcp_tso_autosize keeps it at RTTs under
// 512 us).
const gsoMaxSize = 65536

// linuxTSQLimit is tcp_small_queue_check's limit for an skb of skb
// payload bytes, in the route's IP bytes: max(2 truesize of the skb,
// sk_pacing_rate >> sk_pacing_shift 10) in truesize bytes, capped at
// TSQBytes (tcp_limit_output_bytes), then scaled by a full segment's IP
// bytes over its truesize (the route counts IP bytes, the kernel
// truesize). Before the first RTT sample the pacing rate is unlimited
// (~0UL): the cap.
func (ep *Endpoint) linuxTSQLimit(skb int64) int64 {
	limit := float64(ep.opt.TSQBytes)
	if rate := ep.pacingRate(); rate > 0 {
		limit = min(limit, max(2*float64(skbOverhead+skb), rate/1024))
	}
	return int64(limit * float64(datapath.TCPIPOverhead+ep.mss) / float64(skbOverhead+ep.mss))
}

// pacingRate is Linux's sk_pacing_rate in bytes a second
// (tcp_update_pacing_rate): twice cwnd*mss/srtt in slow start below half
// ssthresh, else 1.2 times, the window no less than what is in flight; 0
// before the first RTT sample (Linux's is then unlimited).
func (ep *Endpoint) pacingRate() float64 {
	if ep.srtt <= 0 {
		return 0
	}
	ratio := 1.2 // tcp_pacing_ca_ratio 120
	if ep.cwnd < ep.ssthresh/2 {
		ratio = 2 // tcp_pacing_ss_ratio 200
	}
	segs := max(ep.cwnd, float64(ep.sndMax-ep.sndUna)/float64(ep.mss))
	return ratio * float64(ep.mss) * segs / ep.srtt.Seconds()
}

// xmit sends one data segment and arms the retransmission timer. A
// socket's segments are handed down one after the other, never before
// the last one (Linux serialises a socket's transmissions under its lock):
// a send decided at the end of an ACK's processing on a busy core may be
// stamped later than one decided since, on an idle one, and without this
// the later-stamped segment would leave after the earlier one, a
// reordering Linux does not have (one replication of
// scenarios/cluster-64-queries.toml reads tcp_reordered 5,869 natively
// and 21,995 with VXLAN without this line, 0 and 0 with it;
// TestFabricReordering fails without it).
func (ep *Endpoint) xmit(at sim.Time, seq, n int64) {
	at = max(at, ep.lastXmit)
	ep.lastXmit = at
	p := ep.packet(at, network.FlagACK, seq, n)
	if seq < ep.sndMax {
		p.Retx = true
		ep.Stats.Retrans++
		if ep.retransStamp == 0 {
			ep.retransStamp = p.TSval
		}
		ep.rtxEnd = max(ep.rtxEnd, seq+n)
		ep.recRetx++
		ep.undoRetrans = max(ep.undoRetrans, 0) + 1
	} else { // new data: the send calls that begin in it, and the writer's wake-up
		if ep.opt.RTOFromHead {
			ep.noteSent(seq+n, at)
		}
		p.Calls = ep.callsIn(seq+n) + uint16(ep.sleepCalls)                                                  // the send calls, and a paced writer's sleeps
		p.Wake, ep.writerWakes, ep.sleepCalls = ep.writerWakes > 0, ep.writerWakes-min(ep.writerWakes, 1), 0 // one wake-up a segment
		if ep.ecn != nil {
			ep.ecnData(p)
		}
	}
	ep.Stats.SegsSent++
	ep.net.Send(ep.out, p, ep.Core, at)
	if ep.persist {
		ep.persist = false
		ep.rtoTimer.Set(ep.opt.timerAt(at, ep.rto))
	}
	if !ep.rtoTimer.Armed() || ep.probing && seq >= ep.sndMax && ep.sndMax-ep.sndUna <= ep.mss {
		// the probe is due after a flight of new data (Linux
		// tcp_write_xmit ends with tcp_schedule_loss_probe): armed
		// for its first segment with one segment's timeout, it is armed
		// again with the flight's (ACKs re-arm it as they come)
		ep.armRetxFlight(at, max(ep.sndMax, seq+n)-ep.sndUna, true)
	}
}

// onAck processes the acknowledgment fields of a segment from the peer.
func (ep *Endpoint) onAck(h *network.Header, at sim.Time) {
	winChanged := h.Win != ep.lastWin
	priorUna := ep.sndUna
	if h.Ack >= ep.sndUna {
		ep.sndWndEdge = h.Ack + h.Win
		ep.lastWin = h.Win
	}
	var sacked int64
	var dsack bool
	if h.Flags&flagSACK != 0 && h.Len == 0 {
		sacked, dsack = ep.takeSACK(h)
	}
	if ep.inRecovery && sacked > 0 {
		ep.rackRecoveryLost() // before PRR counts what is in flight (Linux tcp_fastretrans_alert)
	}
	switch {
	case h.Ack > ep.sndUna:
		ep.newAck(h, at, sacked)
	case dsack && sacked == 0: // reports only a duplicate: no sign of a loss (RFC 2883 5)
	case h.Ack == ep.sndUna && h.Len == 0 && (!winChanged || sacked > 0) && ep.sndMax > ep.sndUna && h.Flags&network.FlagProbe == 0:
		ep.dupAck(h, at, sacked)
	}
	// a carried retransmission (carryRetx) is found lost in the open state
	// only by SACKed data sent after it: the scoreboard is asked first, the
	// log being off the lines an ACK reads
	if (ep.inRecovery || !ep.sb.empty() && !ep.inLoss) && len(ep.rtxLog) > 0 {
		ep.detectLostRetx(at)
		if !ep.inRecovery && len(ep.relost) > 0 && ep.state == Established {
			// a retransmission carried from the last recovery is lost
			// again: Linux's lost_out starts the next recovery at once
			// (tcp_time_to_recover)
			ep.enterRecovery(at)
			ep.prrOnAck(ep.mss, false)
		}
	} else if ep.inLoss && sacked > 0 {
		ep.lossRetxLost(at, sacked)
	}
	if ep.tlpHigh > 0 {
		ep.probeAcked(at, h.Ack, h.Ack == priorUna && h.Len == 0 && sacked == 0 && !winChanged)
		if ep.tlpHigh == 0 && h.Ack > priorUna && ep.sndUna < ep.sndMax {
			// the episode over, the timer newAck armed may be a probe's
			// again (Linux tcp_ack: tcp_process_tlp_ack before
			// tcp_set_xmit_timer)
			ep.armRetx(at)
		}
	}
	if !ep.sb.empty() && !ep.inRecovery && !ep.inLoss {
		ep.rackDetect(at)
	}
	ep.output(at)
}

func (ep *Endpoint) newAck(h *network.Header, at sim.Time, sacked int64) {
	acked := h.Ack - ep.sndUna
	ep.sndUna = h.Ack
	if !ep.sb.empty() {
		acked -= ep.sb.trim(ep.sndUna) // delivered before, when SACKed
		if ep.sb.empty() {
			ep.reoTimer.Stop() // no hole left for RACK to wait on
		}
	}
	if ep.sndNxt < ep.sndUna {
		ep.sndNxt = ep.sndUna
	}
	ep.Stats.BytesAcked += acked
	ep.ccAcked(ep.rttSample(h, at), at) // one line: default.pgo knows the calls below by theirs
	ep.dupAcks = 0
	segs := float64(acked) / float64(ep.mss)
	if ep.ecn != nil {
		ep.ecnAck(h, acked+sacked, at)
	}
	if ep.inLoss {
		ep.lossAck(h)
	}
	switch {
	case ep.inRecovery && h.Ack >= ep.recover: // RFC 6675 5 step (A)
		ep.exitRecovery()
		ep.undoIfSpurious(h)
	case ep.inRecovery:
		ep.prrOnAck(acked+sacked, true)
	case !ep.sb.empty() && ep.sndUna >= ep.recover && ep.sb.lostBelow(ep.sndUna, ep.mss) > ep.sndUna:
		ep.enterRecovery(at) // IsLost(HighACK + 1) after a cumulative ACK
		ep.prrOnAck(acked+sacked, true)
	case ep.ecn != nil && ep.ecn.inCWR: // the reduction after ECE (ecn.go)
		ep.prrOnAck(acked+sacked, true)
	case ep.cwndLimited:
		ep.ccOnAck(segs, at)
	}
	ep.cwndLimited = false
	if ep.retransStamp != 0 && !ep.inRecovery && ep.sndUna >= ep.rtxEnd {
		ep.retransStamp = 0 // every retransmission acknowledged
	}
	if ep.sndUna >= ep.sndMax {
		ep.rtoTimer.Stop() // RFC 6298 5.2
		ep.probing = false
	} else {
		ep.armRetx(at) // 5.3, or the loss probe
	}
	if ep.OnAcked != nil {
		ep.OnAcked(at, ep.sndUna)
	}
}

// dupAck counts duplicate ACKs. Recovery starts on the third, or earlier
// when the SACKed data already marks snd_una lost (RFC 6675 5 steps 2-4);
// during recovery each one clocks out data by PRR (RFC 6937).
func (ep *Endpoint) dupAck(h *network.Header, at sim.Time, sacked int64) {
	ep.Stats.DupAcksRcvd++
	ep.dupAcks++
	if ep.ecn != nil && sacked > 0 {
		ep.ecnAck(h, sacked, at)
	}
	switch {
	case ep.inRecovery:
		ep.prrOnAck(sacked, false)
	case ep.sndUna < ep.recover: // RFC 6582 4.1: not again for the same window
	case ep.dupAcks >= dupThresh || ep.sb.lostBelow(ep.sndUna, ep.mss) > ep.sndUna:
		ep.enterRecovery(at)
		if ep.sb.empty() { // no SACK information: snd_una is the hole (RFC 6582)
			n := min(ep.mss, ep.sndMax-ep.sndUna)
			ep.xmit(at, ep.sndUna, n)
			ep.highRxt, ep.prrOut = ep.sndUna+n, n
		}
		ep.prrOnAck(max(sacked, ep.mss), false)
	}
}

// rttSample updates SRTT, RTTVAR and RTO from the echoed timestamp
// (RFC 7323 4.1, RFC 6298 2.2-2.4: alpha 1/8, beta 1/4, K = 4) and
// returns the sample (0: none).
func (ep *Endpoint) rttSample(h *network.Header, at sim.Time) sim.Time {
	if h.TSecr == 0 {
		return 0
	}
	r := at - (h.TSecr - 1)
	if r <= 0 {
		r = 1
	}
	ep.Stats.RTT.add(r)
	if ep.minRTT == 0 || r < ep.minRTT {
		ep.minRTT = r
	}
	if ep.srtt == 0 {
		ep.srtt, ep.rttvar = r, r/2
	} else {
		d := ep.srtt - r
		if d < 0 {
			d = -d
		}
		ep.rttvar = (3*ep.rttvar + d) / 4
		ep.srtt = (7*ep.srtt + r) / 8
	}
	// Linux's floor is on the variance term, not on the sum
	// (tcp_rtt_estimator: rttvar_us >= mdev_max_us >= tcp_rto_min_us;
	// __tcp_set_rto = srtt + rttvar_us): the RTO exceeds SRTT by at least
	// the minimum, where RFC 6298 2.4 only floors the whole
	ep.rto = min(ep.srtt+max(4*ep.rttvar, ep.opt.MinRTO, 1), ep.opt.MaxRTO)
	return r
}

// onRTO handles the retransmission timer: SYN retries, zero-window
// probes, and data timeouts (RFC 6298 5.4-5.6: back off, go back to
// snd_una with a window of one segment; ssthresh as timeoutReduces says).
func (ep *Endpoint) onRTO(now sim.Time) {
	switch ep.state {
	case SynSent:
		if ep.synCount > ep.opt.SynRetries {
			ep.failSyn(now)
			return
		}
		ep.xmitSyn(now, network.FlagSYN)
		return
	case SynRcvd:
		if ep.synCount <= ep.opt.SynAckRetr {
			ep.xmitSyn(now, network.FlagSYN|network.FlagACK)
		}
		return
	case Established:
	default:
		return
	}
	if ep.probing {
		ep.probing = false
		if ep.sndUna < ep.sndMax && !ep.persist {
			ep.lossProbe(now)
			return
		}
	}
	if ep.persist {
		ep.Stats.Probes++
		p := ep.packet(now, network.FlagACK|network.FlagProbe, ep.sndNxt, 0)
		ep.net.Send(ep.out, p, ep.Core, now)
		ep.rto = min(2*ep.rto, ep.opt.MaxRTO)
		ep.rtoTimer.Set(ep.opt.timerAt(now, ep.rto))
		return
	}
	if ep.sndUna >= ep.sndMax {
		return
	}
	ep.Stats.RTOs++
	ep.tlpHigh = 0
	ep.reoTimer.Stop() // one timer in Linux: the timeout replaced RACK's wait
	if ep.timeoutReduces() {
		ep.armUndo()
		ep.ssthresh = ep.ccOnLoss(now)
	}
	ep.ecnLoss()
	ep.cwnd = 1
	ep.cc.epoch = -1
	if ep.hs != nil {
		ep.linuxCubicTimeout(now)
	}
	ep.inRecovery = false
	ep.inLoss, ep.timedOut = true, true
	ep.lossAt = now
	ep.sb.clearDirty() // lossRetxLost reads what is SACKed from now
	ep.forgetRetx()
	ep.dupAcks = 0
	ep.recover = ep.sndMax
	ep.highRxt = ep.sndUna
	ep.sndNxt = ep.sndUna
	ep.rto = min(2*ep.rto, ep.opt.MaxRTO)
	ep.rtoTimer.Stop()
	if ep.out.Throttled() {
		ep.out.Unthrottle()
	}
	ep.output(now)
	ep.probing = false
	ep.rtoTimer.Set(ep.opt.timerAt(now, ep.rto)) // not a probe: the window is one segment
}
