package tcp

import (
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// crrLoop is a TCP_CRR client loop: connect, a 1-byte request and
// response, close, connect again, through a Pool or through Dial.
type crrLoop struct {
	e     *sim.Engine
	n     *network.Network
	pool  *Pool // nil: Dial and Conn.Abandon
	path  datapath.CostedPath
	c     *Conn
	t0    sim.Time
	done  []sim.Time // each transaction's end
	conns map[*Conn]bool
}

const (
	loopOpen uint64 = iota
	loopRequest
	loopRespond
	loopClose
)

func (l *crrLoop) Handle(e *sim.Engine, arg uint64) {
	now := e.Now()
	switch arg {
	case loopOpen:
		path := l.path
		var err error
		if l.pool != nil {
			l.c, err = l.pool.Dial(l.n, Side{Node: 0, Core: 0}, Side{Node: 1, Core: 1}, path, path, 1500, uint64(len(l.done)), Options{})
		} else {
			l.c, err = Dial(l.n, Side{Node: 0, Core: 0}, Side{Node: 1, Core: 1}, path, path, 1500, uint64(len(l.done)), Options{})
		}
		if err != nil {
			panic(err)
		}
		l.conns[l.c] = true
		l.t0 = now
		l.c.Client.OnEstablished = func(at sim.Time) { e.Schedule(at, l, loopRequest) }
		l.c.Server.OnRead = func(at sim.Time, total int64) { e.Schedule(at, l, loopRespond) }
		l.c.Client.OnRead = func(at sim.Time, total int64) {
			l.done = append(l.done, at-l.t0)
			e.Schedule(at, l, loopClose)
		}
		l.c.Connect(now)
	case loopRequest:
		l.c.Client.Write(now, 1)
	case loopRespond:
		l.c.Server.Write(now, 1)
	case loopClose:
		if l.pool != nil {
			l.pool.Abandon(l.c)
		} else {
			l.c.Abandon()
		}
		l.c = nil
		e.Schedule(now, l, loopOpen)
	}
}

func runLoop(t *testing.T, pool *Pool, until sim.Time) *crrLoop {
	t.Helper()
	e := sim.NewEngine()
	cfg := network.DefaultConfig()
	cfg.LinkDelay = 100 * sim.Microsecond // a few thousand transactions in 1.2 s
	n, err := network.New(e, cfg)
	if err != nil {
		t.Fatal(err)
	}
	l := &crrLoop{e: e, n: n, pool: pool, path: hostPath(1), conns: map[*Conn]bool{}}
	e.Schedule(0, l, loopOpen)
	e.RunUntil(until)
	if err := n.Conservation(); err != nil {
		t.Error(err)
	}
	return l
}

// TestPoolSameAsDial: a TCP_CRR loop through a Pool gives every
// transaction the time a loop of fresh connections gives, past the 1 s at
// which the first connections' stopped SYN timers' wake-ups come due (they
// must stay no-ops on the recycled endpoints), and reuses a few
// connections instead of making one per transaction.
func TestPoolSameAsDial(t *testing.T) {
	t.Parallel()
	until := 1200 * sim.Millisecond
	fresh := runLoop(t, nil, until)
	pooled := runLoop(t, &Pool{}, until)
	if len(fresh.done) < 1000 || len(pooled.done) != len(fresh.done) {
		t.Fatalf("%d transactions through the pool, %d fresh (want equal, >= 1000)", len(pooled.done), len(fresh.done))
	}
	for i := range fresh.done {
		if fresh.done[i] != pooled.done[i] {
			t.Fatalf("transaction %d: %v through the pool, %v fresh", i, pooled.done[i], fresh.done[i])
		}
	}
	if len(fresh.conns) != len(fresh.done)+1 {
		t.Errorf("fresh: %d connections for %d transactions", len(fresh.conns), len(fresh.done))
	}
	t.Logf("%d transactions, %d pooled connections", len(pooled.done), len(pooled.conns))
	if k := len(pooled.conns); k > 600 {
		t.Errorf("the pool made %d connections for %d transactions: want few (routes fold every 256 retirements)", k, len(pooled.done))
	}
}
