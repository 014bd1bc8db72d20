package workload

import (
	"math/rand/v2"

	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/sim"
)

// TCPCRR is netperf TCP_CRR: per transaction a new connection, one
// request, one response, close.
const TCPCRR = "tcp_crr"

// tcpCRR is one TCP_CRR loop as netperf's omni test runs it
// (src/nettest_omni.c): the client connect()s, writes the request and
// reads the response; the server (recv_omni) reads the request, writes the
// response and close()s at once (close_data_socket); the client, in
// disconnect_data_socket without -N (initiate = no_control = 0), calls
// recv() until it returns 0 on the server's FIN, then close(), and counts
// the transaction when that returns; then it connects again. So the
// transaction time runs from connect() to the return of the client's
// close(): the handshake, request, response, the server's FIN and the
// client's end-of-file read and close() (its FIN+ACK's send path). The
// server, which closed first, holds TIME_WAIT; the client's last step
// (the server's final ACK) is off the transaction's critical path.
//
// The connection is recycled (tcp.Pool) once the last ACK has arrived
// (tcp.Conn.OnDone): its conntrack entry moves to TIME_WAIT then.
type tcpCRR struct {
	k   *connector
	c   *tcp.Conn
	msg int64
	t0  sim.Time
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
		a.c.Server.Close(e.Now())
	case crrClose:
		// an event of its own: the read that saw end of file returns
		// into the endpoint first
		done := a.c.Client.Close(e.Now())
		a.k.m.transaction(a.t0, done)
		a.c = nil
		a.k.m.e.Schedule(done, a.k, evAttempt)
	}
}

func (m *meter) buildTCPCRR(rng *rand.Rand) error {
	onDone := m.connDone
	for i := 0; i < m.cfg.Workload.Streams; i++ {
		a := &tcpCRR{msg: int64(m.cfg.Workload.MessageBytes)}
		k := &connector{m: m, i: i, rng: rng}
		a.k = k
		// bound once per loop: a loop has one open connection at a time
		onEst, onSrvRead, onEOF := a.established, a.serverRead, a.clientEOF
		k.open = func(c *tcp.Conn, t0 sim.Time) {
			a.c, a.t0 = c, t0
			c.Client.OnEstablished = onEst
			c.Server.OnRead = onSrvRead
			c.Client.OnEOF = onEOF
			c.OnDone = onDone
		}
		m.e.Schedule(m.startAt(rng), k, evAttempt)
	}
	return nil
}

// established: connect() returned; write the request.
func (a *tcpCRR) established(at sim.Time) { a.k.m.e.Schedule(at, a, crrRequest) }

// serverRead: the server has read the request; respond and close.
func (a *tcpCRR) serverRead(at sim.Time, total int64) {
	if total >= a.msg {
		a.c.Server.OnRead = nil
		a.k.m.e.Schedule(at, a, crrRespond)
	}
}

// clientEOF: the client's recv() after the response returned 0 (the
// server's FIN, which follows the response): close.
func (a *tcpCRR) clientEOF(at sim.Time) { a.k.m.e.Schedule(at, a, crrClose) }

// connDone: a connection's FIN exchange is over: recycle it.
func (m *meter) connDone(c *tcp.Conn, at sim.Time) { m.closeConn(c, at) }
