package tcp

// Abandon ends a connection at once, without a FIN exchange (a flow that
// simply stops, or a Pool's connection once its FIN exchange is over,
// fin.go): every timer of both endpoints stops
// (a close's FIN carries the ACK a delayed-ACK timer would have sent),
// both go to Closed, so packets still arriving are dropped on delivery and
// nothing more is sent, and their routes are handed back to the network
// (network.Retire) so that memory stays flat in the number of connections.
// The callbacks, the route and the peer are cleared: a stopped timer's
// wake-up event stays queued until its original deadline (up to the 1 s
// SYN timer) and keeps its endpoint alive that long, so what it keeps must
// be small; the endpoint is garbage once that event has run.
func (c *Conn) Abandon() {
	for _, ep := range []*Endpoint{c.Client, c.Server} {
		ep.rtoTimer.Stop()
		ep.delack.Stop()
		ep.superAck.Stop()
		ep.winUpd.Stop()
		ep.state = Closed
		ep.OnRead, ep.OnEstablished, ep.OnFail = nil, nil, nil
		ep.net.Retire(ep.out)
	}
	for _, ep := range []*Endpoint{c.Client, c.Server} {
		ep.out, ep.peer = nil, nil
	}
}
