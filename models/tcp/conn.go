package tcp

import (
	"fmt"
	"github.com/cnisim/cnisim/internal/field"
	"math"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// Side places one end of a connection: the pod's node and its
// application's core.
type Side struct {
	Node, Core int
}

// Conn is a TCP connection: the client (which connects) and the server.
type Conn struct {
	Client, Server *Endpoint
	// OnDone is called when both sides' teardown has ended (fin.go): the
	// last ACK of the FIN exchange has arrived, or a FIN was given up on.
	OnDone func(c *Conn, at sim.Time)
}

// Dial creates both endpoints of a connection. fwd is the datapath from
// the client's pod to the server's, rev the reverse (the same plugin's
// path with the roles swapped); podMTU fixes the MSS (pod MTU - 52). key
// distinguishes connections for RSS. Nothing is sent until Connect.
func Dial(n *network.Network, client, server Side, fwd, rev datapath.CostedPath, podMTU int, key uint64, opt Options) (*Conn, error) {
	return dial(n, nil, client, server, fwd, rev, nil, podMTU, key, opt)
}

// Relays are the third nodes a connection's two directions cross (nil:
// direct): a NodePort connection whose endpoint is on another node than
// the one it entered (network.Via).
type Relays struct {
	Fwd, Rev *network.Via
}

// dial is Dial into c, a closed connection to reuse, or a new one (nil),
// relayed where via says.
func dial(n *network.Network, c *Conn, client, server Side, fwd, rev datapath.CostedPath, via *Relays, podMTU int, key uint64, opt Options) (*Conn, error) {
	opt = opt.Defaults()
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	if podMTU < MinPodMTU || podMTU > 65535 {
		return nil, field.Errorf("tcp.Conn.PodMTU", podMTU, "must be in [%d, 65535]", MinPodMTU)
	}
	if c == nil {
		c = &Conn{Client: new(Endpoint), Server: new(Endpoint)}
	}
	if c.Client.opt == nil || *c.Client.opt != opt {
		o := opt
		c.Client.opt = &o
	}
	o := c.Client.opt // read-only once set: shared by both endpoints and kept for reuse
	c.Client.init(n, o, client, true, int64(datapath.MSS(podMTU)))
	c.Server.init(n, o, server, false, int64(datapath.MSS(podMTU)))
	c.Client.peer, c.Server.peer = c.Server, c.Client
	c.Client.conn, c.Server.conn, c.OnDone = c, c, nil
	var err error
	var fv, rv *network.Via
	if via != nil {
		fv, rv = via.Fwd, via.Rev
	}
	c.Client.out, err = n.NewRoute(network.RouteSpec{Path: fwd, Src: client.Node, Dst: server.Node,
		FlowKey: 2 * key, RecvCore: server.Core, SenderShares: client == server, To: c.Server, Via: fv})
	if err != nil {
		return nil, fmt.Errorf("forward path: %w", err)
	}
	c.Server.out, err = n.NewRoute(network.RouteSpec{Path: rev, Src: server.Node, Dst: client.Node,
		FlowKey: 2*key + 1, RecvCore: client.Core, SenderShares: client == server, To: c.Client, Via: rv})
	if err != nil {
		return nil, fmt.Errorf("reverse path: %w", err)
	}
	for _, ep := range []*Endpoint{c.Client, c.Server} {
		ep.out.SetTxWaker(ep, evTSQ)
	}
	if o.Capture != nil {
		o.Capture.attach(c)
	}
	c.Server.state = Listen
	return c, nil
}

// init sets ep up as a new endpoint: a zero one, or a closed one being
// reused, whose timers keep their generations (a wake-up of its previous
// connection still queued stays a no-op) and whose buffers keep their
// arrays.
func (ep *Endpoint) init(n *network.Network, o *Options, s Side, client bool, mss int64) {
	rto, delack, superAck, winUpd, lx, ecn, hs := ep.rtoTimer, ep.delack, ep.superAck, ep.winUpd, ep.lx, ep.ecn, ep.hs
	writes, ooo, copies, rtxLog, sent := ep.writes[:0], ep.ooo[:0], ep.copies[:0], ep.rtxLog[:0], ep.sent[:0]
	*ep = Endpoint{net: n, eng: n.Engine(), opt: o, Node: s.Node, Core: s.Core, client: client, mss: mss,
		rto: o.InitRTO, ssthresh: math.Inf(1), rcvSpace: o.RcvBuf / 2, quick: int32(min(o.QuickAcks, math.MaxInt32)),
		FirstSyn: -1, EstablishedAt: -1, FailedAt: -1, ackCore: s.Core, connectAt: -1,
		rtoTimer: rto, delack: delack, superAck: superAck, winUpd: winUpd,
		writes: writes, ooo: ooo, copies: copies, rtxLog: rtxLog, sent: sent}
	ep.rtoTimer.Init(ep.eng, ep, evRTO)
	ep.delack.Init(ep.eng, ep, evDelAck)
	ep.superAck.Init(ep.eng, ep, evSuperAck)
	ep.winUpd.Init(ep.eng, ep, evWinUpdate)
	ep.reoTimer.Init(ep.eng, ep, evReo)
	ep.initLinuxAck(lx)
	ep.initECN(ecn)
	ep.initLinuxCubic(hs)
	ep.cc.beta, ep.cc.c = 0.7, 0.4 // RFC 9438 4.5/4.6 and Linux's cubic defaults
}

// Connect starts the handshake at time at >= now.
func (c *Conn) Connect(at sim.Time) {
	ep := c.Client
	if at > ep.eng.Now() {
		ep.connectAt = at
		ep.eng.Schedule(at, ep, evConnect)
		return
	}
	ep.sendSyn(at)
}

func (ep *Endpoint) sendSyn(at sim.Time) {
	if ep.state != Closed && ep.state != SynSent {
		return
	}
	if ep.state == Closed {
		ep.state = SynSent
		ep.FirstSyn = at
	}
	ep.xmitSyn(at, network.FlagSYN)
}

// SynSent returns the times the client sent its SYNs: the first and each
// retransmission, which follow the SYN schedule from it (nil before the
// first). Derived, not recorded, so that a connection carries no list.
func (ep *Endpoint) SynSent() []sim.Time {
	if ep.FirstSyn < 0 {
		return nil
	}
	ts := make([]sim.Time, 0, ep.Stats.SynRetrans+1)
	t := ep.FirstSyn
	for k := 0; k <= int(ep.Stats.SynRetrans); k++ {
		ts = append(ts, t)
		t += ep.opt.synGap(k)
	}
	return ts
}

// xmitSyn sends a SYN or SYN-ACK and arms the SYN timer for the schedule.
func (ep *Endpoint) xmitSyn(at sim.Time, flags uint8) {
	if ep.synCount > 0 {
		ep.Stats.SynRetrans++
	}
	p := ep.packet(at, flags, 0, 0)
	ep.net.Send(ep.out, p, ep.Core, at)
	ep.rtoTimer.Set(ep.opt.timerAt(at, ep.opt.synGap(ep.synCount)))
	ep.synCount++
}

// onSyn handles SYN (at the server) and SYN-ACK (at the client).
func (ep *Endpoint) onSyn(h *network.Header, at sim.Time) {
	ep.tsRecent = h.TSval
	if h.Flags&network.FlagACK == 0 { // SYN
		switch ep.state {
		case Listen:
			ep.state = SynRcvd
			ep.FirstSyn = at
			ep.sndWndEdge = h.Win
			ep.lastWin = h.Win
			ep.xmitSyn(at, network.FlagSYN|network.FlagACK)
		case SynRcvd:
			// a retransmitted SYN: our SYN-ACK was lost; answer again
			ep.xmitSyn(at, network.FlagSYN|network.FlagACK)
		}
		return
	}
	switch ep.state { // SYN-ACK
	case SynSent:
		ep.sndWndEdge = h.Ack + h.Win
		ep.lastWin = h.Win
		ep.rttSample(h, at)
		ep.establish(at)
		ep.sendAck(at, ep.ackCore)
		ep.output(at)
	case Established:
		ep.sendAck(at, ep.ackCore) // our ACK was lost
	}
}

// establish completes the handshake: initial window 10 segments, or 1 if
// the SYN (or SYN-ACK) was retransmitted more than once (DESIGN 2; Linux
// tcp_init_transfer with total_retrans > 1).
func (ep *Endpoint) establish(at sim.Time) {
	ep.state = Established
	ep.EstablishedAt = at
	ep.rtoTimer.Stop()
	ep.cwnd = float64(ep.opt.InitCwnd)
	if ep.synCount > 2 {
		ep.cwnd = 1
	}
	if ep.srtt == 0 {
		ep.rto = ep.opt.InitRTO
	}
	if ep.OnEstablished != nil {
		ep.OnEstablished(at)
	}
}

func (ep *Endpoint) failSyn(at sim.Time) {
	ep.state = Failed
	ep.FailedAt = at
	if ep.OnFail != nil {
		ep.OnFail(at)
	}
}

// BlackholeUntil drops every packet to or from this endpoint's pod sent
// before t: a pod whose network (policy, routes) is not ready yet, as with
// asynchronous CNI set-up (DESIGN 2, "Pod launch pipeline").
func (ep *Endpoint) BlackholeUntil(t sim.Time) {
	ep.out.BlackholeUntil(t)
	ep.peer.out.BlackholeUntil(t)
}
