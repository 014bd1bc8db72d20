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
// The closed connection's endpoints are dropped, so memory does not grow
// with transactions beyond the network's per-route accounting.
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
		k.open = func(c *tcp.Conn, t0 sim.Time) {
			a.c, a.t0 = c, t0
			c.Client.OnEstablished = func(at sim.Time) { m.e.Schedule(at, a, crrRequest) }
			c.Server.OnRead = func(at sim.Time, total int64) {
				if total >= a.msg {
					c.Server.OnRead = nil
					m.e.Schedule(at, a, crrRespond)
				}
			}
			c.Client.OnRead = func(at sim.Time, total int64) {
				if total < a.msg {
					return
				}
				c.Client.OnRead = nil
				m.transaction(a.t0, at)
				m.e.Schedule(at, a, crrClose)
			}
		}
		m.e.Schedule(m.startAt(rng), k, evAttempt)
	}
	return nil
}
