package tcp

import (
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// dupThresh is RFC 6675's DupThresh (and RFC 5681's three duplicate ACKs;
// Linux tcp_reordering 3).
const dupThresh = 3

// takeSACK merges the SACK option of an ACK into the scoreboard and
// returns the bytes it newly SACKed (RFC 6675 5, "update the scoreboard").
func (ep *Endpoint) takeSACK(h *network.Header) int64 {
	rec, ok := ep.peer.sackLog.take(uint64(h.Seq))
	if !ok {
		return 0
	}
	var n int64
	for k := uint8(0); k < rec.n; k++ {
		b := rec.blk[k]
		b.start = max(b.start, h.Ack, ep.sndUna)
		if b.end > b.start && b.end <= ep.sndMax {
			n += ep.sb.add(b.start, b.end)
		}
	}
	return n
}

// pipe is RFC 6675's estimate of the bytes in the network (SetPipe):
// unSACKed bytes above snd_una, less those deemed lost and not yet
// retransmitted (a lost byte retransmitted counts once).
func (ep *Endpoint) pipe() int64 {
	p := ep.sndMax - ep.sndUna - ep.sb.sacked
	lost := ep.sb.lostBelow(ep.sndUna, ep.mss)
	if from := max(ep.highRxt, ep.sndUna); from < lost {
		p -= ep.sb.unsacked(from, lost)
	}
	return p
}

// enterRecovery starts SACK loss recovery (RFC 6675 5 step 4; HighRxt
// as in RFC 6675 2) with
// proportional rate reduction (RFC 6937 3.1 initialisation): ssthresh from
// the congestion control, RecoverFS as Linux's prior_cwnd.
func (ep *Endpoint) enterRecovery(at sim.Time) {
	ep.Stats.FastRetrans++
	ep.inRecovery = true
	ep.recover = ep.sndMax
	ep.priorCwnd = int64(ep.cwnd * float64(ep.mss))
	ep.ssthresh = ep.ccOnLoss(at)
	ep.prrDelivered, ep.prrOut = 0, 0
	// retransmissions of the last recovery still unacknowledged stay in
	// flight, not lost (Linux keeps TCPCB_SACKED_RETRANS per segment)
	ep.highRxt = max(ep.highRxt, ep.sndUna)
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
	ep.cwnd = ep.ssthresh
}

// recoveryOutput sends while pipe is below the PRR window: first the lost
// holes in order (RFC 6675 NextSeg rule 1), then new data (rule 2).
func (ep *Endpoint) recoveryOutput(at sim.Time) {
	pipe := ep.pipe()
	wnd := ep.cwnd*float64(ep.mss) + 0.5
	for {
		lost := ep.sb.lostBelow(ep.sndUna, ep.mss)
		seq, next := ep.sb.nextHole(max(ep.highRxt, ep.sndUna), ep.sndMax)
		var n int64
		retx := seq < lost
		if retx {
			n = min(ep.mss, next-seq, lost-seq)
		} else {
			seq = ep.sndNxt
			n = min(ep.mss, ep.appLimit-seq)
			if n <= 0 || seq+n > ep.sndWndEdge {
				return
			}
		}
		if float64(pipe+n) > wnd {
			ep.cwndLimited = true
			return
		}
		if tsq := ep.opt.TSQBytes; tsq > 0 && ep.out.TxQueued(at) >= tsq {
			ep.out.Throttle(at, tsq/2)
			return
		}
		ep.xmit(at, seq, n)
		ep.prrOut += n
		pipe += n
		if retx {
			ep.highRxt = seq + n
			continue
		}
		ep.sndNxt += n
		ep.sndMax = max(ep.sndMax, ep.sndNxt)
	}
}
