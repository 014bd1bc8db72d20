package tcp

import (
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// DCTCP (RFC 8257, as Linux's net/ipv4/tcp_dctcp.c): every packet is sent
// ECN-capable (ECT(0)); a switch port whose queue is above its threshold
// marks them CE (network.Fabric.ECNThreshold). The receiver echoes the
// marks precisely: ECE on its ACKs while the last data segment was CE,
// and an ACK at once whenever that state changes (after the ACK a delayed
// one owed, with the old state). The sender keeps alpha, a moving average
// (gain 1/16) of the fraction of its bytes acknowledged with ECE, updated
// once per window of data, and on ECE reduces its window once per window
// to cwnd x (1 - alpha/2), as Linux's CWR state does (the reduction spread
// over the next round trip by PRR, tcp_cwnd_reduction). Congestion
// avoidance is Reno's; a loss halves the window (dctcp_react_to_loss).

// dctcpGain is alpha's gain g = 1/16 (Linux dctcp_shift_g = 4).
const dctcpGain = 1.0 / 16

// flagECE is the TCP header's ECE bit (network.Header.Flags; the network
// uses the low five bits, flagSACK the top one).
const flagECE uint8 = 1 << 6

// dctcp is an endpoint's DCTCP state (Endpoint.dc; nil with other
// congestion controls).
type dctcp struct {
	// sender
	alpha           float64 // marked fraction, moving average; starts at 1 (Linux dctcp_alpha_on_init)
	windowEnd       int64   // alpha's observation window ends when snd_una passes it
	acked, ackedECE int64   // bytes delivered in the window, and by ACKs carrying ECE
	inCWR           bool    // reducing the window after ECE (Linux TCP_CA_CWR)
	cwrHigh         int64   // snd_nxt when the reduction began (Linux high_seq)
	// receiver
	ceState bool // the last data segment received was CE: our ACKs carry ECE
}

// initDCTCP gives ep DCTCP's state when its options ask for it.
func (ep *Endpoint) initDCTCP(dc *dctcp) {
	if ep.opt.Congestion != DCTCP {
		return
	}
	if dc == nil {
		dc = new(dctcp)
	}
	*dc = dctcp{alpha: 1}
	ep.dc = dc
}

// DCTCPAlpha returns the sender's alpha (0 without DCTCP).
func (ep *Endpoint) DCTCPAlpha() float64 {
	if ep.dc == nil {
		return 0
	}
	return ep.dc.alpha
}

// dctcpAck is the sender's part of an ACK that delivered bytes (newly
// acknowledged or SACKed), in Linux's order: the end of a reduction whose
// high_seq is now acknowledged (strictly above it, so that the CWR bit
// reached the receiver), alpha (tcp_in_ack_event), then ECE starting a
// reduction (tcp_try_to_open) unless one or a loss recovery is under way.
func (ep *Endpoint) dctcpAck(h *network.Header, delivered int64) {
	dc := ep.dc
	if dc.inCWR && ep.sndUna > dc.cwrHigh {
		dc.inCWR = false
		ep.cwnd = ep.ssthresh // tcp_end_cwnd_reduction
	}
	ece := h.Flags&flagECE != 0
	dc.acked += delivered
	if ece {
		dc.ackedECE += delivered
	}
	if ep.sndUna >= dc.windowEnd {
		f := 0.0
		if dc.acked > 0 {
			f = float64(dc.ackedECE) / float64(dc.acked)
		}
		dc.alpha = (1-dctcpGain)*dc.alpha + dctcpGain*f
		dc.windowEnd, dc.acked, dc.ackedECE = ep.sndNxt, 0, 0
	}
	if ece && !dc.inCWR && !ep.inRecovery {
		dc.inCWR, dc.cwrHigh = true, ep.sndNxt
		ep.priorCwnd = int64(ep.cwnd * float64(ep.mss))
		ep.ssthresh = max(ep.cwnd*(1-dc.alpha/2), 2) // dctcp_ssthresh
		ep.prrDelivered, ep.prrOut = 0, 0
	}
}

// dctcpSegment is the receiver's part of a data segment, before it is
// processed: a change of CE state sends the ACK owed for the data before
// it with the old state, and reports that the segment must be ACKed at
// once (dctcp_ece_ack_update).
func (ep *Endpoint) dctcpSegment(h *network.Header, at sim.Time) (ackNow bool) {
	dc := ep.dc
	ce := h.ECN == network.ECNCE
	if ce == dc.ceState {
		return false
	}
	if ep.rcvNxt > ep.rcvWup { // a delayed ACK is owed
		ep.sendAck(at, ep.ackCore)
	}
	dc.ceState = ce
	return true
}
