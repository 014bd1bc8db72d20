package tcp

import (
	"math"

	"github.com/cnisim/cnisim/sim"
)

// Receiver ACK policies (Options.AckPolicy, scenario tcp.ack_policy).
const (
	// AckPolicyEvery ACKs once Options.AckEvery full-sized segments are
	// unacknowledged, quick-ACKs the first Options.QuickAcks segments
	// and leaves the rest to the Options.DelAck timer: a stated ratio,
	// the default, and the policy every paper and vendor figure ran with.
	AckPolicyEvery = "every"
	// AckPolicyLinux does what Linux's receiver does (linuxAck below).
	AckPolicyLinux = "linux"
)

// AckPolicies are the values Options.AckPolicy accepts.
var AckPolicies = []string{AckPolicyEvery, AckPolicyLinux}

// Linux constants the policy uses (quoted: include/net/tcp.h, HZ 1000).
const (
	// delAckMax is TCP_DELACK_MAX (HZ/5), the cap of the delayed-ACK
	// timeout (icsk_delack_max) and of ato in ping-pong mode.
	delAckMax = 200 * sim.Millisecond
	// atoMaxBulk is tcp_send_delayed_ack's max_ato outside ping-pong
	// mode (HZ/2).
	atoMaxBulk = 500 * sim.Millisecond
	// initWindow bounds the first window and rcv_ssthresh: the SYN's
	// window field is unscaled (tcp_select_initial_window, U16_MAX).
	initWindow = 65535
)

// linuxAck is a receiver's delayed-ACK state as Linux keeps it in
// inet_connection_sock.icsk_ack (net/ipv4/tcp_input.c, tcp_output.c and
// tcp.c, kernels 5.x-6.x), checked once per skb: per segment without
// offloads, once per GSO/GRO super-packet with them (so a super-packet of
// k segments gets one stretch ACK, not k/2):
//
//   - tcp_event_data_recv: the first data enters quick-ACK mode
//     (tcp_incr_quickack(TCP_MAX_QUICKACKS)) with ato = TCP_ATO_MIN; later
//     data adapts ato to the inter-arrival time m (m <= ATO_MIN/2: ato/2 +
//     ATO_MIN/2; m < ato: ato/2 + m, at most the RTO; m > RTO: quick-ACK
//     mode again).
//   - tcp_incr_quickack: quick ACKs = rcv_wnd / (2 rcv_mss), 2 if that is
//     0, at most Options.QuickAcks (16), never lowering what is left; an
//     ACK sent while one is scheduled uses one up (tcp_dec_quickack_mode),
//     and leaving quick-ACK mode resets ato to ATO_MIN.
//   - __tcp_ack_snd_check: ACK now if more than one rcv_mss is
//     unacknowledged and the window would not shrink by it
//     (__tcp_select_window >= rcv_wnd: the reader keeps up), in quick-ACK
//     mode (and not ping-pong), or when a hole was just filled
//     (ICSK_ACK_NOW); else tcp_send_delayed_ack.
//   - tcp_send_delayed_ack: the timer at ato, where ato above
//     TCP_DELACK_MIN is bounded by max(srtt, DELACK_MIN) and HZ/2
//     (TCP_DELACK_MAX in ping-pong mode), then by TCP_DELACK_MAX; an
//     earlier timer already armed is kept, and one due within ato/4 sends
//     the ACK at once.
//   - the delayed-ACK timer (tcp_delack_timer_handler): outside ping-pong
//     ato doubles (at most the RTO); in ping-pong it leaves ping-pong mode
//     and resets ato.
//   - tcp_event_data_sent: sending data within ato of the last data
//     received enters ping-pong mode (net.ipv4.tcp_pingpong_thresh 1: the
//     2019 change to 3, 4a41f453bedf, was reverted by 4d8f24eeedc5), where
//     request/response ACKs ride on the responses.
//   - tcp_cleanup_rbuf, once per read call (tcp_recvmsg): if an ACK is
//     scheduled and more than one rcv_mss is unacknowledged, or the read
//     drained the queue after a short (pushed) segment outside
//     ping-pong, ACK now. This is where a receiver whose reader lags sends
//     its ACKs: one per read call (~128 KiB with iperf3), which is the
//     ~1 ACK per 90 data packets the one-core testbed measures.
//
// The window __tcp_ack_snd_check compares is the free receive space
// (Endpoint.freeSpace: the buffer less unread and out-of-order data)
// clamped by rcv_ssthresh, which starts at the initial window Linux
// offers (tcp_select_initial_window: at most U16_MAX unscaled, 64 KiB
// here) and grows by 2 rcv_mss per in-order skb while it is below the
// free space and the buffer (tcp_grow_window, the truesize-fits case). So
// a reader that keeps up sees a window that never shrinks (ACK per 2 MSS,
// or per super-packet), and one that lags sees the free space fall below
// rcv_ssthresh, and its ACKs wait for its reads. This is the policy's own
// notion of the window; the window the endpoint advertises is unchanged.
//
// Simplifications (assumed): rcv_mss is the connection's MSS (Linux
// measures it from the segments, capped at advmss: the same for bulk
// data); SACK compression of out-of-order ACKs is not modelled (they go at
// once, as with "every"); a read call ends when it has taken
// Options.ReadBytes or the reader has copied everything received; the
// receiver of a one-way transfer has no RTT sample here, so srtt does not
// bound its ato (Linux has one from the handshake).
type linuxAck struct {
	ato      sim.Time // 0 until the first data
	lrcv     sim.Time // when the last data was received (lrcvtime)
	pingpong bool
	now      bool  // ICSK_ACK_NOW: a hole was filled
	pushed   uint8 // ICSK_ACK_PUSHED (1) and PUSHED2 (2): short segments seen
	gro      bool  // offloads on: decide once per super-packet (superAck)
	rcvWnd   int64 // the window (policy's notion) the last ACK offered (tp->rcv_wnd)
	ssthresh int64 // rcv_ssthresh

	// read calls (tcp_cleanup_rbuf)
	rdIdle sim.Time   // when the reader's last copy ends
	rdCall int64      // bytes the reader's current call has taken
	rdEnds []sim.Time // ends of full read calls still to come
	rdTmr  sim.Timer  // the next read-call end (evReadEnd)
}

// evReadEnd is linuxAck's read-call timer (an Endpoint.Handle kind).
const evReadEnd uint64 = 64

// initLinuxAck gives ep the Linux policy's state when its options ask for
// it (keeping a recycled endpoint's state object and timer generation).
func (ep *Endpoint) initLinuxAck(lx *linuxAck) {
	if ep.opt.AckPolicy != AckPolicyLinux {
		return
	}
	if lx == nil {
		lx = new(linuxAck)
	}
	*lx = linuxAck{rdEnds: lx.rdEnds[:0], rdTmr: lx.rdTmr, gro: ep.net.Config().Offloads}
	lx.rdTmr.Init(ep.eng, ep, evReadEnd)
	lx.ssthresh = min(ep.rcvSpace, initWindow)
	ep.lx = lx
	ep.quick = 0 // quick-ACK mode begins with the first data
}

// atoMin is TCP_ATO_MIN and TCP_DELACK_MIN (both HZ/25, 40 ms): the
// stated Options.DelAck.
func (ep *Endpoint) atoMin() sim.Time { return ep.opt.DelAck }

// incrQuickAck is tcp_incr_quickack.
func (ep *Endpoint) incrQuickAck() {
	q := int(ep.lx.rcvWnd / (2 * ep.mss))
	if q == 0 {
		q = 2
	}
	q = min(q, ep.opt.QuickAcks, math.MaxInt32)
	if int32(q) > ep.quick {
		ep.quick = int32(q)
	}
}

// enterQuickAck is tcp_enter_quickack_mode (a duplicate segment).
func (ep *Endpoint) enterQuickAck() {
	ep.incrQuickAck()
	ep.lx.pingpong = false
	ep.lx.ato = ep.atoMin()
}

// linuxDataRecv is tcp_event_data_recv and tcp_measure_rcv_mss's PUSHED
// flags for an in-order skb of length n at time at.
func (ep *Endpoint) linuxDataRecv(at sim.Time, n int32) {
	lx := ep.lx
	if lx.ato == 0 {
		ep.incrQuickAck()
		lx.ato = ep.atoMin()
	} else {
		m, amin := at-lx.lrcv, ep.atoMin()
		switch {
		case m <= amin/2:
			lx.ato = lx.ato/2 + amin/2
		case m < lx.ato:
			lx.ato = min(lx.ato/2+m, ep.rto)
		case m > ep.rto:
			ep.incrQuickAck()
		}
	}
	lx.lrcv = at
	// tcp_grow_window
	if free := ep.freeSpace(at); lx.ssthresh < free && lx.ssthresh < ep.rcvSpace {
		lx.ssthresh = min(lx.ssthresh+2*ep.mss, ep.rcvSpace)
	}
	if int64(n) < ep.mss {
		if lx.pushed&1 != 0 {
			lx.pushed |= 2
		}
		lx.pushed |= 1
	}
}

// linuxOnData takes an in-order segment of n payload bytes processed at
// at, its copy to the reader ending at done; batched: it rode behind the
// head of a super-packet; filled: it filled a hole.
func (ep *Endpoint) linuxOnData(at, done sim.Time, n int64, segLen int32, batched, filled bool) {
	lx := ep.lx
	if !batched {
		ep.linuxDataRecv(at, segLen)
	}
	if filled {
		lx.now = true
	}
	ep.noteRead(at, done, n)
	if lx.gro {
		// the super-packet is one skb: decide when its last packet is done
		ep.superAck.Set(at)
		return
	}
	ep.linuxAckCheck(at)
}

// linuxFlushSuper runs the check a super-packet still waits for when the
// next skb begins: back-to-back super-packets each get theirs, at the time
// their last packet was processed (or now, if that lies in the past of the
// engine), before the new skb's data counts.
func (ep *Endpoint) linuxFlushSuper() {
	if !ep.superAck.Armed() {
		return
	}
	t := max(ep.superAck.Deadline(), ep.eng.Now())
	ep.superAck.Stop()
	ep.linuxAckCheck(t)
}

// linuxAckCheck is __tcp_ack_snd_check for the data received by now.
func (ep *Endpoint) linuxAckCheck(now sim.Time) {
	lx := ep.lx
	if ep.rcvNxt <= ep.rcvWup { // nothing scheduled (an ACK went out)
		return
	}
	win := ep.linuxWindow(now)
	if lx.now || ep.quick > 0 && !lx.pingpong || ep.rcvNxt-ep.rcvWup > ep.mss && win >= lx.rcvWnd {
		ep.sendAck(now, ep.ackCore)
		return
	}
	ep.linuxDelayAck(now)
}

// linuxWindow is __tcp_select_window as the policy sees it: free space
// clamped by rcv_ssthresh, in whole segments.
func (ep *Endpoint) linuxWindow(now sim.Time) int64 {
	return max(min(ep.freeSpace(now), ep.lx.ssthresh)/ep.mss*ep.mss, 0)
}

// linuxDelayAck is tcp_send_delayed_ack.
func (ep *Endpoint) linuxDelayAck(now sim.Time) {
	lx := ep.lx
	ato := lx.ato
	if ato > ep.atoMin() {
		maxAto := atoMaxBulk
		if lx.pingpong || lx.pushed&1 != 0 {
			maxAto = delAckMax
		}
		if ep.srtt > 0 {
			maxAto = min(maxAto, max(ep.srtt, ep.atoMin()))
		}
		ato = min(ato, maxAto)
	}
	ato = min(ato, delAckMax)
	timeout := ep.opt.timerAt(now, ato)
	if ep.delack.Armed() {
		if d := ep.delack.Deadline(); d <= now+ato/4 {
			ep.sendAck(now, ep.ackCore)
			return
		} else if d < timeout {
			timeout = d
		}
	}
	ep.delack.Set(timeout)
}

// linuxDelAckTimer is tcp_delack_timer_handler.
func (ep *Endpoint) linuxDelAckTimer(now sim.Time) {
	lx := ep.lx
	if ep.rcvNxt > ep.rcvWup {
		if !lx.pingpong {
			lx.ato = min(2*lx.ato, ep.rto)
		} else {
			lx.pingpong = false
			lx.ato = ep.atoMin()
		}
		ep.sendAck(now, ep.ackCore)
	} else if ep.advEdge < ep.rcvNxt {
		ep.sendAck(now, ep.ackCore)
	}
}

// linuxSent is tcp_event_data_sent (n > 0) and tcp_event_ack_sent for a
// segment leaving at at; called before rcv_wup moves.
func (ep *Endpoint) linuxSent(at sim.Time, n int64) {
	lx := ep.lx
	if n > 0 && lx.ato > 0 && at-lx.lrcv < lx.ato {
		lx.pingpong = true
	}
	if ep.rcvNxt > ep.rcvWup && ep.quick > 0 { // tcp_dec_quickack_mode
		ep.quick--
		if ep.quick == 0 {
			lx.ato = ep.atoMin()
		}
	}
	lx.now, lx.pushed = false, 0
	lx.rcvWnd = ep.linuxWindow(at)
}

// noteRead follows the reader's calls: data arriving at at whose copy
// ends at done, n bytes. A reader idle at at is woken into a new call; a
// call ends once it has taken ReadBytes, or when the reader has copied
// everything (the timer checks that at rdIdle).
func (ep *Endpoint) noteRead(at, done sim.Time, n int64) {
	lx := ep.lx
	if at >= lx.rdIdle {
		lx.rdCall = 0
	}
	lx.rdIdle = max(lx.rdIdle, done)
	lx.rdCall += n
	if lx.rdCall >= ep.opt.ReadBytes {
		// one end suffices for several: the check after the first sends
		// the ACK, the others find nothing scheduled
		if k := len(lx.rdEnds); k == 0 || lx.rdEnds[k-1] != done {
			lx.rdEnds = append(lx.rdEnds, done)
		}
		lx.rdCall %= ep.opt.ReadBytes
	}
	ep.armReadEnd()
}

func (ep *Endpoint) armReadEnd() {
	lx := ep.lx
	if len(lx.rdEnds) > 0 {
		lx.rdTmr.Set(lx.rdEnds[0])
	} else {
		lx.rdTmr.Set(lx.rdIdle)
	}
}

// onReadEnd is tcp_cleanup_rbuf at the end of a read call.
func (ep *Endpoint) onReadEnd(now sim.Time) {
	lx := ep.lx
	full := false
	for len(lx.rdEnds) > 0 && lx.rdEnds[0] <= now {
		lx.rdEnds = lx.rdEnds[1:]
		full = true
	}
	drained := now >= lx.rdIdle
	if (full || drained) && ep.state == Established && ep.rcvNxt > ep.rcvWup {
		if ep.rcvNxt-ep.rcvWup > ep.mss ||
			drained && (lx.pushed&2 != 0 || lx.pushed&1 != 0 && !lx.pingpong) {
			ep.sendAck(now, ep.Core)
		}
	}
	if len(lx.rdEnds) > 0 || lx.rdIdle > now {
		ep.armReadEnd()
	}
}
