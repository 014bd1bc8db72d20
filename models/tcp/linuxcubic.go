package tcp

import "github.com/cnisim/cnisim/sim"

// Linux's CUBIC (net/ipv4/tcp_cubic.c, Options.LinuxCubic) differs from
// RFC 9438's in four ways that decide how a flow fills a deep queue:
//
//   - HyStart, its hybrid slow start (hystart = 1, both detections, on by
//     default), ends slow start before the first loss (below);
//   - before it has a W_max (after HyStart, or after a timeout, which
//     forgets it: bictcp_reset in TCP_CA_Loss) the window grows by at
//     least 1/20 of a segment for each segment ACKed (bictcp_update: cnt
//     at most 20 while last_max_cwnd is 0), 5% a round;
//   - the cubic's time runs ahead by delay_min, not SRTT;
//   - delay_min is CUBIC's least RTT sample since the start or the last
//     timeout, samples within a second of a congestion-avoidance epoch's
//     start ignored (cubictcp_acked).
//
// HyStart: ssthresh is set to the window once, in a
// round of the window's ACKs (from when snd_una passes the round's
// snd_nxt), either the ACK train, ACKs no more than 2 ms apart, has
// lasted beyond half of delay_min plus a TSO/GRO cushion (a round taking
// longer than the path's empty-queue RTT: the window outgrew the
// bottleneck's rate), or the least RTT of the round's first eight samples
// exceeds delay_min by clamp(delay_min/8, 4 ms, 16 ms) (a queue has
// built). It acts from a window of 16 segments (hystart_low_window), in
// slow start only, and again only after a timeout (Linux resets it in
// TCP_CA_Loss).
const (
	hystartLowWindow  = 16
	hystartAckDelta   = 2 * sim.Millisecond
	hystartMinSamples = 8
	hystartDelayMin   = 4 * sim.Millisecond
	hystartDelayMax   = 16 * sim.Millisecond
)

// linuxCubic is the state Linux's CUBIC keeps beyond RFC 9438's.
type linuxCubic struct {
	found      bool
	samples    int
	roundStart sim.Time
	lastAck    sim.Time
	endSeq     int64    // the round ends when snd_una passes it
	currRTT    sim.Time // the least RTT sample of the round's first ones
	delayMin   sim.Time // CUBIC's delay_min (0: no sample yet)
}

// initLinuxCubic gives ep its Linux CUBIC state when its options ask for
// it (CUBIC only), reusing h.
func (ep *Endpoint) initLinuxCubic(h *linuxCubic) {
	if !ep.opt.LinuxCubic || ep.opt.Congestion != Cubic {
		return
	}
	if h == nil {
		h = new(linuxCubic)
	}
	*h = linuxCubic{endSeq: -1} // the first update starts a round (cubictcp_init's reset)
	ep.hs = h
}

// linuxCubicOnAck is cubicOnAck with Linux's floor while there is no
// W_max: at least 1/20 of a segment for each segment ACKed.
func (ep *Endpoint) linuxCubicOnAck(segs float64, at sim.Time) {
	before := ep.cwnd
	ep.cubicOnAck(segs, at)
	if ep.cc.wMax == 0 {
		ep.cwnd = max(ep.cwnd, before+segs/20)
	}
}

// cubicRTT is what the cubic's time runs ahead by (RFC 9438 4.4's RTT):
// Linux's delay_min once known, else SRTT, else the initial RTO.
func (ep *Endpoint) cubicRTT() sim.Time {
	switch {
	case ep.hs != nil && ep.hs.delayMin > 0:
		return ep.hs.delayMin
	case ep.srtt > 0:
		return ep.srtt
	}
	return ep.opt.InitRTO
}

// hystartReset starts a round at at (bictcp_hystart_reset).
func (ep *Endpoint) hystartReset(at sim.Time) {
	h := ep.hs
	h.roundStart, h.lastAck = at, at
	h.endSeq = ep.sndMax
	h.currRTT = sim.Never
	h.samples = 0
}

// linuxCubicTimeout forgets W_max, what slow start found and delay_min
// (cubictcp_state on TCP_CA_Loss: bictcp_reset, bictcp_hystart_reset),
// after the timeout's ssthresh was taken from W_max's update.
func (ep *Endpoint) linuxCubicTimeout(at sim.Time) {
	ep.cc.wMax = 0
	ep.hs.found, ep.hs.delayMin = false, 0
	ep.hystartReset(at)
}

// ccAcked is the congestion control's look at an ACK's RTT sample rtt
// (Linux's pkts_acked): Linux's CUBIC's only.
func (ep *Endpoint) ccAcked(rtt, at sim.Time) {
	if ep.opt.LinuxCubic {
		ep.hystartAcked(rtt, at)
	}
}

// hystartAcked takes an ACK's RTT sample rtt (0: none) at at
// (cubictcp_acked, then hystart_update).
func (ep *Endpoint) hystartAcked(rtt, at sim.Time) {
	h := ep.hs
	if rtt <= 0 || h == nil { // nil: not CUBIC
		return
	}
	if cc := &ep.cc; cc.started && cc.epoch >= 0 && at-cc.epoch < sim.Second {
		return // right after a recovery: the queue it left is no path delay
	}
	if h.delayMin == 0 || rtt < h.delayMin {
		h.delayMin = rtt
	}
	if h.found || ep.cwnd >= ep.ssthresh || ep.cwnd < hystartLowWindow {
		return
	}
	if ep.sndUna > h.endSeq {
		ep.hystartReset(at)
	}
	if at-h.lastAck <= hystartAckDelta {
		h.lastAck = at
		// half of delay_min and the cushion: Linux halves the threshold
		// for a socket that is not paced, as CUBIC's are
		threshold := (h.delayMin + ep.hystartAckDelay()) / 2
		if at-h.roundStart > threshold {
			h.found = true
			ep.ssthresh = ep.cwnd
		}
	}
	h.currRTT = min(h.currRTT, rtt)
	if h.samples < hystartMinSamples {
		h.samples++
	} else if h.currRTT > h.delayMin+min(max(h.delayMin/8, hystartDelayMin), hystartDelayMax) {
		h.found = true
		ep.ssthresh = ep.cwnd
	}
}

// hystartAckDelay is hystart_ack_delay: the time four 64 KiB GSO packets
// take at the pacing rate, at most 1 ms (0 before the first RTT sample).
func (ep *Endpoint) hystartAckDelay() sim.Time {
	rate := ep.pacingRate()
	if rate <= 0 {
		return 0
	}
	return min(sim.Millisecond, sim.FromSeconds(4*gsoMaxSize/rate))
}
