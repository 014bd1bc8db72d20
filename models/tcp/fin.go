package tcp

import (
	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// Teardown states (RFC 9293 3.3.2), as State reports them. While a side
// is closing its internal state stays Established (its data may still be
// in flight, retransmitted and acknowledged as before) and State derives
// the RFC name from what was sent and received; the two end states are
// real: TimeWait (the active closer, which answers a retransmitted FIN
// until its peer is done) and Closed.
const (
	FinWait1  State = iota + Failed + 1 // our FIN sent, not acknowledged, no FIN received
	FinWait2                            // our FIN acknowledged, waiting for the peer's
	Closing                             // both FINs sent, ours not acknowledged (simultaneous close)
	CloseWait                           // the peer's FIN received, the application has not closed
	LastAck                             // the peer closed first, our FIN not acknowledged
	TimeWait                            // the active closer, done: it holds the connection's 2MSL
)

// finRetries is how many times a FIN is retransmitted before the side
// gives up: an application that has closed its socket leaves it orphaned,
// and Linux retries an orphan tcp_orphan_retries times, whose default 0
// means 8 (net/ipv4/tcp_timer.c, tcp_orphan_retries()).
const finRetries = 8

// Close is the application's close() at time at (or shutdown(SHUT_WR)):
// a FIN follows the data written so far; it occupies one sequence number,
// is retransmitted on the RTO (doubling, finRetries times) and carries
// the ACK of whatever was received (a peer's pending delayed ACK or its
// FIN). It returns when close() returns: after the FIN's send path on the
// application's core (the FIN goes down the stack inside the call), or at
// at when the FIN has to wait for data not yet sent. Close on a side that
// is not established, or twice, does nothing.
func (ep *Endpoint) Close(at sim.Time) sim.Time {
	if ep.state != Established || ep.closeReq {
		return at
	}
	ep.closeReq = true
	if !ep.finRcvd {
		ep.active = true
	}
	if ep.sendFin(at) {
		return max(at, ep.net.Core(ep.Node, ep.Core).BusyUntil())
	}
	return at
}

// sendFin sends the FIN once every written byte has been sent.
func (ep *Endpoint) sendFin(at sim.Time) bool {
	if ep.finSent || ep.sndNxt < ep.appLimit {
		return false
	}
	ep.finSent, ep.finSeq = true, ep.appLimit
	ep.xmitFin(at, 1)
	return true
}

// xmitFin sends the FIN (calls: 1 for close()'s own, a system call like
// a write; 0 for a retransmission) and arms its timer unless data in
// flight already has it.
func (ep *Endpoint) xmitFin(at sim.Time, calls uint16) {
	p := ep.packet(at, network.FlagFIN|network.FlagACK, ep.finSeq, 0)
	p.Calls = calls
	ep.net.Send(ep.out, p, ep.Core, at)
	if !ep.rtoTimer.Armed() {
		ep.rtoTimer.Set(ep.opt.timerAt(at, ep.rto))
	}
}

// finPending reports whether the RTO is the FIN's: the FIN is out and not
// acknowledged and no data is.
func (ep *Endpoint) finPending() bool {
	return ep.finSent && !ep.finAcked && ep.sndUna >= ep.sndMax
}

// onFinRTO retransmits the FIN with the timeout doubled, or gives up.
func (ep *Endpoint) onFinRTO(now sim.Time) {
	if ep.finTries >= finRetries {
		ep.giveUp(now)
		return
	}
	ep.finTries++
	ep.Stats.FinRetrans++
	ep.rto = min(2*ep.rto, ep.opt.MaxRTO)
	ep.xmitFin(now, 0)
}

// closing is Deliver for a side that has closed or received a FIN, or a
// segment carrying a FIN: the ACK (our FIN's acknowledgement taken out of
// it), data, then the FIN; then the state moves on.
func (ep *Endpoint) closing(h *network.Header, in *network.Route, at sim.Time, batched bool) {
	fin := h.Flags&network.FlagFIN != 0
	if h.Flags&network.FlagACK != 0 {
		a := *h
		if ep.finSent && a.Ack > ep.finSeq {
			ep.finAcked = true
			a.Ack = ep.finSeq
		}
		if fin && a.Len == 0 {
			// a FIN occupies a sequence number: not a duplicate ACK
			// (Linux sets FLAG_DATA for it, tcp_ack)
			a.Len = 1
		}
		ep.onAck(&a, at)
	}
	if h.Len > 0 || h.Flags&network.FlagProbe != 0 {
		ep.onData(h, in, at, batched)
	}
	if fin {
		ep.onFin(h, in, at)
	}
	if ep.closeReq {
		ep.sendFin(at)
	}
	if ep.finPending() && !ep.rtoTimer.Armed() {
		ep.rtoTimer.Set(ep.opt.timerAt(at, ep.rto)) // the data's RTO stopped when it was all acknowledged
	}
	ep.checkDone(at)
}

// onFin takes the peer's FIN once every byte before it has arrived (an
// earlier one is dropped: the peer retransmits it). An application still
// reading sees end of file: its blocked read returns 0 (one read call and
// wake-up on the receive context, OnEOF). The FIN is acknowledged at once
// by the active closer (FIN_WAIT -> TIME_WAIT, Linux tcp_fin sends the ACK
// there), else by the delayed-ACK timer unless the application's close()
// carries it first (Linux: pingpong mode after a FIN, CLOSE_WAIT).
func (ep *Endpoint) onFin(h *network.Header, in *network.Route, at sim.Time) {
	if ep.finRcvd { // a retransmission: our ACK was lost
		ep.sendAck(at, ep.ackCore)
		return
	}
	if h.Seq+int64(h.Len) != ep.rcvNxt {
		return
	}
	ep.finRcvd, ep.finIn = true, 1
	if ep.closeReq {
		ep.sendAck(at, ep.ackCore)
		return
	}
	done := in.Recv(network.Read{Pkts: 1, Bytes: datapath.TCPIPOverhead, Size: ep.opt.ReadBytes}, at)
	ep.delack.Set(ep.opt.timerAt(at, ep.opt.DelAck))
	if ep.OnEOF != nil {
		ep.OnEOF(done)
	}
}

// checkDone ends this side's teardown once its FIN is acknowledged and the
// peer's received: the active closer goes to TIME_WAIT, the passive one
// to CLOSED. When both sides are done the connection is (Conn.OnDone).
func (ep *Endpoint) checkDone(at sim.Time) {
	if ep.done || !ep.finAcked || !ep.finRcvd {
		return
	}
	ep.done = true
	ep.state = Closed
	if ep.active {
		ep.state = TimeWait
	}
	ep.rtoTimer.Stop()
	ep.delack.Stop()
	if ep.peer.done {
		ep.conn.finished(at)
	}
}

// giveUp ends a teardown whose FIN was retransmitted finRetries times
// without an acknowledgement. The connection is done at once: what the
// peer would keep (an orphan in FIN_WAIT_2 until tcp_fin_timeout, or
// CLOSE_WAIT) is not simulated.
func (ep *Endpoint) giveUp(now sim.Time) {
	for _, e := range []*Endpoint{ep, ep.peer} {
		if !e.done {
			e.done, e.state = true, Closed
			e.rtoTimer.Stop()
			e.delack.Stop()
		}
	}
	ep.conn.finished(now)
}

// finished calls OnDone once both sides are done.
func (c *Conn) finished(at sim.Time) {
	if c.OnDone != nil {
		c.OnDone(c, at)
	}
}

// timeWait is Deliver in TIME_WAIT: a retransmitted FIN (our last ACK was
// lost) is acknowledged again; anything else is dropped.
func (ep *Endpoint) timeWait(h *network.Header, at sim.Time) {
	if h.Flags&network.FlagFIN != 0 {
		ep.sendAck(at, ep.ackCore)
	}
}

// closeState is State for a closing side (internally Established).
func (ep *Endpoint) closeState() State {
	switch {
	case ep.closeReq && ep.finRcvd && !ep.active:
		return LastAck
	case ep.closeReq && ep.finRcvd:
		return Closing
	case ep.closeReq && ep.finAcked:
		return FinWait2
	case ep.closeReq:
		return FinWait1
	case ep.finRcvd:
		return CloseWait
	}
	return ep.state
}

// Done reports whether this side's teardown has ended (TIME_WAIT or
// CLOSED after a FIN exchange, or given up).
func (ep *Endpoint) Done() bool { return ep.done }
