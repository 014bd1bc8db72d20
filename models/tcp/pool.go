package tcp

import (
	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
)

// Pool recycles closed connections for new ones (a connection-churn
// workload: TCP_CRR opens one per transaction), so that its memory stays
// flat and it allocates little per connection. A closed connection is
// reused once both its routes have been folded by the network (none of
// its packets is in flight, so nothing can reach its endpoints any more)
// and no Connect event of its is pending; queued timer wake-ups stay
// stale (sim.Timer.Init keeps the generation). A recycled connection
// starts exactly as a new one: results do not depend on the pool.
// The zero Pool is ready; one Pool serves one network.
type Pool struct {
	closed []closedConn // in closing order
	head   int
}

type closedConn struct {
	c     *Conn
	out   [2]*network.Route // the client's and the server's
	folds [2]uint64         // their fold counts at Retire
}

// Dial is tcp.Dial with a recycled connection when one is free.
func (p *Pool) Dial(n *network.Network, client, server Side, fwd, rev datapath.CostedPath, podMTU int, key uint64, opt Options) (*Conn, error) {
	return dial(n, p.take(n), client, server, fwd, rev, nil, podMTU, key, opt)
}

// DialVia is Dial with the directions relayed through third nodes (a
// NodePort connection's second hop): fwd and rev are then the first legs'
// paths and via holds the second legs'.
func (p *Pool) DialVia(n *network.Network, client, server Side, fwd, rev datapath.CostedPath, via Relays, podMTU int, key uint64, opt Options) (*Conn, error) {
	return dial(n, p.take(n), client, server, fwd, rev, &via, podMTU, key, opt)
}

// Abandon is Conn.Abandon, keeping c for reuse: the caller must drop
// every reference to c and its endpoints.
func (p *Pool) Abandon(c *Conn) {
	cc := closedConn{c: c, out: [2]*network.Route{c.Client.out, c.Server.out}}
	cc.folds = [2]uint64{cc.out[0].Folds(), cc.out[1].Folds()}
	c.Abandon()
	if p.head > 0 && p.head == len(p.closed) {
		clear(p.closed)
		p.closed, p.head = p.closed[:0], 0
	}
	p.closed = append(p.closed, cc)
}

// take returns the oldest closed connection if it can be reused, else nil.
func (p *Pool) take(n *network.Network) *Conn {
	if p.head == len(p.closed) {
		return nil
	}
	cc := &p.closed[p.head]
	now := n.Engine().Now()
	if cc.out[0].Folds() == cc.folds[0] || cc.out[1].Folds() == cc.folds[1] ||
		cc.c.Client.connectAt >= now || cc.c.Server.connectAt >= now {
		return nil
	}
	c := cc.c
	*cc = closedConn{}
	p.head++
	if p.head > 1024 && 2*p.head >= len(p.closed) { // compact
		k := copy(p.closed, p.closed[p.head:])
		clear(p.closed[k:])
		p.closed, p.head = p.closed[:k], 0
	}
	return c
}
