package workload

import (
	"fmt"
	"math/rand/v2"

	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/sim"
)

const (
	udpSend uint64 = iota
	udpWake
)

// udpSndBuf bounds a UDP socket's bytes waiting for the wire (Linux
// net.core.wmem_default 212992; the sender blocks rather than overflowing
// its own qdisc).
const udpSndBuf = 212992

// udpStream is netperf UDP_STREAM / iperf3 -u: datagrams at the offered
// rate, or back to back as fast as the sending core and the socket buffer
// allow (one event per datagram: the application's send loop).
type udpStream struct {
	m        *meter
	tx, rx   *tcp.UDPEndpoint
	payload  int
	interval sim.Time // 0: as fast as possible
	seq      int64
	core     *sim.Processor
}

func (u *udpStream) Handle(e *sim.Engine, arg uint64) {
	now := e.Now()
	if arg == udpWake {
		u.tx.Route().Unthrottle()
		u.tx.Woke()
	}
	if u.tx.Route().TxQueued(now) >= udpSndBuf {
		u.tx.Route().Throttle(now, udpSndBuf/2)
		return
	}
	u.seq++
	u.tx.Send(now, u.payload, u.seq)
	if due := now + u.interval; u.interval > 0 && due > u.core.BusyUntil() {
		// Its send call is over before the next datagram is due: a
		// paced sender sleeps until then and is woken for it.
		u.tx.Slept()
	}
	next := max(now+u.interval, u.core.BusyUntil(), now+1)
	if next <= u.m.cfg.Duration {
		e.Schedule(next, u, udpSend)
	}
}

func (m *meter) buildUDPStream(rng *rand.Rand) error {
	w := m.cfg.Workload
	for i := 0; i < w.Streams; i++ {
		cs, ss := m.sides(i)
		tx, rx, err := tcp.DialUDP(m.n, cs, ss, m.cfg.Forward, m.cfg.Reverse, flowKey(rng))
		if err != nil {
			return fmt.Errorf("workload stream %d: %w", i, err)
		}
		if c := m.cfg.TCP.Capture; c != nil {
			c.AttachUDP(tx, rx)
		}
		u := &udpStream{m: m, tx: tx, rx: rx, payload: w.MessageBytes, core: m.n.Core(cs.Node, cs.Core)}
		if w.RateMbps > 0 {
			u.interval = sim.Time(float64(w.MessageBytes) * 8 / (w.RateMbps * 1e6) * float64(sim.Second))
		}
		tx.Route().SetTxWaker(u, udpWake)
		rx.OnRecv = func(at sim.Time, h network.Header) { m.addBytes(at, int64(h.Len)) }
		m.udpRx = append(m.udpRx, rx)
		m.udpTx = append(m.udpTx, tx)
		m.e.Schedule(m.startAt(rng), u, udpSend)
	}
	return nil
}
