package workload

import (
	"math/rand/v2"

	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/sim"
)

// TCPCRR is netperf TCP_CRR: per transaction a new connection, one
// request, one response, close.
const TCPCRR = "tcp_crr"

// tcpCRR is one TCP_CRR loop (netperf -t TCP_CRR, or one of fortio -c's
// connections without keep-alive): connect(), write the request, read the
// response, close(), and connect again at once. The transaction time runs
// from connect() to the response's read.
//
// Teardown: the client's close() returns at once (netperf does not wait
// for the FIN exchange), so it adds nothing to the transaction time; the
// connection's conntrack entry moves to TIME_WAIT. The FIN/ACK packets are
// not simulated (models/tcp has no FIN): their CPU is missing from the
// nodes' accounting, about two packets' worth per connection on each node.
// The closed connection's endpoints and routes are recycled (tcp.Pool,
// network.Retire), so memory does not grow with transactions.
type tcpCRR struct {
	k     *connector
	c     *tcp.Conn
	msg   int64
	t0    sim.Time
	reqAt sim.Time
}

const (
	crrRequest uint64 = iota
	crrRespond
	crrClose
)

func (a *tcpCRR) Handle(e *sim.Engine, arg uint64) {
	switch arg {
	case crrRequest:
		a.c.Client.Write(e.Now(), a.msg)
	case crrRespond:
		a.c.Server.Write(e.Now(), a.msg)
	case crrClose:
		// an event of its own: the read that ended the transaction
		// returns into the endpoint (which may still ACK) first
		a.k.m.closeConn(a.c, e.Now())
		a.c = nil
		a.k.attempt(e.Now())
	}
}

func (m *meter) buildTCPCRR(rng *rand.Rand) error {
	for i := 0; i < m.cfg.Workload.Streams; i++ {
		a := &tcpCRR{msg: int64(m.cfg.Workload.MessageBytes)}
		k := &connector{m: m, i: i, rng: rng}
		a.k = k
		// bound once per loop: a loop has one connection at a time
		onEst, onSrvRead, onCliRead := a.established, a.serverRead, a.clientRead
		k.open = func(c *tcp.Conn, t0 sim.Time) {
			a.c, a.t0 = c, t0
			c.Client.OnEstablished = onEst
			c.Server.OnRead = onSrvRead
			c.Client.OnRead = onCliRead
		}
		m.e.Schedule(m.startAt(rng), k, evAttempt)
	}
	return nil
}

// established: connect() returned; write the request.
func (a *tcpCRR) established(at sim.Time) { a.k.m.e.Schedule(at, a, crrRequest) }

// serverRead: the server has read the request; respond.
func (a *tcpCRR) serverRead(at sim.Time, total int64) {
	if total >= a.msg {
		a.c.Server.OnRead = nil
		a.k.m.e.Schedule(at, a, crrRespond)
	}
}

// clientRead: the client has read the response: the transaction ends.
func (a *tcpCRR) clientRead(at sim.Time, total int64) {
	if total < a.msg {
		return
	}
	a.c.Client.OnRead = nil
	a.k.m.transaction(a.t0, at)
	a.k.m.e.Schedule(at, a, crrClose)
}
