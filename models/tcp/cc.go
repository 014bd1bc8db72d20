package tcp

import (
	"math"

	"github.com/cnisim/cnisim/sim"
)

// cubic is CUBIC's state (RFC 9438).
type cubic struct {
	c, beta float64
	wMax    float64  // window before the last reduction
	k       float64  // seconds to reach wMax again
	origin  float64  // W_max of the current epoch
	epoch   sim.Time // start of the congestion-avoidance epoch, -1 none
	wEst    float64  // Reno-friendly estimate (RFC 9438 4.3)
	started bool
}

// ccOnAck grows the window by segs newly acknowledged segments. Slow start
// adds every acknowledged segment (appropriate byte counting, RFC 3465,
// as Linux's tcp_slow_start does without a per-ACK limit), up to
// ssthresh; the rest goes to congestion avoidance.
func (ep *Endpoint) ccOnAck(segs float64, at sim.Time) {
	if ep.cwnd < ep.ssthresh {
		inc := min(segs, ep.ssthresh-ep.cwnd)
		ep.cwnd += inc
		segs -= inc
		if segs <= 0 {
			return
		}
	}
	if ep.opt.Congestion != Cubic || ep.opt.LinuxCubic { // Reno's, DCTCP's, Linux's CUBIC
		ep.otherOnAck(segs, at)
		return
	}
	ep.cubicOnAck(segs, at)
}

// otherOnAck is every congestion avoidance but RFC 9438's CUBIC: Reno's and
// DCTCP's (tcp_reno_cong_avoid: RFC 5681 3.1, about one segment per RTT),
// or Linux's CUBIC.
func (ep *Endpoint) otherOnAck(segs float64, at sim.Time) {
	if ep.opt.Congestion == Cubic {
		ep.linuxCubicOnAck(segs, at)
		return
	}
	ep.cwnd += segs / ep.cwnd
}

// cubicOnAck is RFC 9438 4.2-4.5: the window follows
// W_cubic(t) = C (t - K)^3 + W_max, no slower than the Reno-friendly W_est.
func (ep *Endpoint) cubicOnAck(segs float64, at sim.Time) {
	cc := &ep.cc
	if !cc.started || cc.epoch < 0 {
		cc.started = true
		cc.epoch = at
		if ep.cwnd < cc.wMax {
			cc.origin = cc.wMax
			cc.k = math.Cbrt((cc.wMax - ep.cwnd) / cc.c)
		} else {
			cc.origin = ep.cwnd
			cc.k = 0
		}
		cc.wEst = ep.cwnd
	}
	rtt := ep.srtt
	if rtt == 0 || ep.opt.LinuxCubic { // Linux's runs ahead by delay_min
		rtt = ep.cubicRTT()
	}
	t := (at - cc.epoch + rtt).Seconds() // W_cubic(t + RTT), RFC 9438 4.4
	d := t - cc.k
	wCubic := cc.origin + cc.c*d*d*d
	alpha := 3 * (1 - cc.beta) / (1 + cc.beta)
	cc.wEst += alpha * segs / ep.cwnd
	if wCubic < cc.wEst { // Reno-friendly region, 4.3
		ep.cwnd = max(ep.cwnd, min(cc.wEst, 1.5*ep.cwnd))
		return
	}
	target := min(max(wCubic, ep.cwnd), 1.5*ep.cwnd)
	ep.cwnd += segs * (target - ep.cwnd) / ep.cwnd
}

// ccOnLoss returns the new ssthresh after a congestion event (a loss, or
// ECE under RFC 3168): Reno halves the flight size (RFC 5681 eq. 4); DCTCP
// the window (Linux dctcp_react_to_loss); CUBIC multiplies the window by
// beta 0.7 and records W_max with fast convergence (RFC 9438 4.6-4.7).
func (ep *Endpoint) ccOnLoss(at sim.Time) float64 {
	if ep.opt.Congestion == DCTCP {
		return max(ep.cwnd/2, 2)
	}
	if ep.opt.Congestion == Reno {
		flight := float64(ep.sndMax-ep.sndUna) / float64(ep.mss)
		return max(flight/2, 2)
	}
	cc := &ep.cc
	w := ep.cwnd
	if w < cc.wMax {
		cc.wMax = w * (1 + cc.beta) / 2
	} else {
		cc.wMax = w
	}
	cc.epoch = -1
	return max(w*cc.beta, 2)
}
