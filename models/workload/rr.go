package workload

import (
	"fmt"
	"math/rand/v2"

	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/sim"
)

const (
	rrRequest uint64 = iota // the client sends the next request
	rrRespond               // the server answers
)

// tcpRR is one netperf TCP_RR connection: one transaction outstanding, a
// request of MessageBytes, a response of MessageBytes, the next request
// as soon as the response has been read. Application actions run as
// events at the time the application's copy ends.
type tcpRR struct {
	m         *meter
	c         *tcp.Conn
	msg       int64
	sentAt    sim.Time
	answered  int64 // requests the server has answered
	completed int64 // responses the client has read
}

func (a *tcpRR) Handle(e *sim.Engine, arg uint64) {
	switch arg {
	case rrRequest:
		a.sentAt = e.Now()
		a.c.Client.Write(e.Now(), a.msg)
	case rrRespond:
		a.c.Server.Write(e.Now(), a.msg)
	}
}

func (m *meter) buildTCPRR(rng *rand.Rand) error {
	for i := 0; i < m.cfg.Workload.Streams; i++ {
		c, err := m.dial(rng, i)
		if err != nil {
			return err
		}
		a := &tcpRR{m: m, c: c, msg: int64(m.cfg.Workload.MessageBytes)}
		m.receivers = append(m.receivers, c.Server)
		c.Client.OnEstablished = func(at sim.Time) { m.e.Schedule(at, a, rrRequest) }
		c.Server.OnRead = func(at sim.Time, total int64) {
			for total >= (a.answered+1)*a.msg {
				a.answered++
				m.e.Schedule(at, a, rrRespond)
			}
		}
		c.Client.OnRead = func(at sim.Time, total int64) {
			if total >= (a.completed+1)*a.msg {
				a.completed++
				m.transaction(a.sentAt, at)
				m.e.Schedule(at, a, rrRequest)
			}
		}
		c.Connect(m.startAt(rng))
	}
	return nil
}

// udpRR is netperf UDP_RR: a datagram request, a datagram response.
type udpRR struct {
	m      *meter
	cl, sv *tcp.UDPEndpoint
	msg    int
	seq    int64
	sentAt sim.Time
}

func (a *udpRR) Handle(e *sim.Engine, arg uint64) {
	switch arg {
	case rrRequest:
		a.sentAt = e.Now()
		a.seq++
		a.cl.Send(e.Now(), a.msg, a.seq)
	case rrRespond:
		a.sv.Send(e.Now(), a.msg, a.seq)
	}
}

func (m *meter) buildUDPRR(rng *rand.Rand) error {
	for i := 0; i < m.cfg.Workload.Streams; i++ {
		cs, ss := m.sides(i)
		cl, sv, err := tcp.DialUDP(m.n, cs, ss, m.cfg.Forward, m.cfg.Reverse, flowKey(rng))
		if err != nil {
			return fmt.Errorf("workload stream %d: %w", i, err)
		}
		if c := m.cfg.TCP.Capture; c != nil {
			c.AttachUDP(cl, sv)
		}
		a := &udpRR{m: m, cl: cl, sv: sv, msg: m.cfg.Workload.MessageBytes}
		m.udpRx = append(m.udpRx, sv)
		m.udpTx = append(m.udpTx, cl)
		sv.OnRecv = func(at sim.Time, h network.Header) { m.e.Schedule(at, a, rrRespond) }
		cl.OnRecv = func(at sim.Time, h network.Header) {
			if h.Seq == a.seq {
				m.transaction(a.sentAt, at)
				m.e.Schedule(at, a, rrRequest)
			}
		}
		m.e.Schedule(m.startAt(rng), a, rrRequest)
	}
	return nil
}
