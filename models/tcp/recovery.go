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
	for _, s := range ep.relost { // retransmitted, then found lost: not in flight
		p -= ep.sb.unsacked(max(s.start, ep.sndUna), min(s.end, ep.highRxt))
	}
	return p
}

// retxRec is a retransmission sent during recovery and the highest
// sequence sent before it (snd_max): data above the fence left after it.
type retxRec struct{ start, end, fence int64 }

// detectLostRetx finds retransmissions that were lost in turn, by RACK's
// rule with the order of sending in place of its timestamps (RFC 8985
// 6.2, Linux tcp_rack_detect_loss, without a reordering window: this
// network does not reorder a flow): a retransmission not delivered when
// something sent after it has been (a later retransmission, or data above
// its fence) is lost, and is sent again before any other hole. Without it
// only the RTO would repair a lost retransmission (RFC 6675 sends each
// hole once).
func (ep *Endpoint) detectLostRetx() {
	hi := ep.sndUna // the highest byte delivered, + 1
	if s := ep.sb.spans(); len(s) > 0 {
		hi = s[len(s)-1].end
	}
	last := -1 // the latest retransmission delivered
	for j := len(ep.rtxLog) - 1; j >= 0; j-- {
		if ep.retxDelivered(ep.rtxLog[j]) {
			last = j
			break
		}
	}
	k := 0
	for j, r := range ep.rtxLog {
		switch {
		case ep.retxDelivered(r):
		case j < last || hi > r.fence:
			ep.relost = append(ep.relost, span{r.start, r.end})
		default:
			ep.rtxLog[k] = r
			k++
		}
	}
	ep.rtxLog = ep.rtxLog[:k]
}

func (ep *Endpoint) retxDelivered(r retxRec) bool {
	return r.end <= ep.sndUna || ep.sb.unsacked(max(r.start, ep.sndUna), r.end) == 0
}

// forgetRetx ends the lost-retransmission bookkeeping of a recovery.
func (ep *Endpoint) forgetRetx() {
	ep.rtxLog, ep.relost = ep.rtxLog[:0], ep.relost[:0]
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
	ep.forgetRetx()
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
	ep.forgetRetx()
	ep.cwnd = ep.ssthresh
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
		if tsq := ep.opt.TSQBytes; tsq > 0 && ep.out.TxQueued(at) >= tsq {
			ep.out.Throttle(at, tsq/2)
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
		ep.rtxLog = append(ep.rtxLog, retxRec{seq, seq + n, ep.sndMax})
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
	lost := ep.sb.lostBelow(ep.sndUna, ep.mss)
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
