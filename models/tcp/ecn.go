package tcp

import (
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// ECN: a switch port whose queue is above its threshold marks ECN-capable
// packets CE (network.Fabric.ECNThreshold) instead of dropping them, and
// the transport reacts to the echoed marks. Two reactions, as Linux has
// them:
//
// DCTCP (RFC 8257, net/ipv4/tcp_dctcp.c): every packet is sent ECT(0).
// The receiver echoes the marks precisely: ECE on its ACKs while the last
// data segment was CE, and an ACK at once whenever that state changes
// (after the ACK a delayed one owed, with the old state). The sender keeps
// alpha, a moving average (gain 1/16) of the fraction of its bytes
// acknowledged with ECE, updated once per window of data, and on ECE
// reduces its window once per window to cwnd x (1 - alpha/2), spread over
// the next round trip by PRR as Linux's CWR state does
// (tcp_cwnd_reduction). Congestion avoidance is Reno's; a loss halves the
// window (dctcp_react_to_loss).
//
// Classic ECN (RFC 3168, Options.ECN with Reno or CUBIC; Linux tcp_ecn =
// 1 on both sides): new data segments are ECT(0), pure ACKs and
// retransmissions are not. A receiver that gets a CE segment sets ECE on
// every segment it sends until a data segment with CWR arrives, and ACKs
// the next two segments at once (tcp_enter_quickack_mode(sk, 2)). The
// sender treats ECE as a loss without a retransmission, once per window:
// ssthresh from its congestion control (CUBIC's beta 0.7 and W_max),
// the reduction through PRR, and CWR on its next new data segment.

// dctcpGain is alpha's gain g = 1/16 (Linux dctcp_shift_g = 4).
const dctcpGain = 1.0 / 16

// The TCP header's ECN flags (network.Header.Flags; the network uses the
// low five bits, flagSACK the top one).
const (
	flagCWR uint8 = 1 << 5
	flagECE uint8 = 1 << 6
)

// ecnState is an endpoint's ECN state (Endpoint.ecn; nil without ECN).
type ecnState struct {
	dctcp bool // DCTCP's reaction and echo, else RFC 3168's
	// sender
	alpha           float64 // DCTCP: marked fraction, moving average; starts at 1 (Linux dctcp_alpha_on_init)
	windowEnd       int64   // DCTCP: alpha's observation window ends when snd_una passes it
	acked, ackedECE int64   // DCTCP: bytes delivered in the window, and by ACKs carrying ECE
	inCWR           bool    // reducing the window after ECE (Linux TCP_CA_CWR)
	cwrHigh         int64   // snd_nxt when the reduction began (Linux high_seq)
	sendCWR         bool    // RFC 3168: the next new data segment carries CWR
	// receiver
	ceState   bool // DCTCP: the last data segment received was CE: our ACKs carry ECE
	demandCWR bool // RFC 3168: a CE segment arrived and no CWR since: our segments carry ECE
}

// initECN gives ep its ECN state when its options ask for ECN.
func (ep *Endpoint) initECN(e *ecnState) {
	dctcp := ep.opt.Congestion == DCTCP
	if !dctcp && !ep.opt.ECN {
		return
	}
	if e == nil {
		e = new(ecnState)
	}
	*e = ecnState{dctcp: dctcp, alpha: 1}
	ep.ecn = e
}

// DCTCPAlpha returns the sender's alpha (0 without DCTCP).
func (ep *Endpoint) DCTCPAlpha() float64 {
	if ep.ecn == nil || !ep.ecn.dctcp {
		return 0
	}
	return ep.ecn.alpha
}

// ecnMark sets a packet's ECN field and flags as it is built: DCTCP's
// ECT and echo on every packet, RFC 3168's echo on every segment (its
// ECT and CWR go on new data only: ecnData).
func (ep *Endpoint) ecnMark(p *network.Packet) {
	e := ep.ecn
	if e.dctcp {
		p.ECN = network.ECNECT0 // INET_ECN_xmit
		if e.ceState {
			p.Flags |= flagECE
		}
		return
	}
	if e.demandCWR {
		p.Flags |= flagECE
	}
}

// ecnData marks a new data segment under RFC 3168: ECT(0), and CWR once
// after a reduction (tcp_ecn_send).
func (ep *Endpoint) ecnData(p *network.Packet) {
	e := ep.ecn
	if e.dctcp {
		return
	}
	p.ECN = network.ECNECT0
	if e.sendCWR {
		p.Flags |= flagCWR
		e.sendCWR = false
	}
}

// ecnAck is the sender's part of an ACK that delivered bytes (newly
// acknowledged or SACKed), in Linux's order: the end of a reduction whose
// high_seq is now acknowledged (strictly above it, so that the CWR bit
// reached the receiver), DCTCP's alpha (tcp_in_ack_event), then ECE
// starting a reduction (tcp_try_to_open) unless one or a loss recovery is
// under way.
func (ep *Endpoint) ecnAck(h *network.Header, delivered int64, at sim.Time) {
	e := ep.ecn
	if e.inCWR && ep.sndUna > e.cwrHigh {
		e.inCWR = false
		ep.cwnd = ep.ssthresh // tcp_end_cwnd_reduction
	}
	ece := h.Flags&flagECE != 0
	if e.dctcp {
		e.acked += delivered
		if ece {
			e.ackedECE += delivered
		}
		if ep.sndUna >= e.windowEnd {
			f := 0.0
			if e.acked > 0 {
				f = float64(e.ackedECE) / float64(e.acked)
			}
			e.alpha = (1-dctcpGain)*e.alpha + dctcpGain*f
			e.windowEnd, e.acked, e.ackedECE = ep.sndNxt, 0, 0
		}
	}
	if !ece || e.inCWR || ep.inRecovery {
		return
	}
	e.inCWR, e.cwrHigh = true, ep.sndNxt
	ep.tlpHigh = 0 // tcp_init_cwnd_reduction ends a probe episode
	ep.priorCwnd = int64(ep.cwnd * float64(ep.mss))
	ep.ssthresh = ep.cwrSsthresh(at)
	e.sendCWR = !e.dctcp // tcp_ecn_queue_cwr
	ep.prrDelivered, ep.prrOut = 0, 0
}

// ecnSegment is the receiver's part of a data segment, before it is
// processed. DCTCP: a change of CE state sends the ACK owed for the data
// before it with the old state, and reports that the segment must be
// ACKed at once (dctcp_ece_ack_update). RFC 3168: CWR ends the echo
// (tcp_ecn_accept_cwr), then CE starts it and ACKs the next two segments
// at once (tcp_ecn_check_ce).
func (ep *Endpoint) ecnSegment(h *network.Header, at sim.Time) (ackNow bool) {
	e := ep.ecn
	ce := h.ECN == network.ECNCE
	if !e.dctcp {
		if h.Flags&flagCWR != 0 {
			e.demandCWR = false
		}
		if ce && !e.demandCWR {
			e.demandCWR = true
			if ep.lx != nil {
				ep.enterQuickAck()
			} else {
				ep.quick = max(ep.quick, 2)
			}
		}
		return false
	}
	if ce == e.ceState {
		return false
	}
	if ep.rcvNxt > ep.rcvWup { // a delayed ACK is owed
		ep.sendAck(at, ep.ackCore)
	}
	e.ceState = ce
	return true
}

// ecnLoss ends an ECE reduction when a loss starts recovery or a timeout.
func (ep *Endpoint) ecnLoss() {
	if ep.ecn != nil {
		ep.ecn.inCWR = false
	}
}
