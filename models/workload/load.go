package workload

import (
	"fmt"

	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/sim"
)

// wrk events and job tags: conn index x wrkKinds + kind.
const (
	wrkPrepare uint64 = iota // the thread handles a response and writes the next request
	wrkServe                 // the server worker handles a request and writes the response
	wrkWarmup                // start of the measured interval (conn index 0)
	wrkKinds
)

// wrkConn is one keep-alive connection of wrk: one request outstanding,
// the next written once the response has been read and the thread has
// done its own per-request work (parsing, statistics, the next request).
type wrkConn struct {
	c         *tcp.Conn
	thread    *proc // wrk thread
	worker    *proc // nginx worker
	sentAt    sim.Time
	answered  int64 // requests the server has taken
	completed int64 // responses the client has read
}

// load is http_load: wrk -t threads -c connections against a server pod
// whose workers (one per server core) cost CyclesPerRequest +
// CyclesPerByte x response bytes per request. Closed loop: the threads'
// CPU, the server's cores or the network binds.
type load struct {
	e         *sim.Engine
	n         *network.Network
	cfg       *Config
	conns     []wrkConn
	server    appCores
	client    appCores
	req, resp int64
	srvCycles float64 // server cycles per request
	wrkCycles float64 // client cycles per request
	completed uint64  // in [Warmup, Duration]
	latency   sim.Histogram
	acct0     network.Accounting
	failures  int
}

// Handle starts an application job: a response read by the client, a
// request read by the server (events at the time the copy ends).
func (l *load) Handle(e *sim.Engine, arg uint64) {
	now := e.Now()
	k := &l.conns[arg/wrkKinds]
	switch arg % wrkKinds {
	case wrkPrepare:
		k.thread.submit(now, l.wrkCycles, arg)
	case wrkServe:
		k.worker.submit(now, l.srvCycles, arg)
	case wrkWarmup:
		l.acct0 = l.n.Accounting()
	}
}

// jobDone writes the message a job produced, from the thread's core.
func (l *load) jobDone(now sim.Time, tag uint64) {
	k := &l.conns[tag/wrkKinds]
	switch tag % wrkKinds {
	case wrkPrepare:
		k.sentAt = now
		k.c.Client.Write(now, l.req)
	case wrkServe:
		k.c.Server.Write(now, l.resp)
	}
}

func runLoad(e *sim.Engine, n *network.Network, cfg *Config) (Result, error) {
	h := cfg.Workload.HTTP
	cn, sn := podNodes(cfg.Placement)
	l := &load{e: e, n: n, cfg: cfg, req: WrkRequestBytes, resp: HTTPResponseHeader + int64(cfg.Workload.MessageBytes),
		wrkCycles: h.ClientCyclesPerRequest}
	l.srvCycles = h.Server.CyclesPerRequest + h.Server.CyclesPerByte*float64(l.resp)
	l.server = appCores{n: n, node: sn, ghz: cfg.Cluster.GHz, from: cfg.Warmup, to: cfg.Duration}
	l.client = appCores{n: n, node: cn, ghz: cfg.Cluster.GHz, from: cfg.Warmup, to: cfg.Duration}
	k := cfg.Cluster.CoresPerNode
	threads := make([]proc, h.Threads)
	for j := range threads {
		threads[j] = proc{a: &l.client, core: j % k, owner: l}
	}
	workers := make([]proc, h.Server.Cores)
	for j := range workers {
		workers[j] = proc{a: &l.server, core: serverCore(cfg.Placement, k, j), owner: l}
	}
	rng := sim.Streams{Seed: cfg.Seed, Replication: cfg.Replication}.Stream("workload")
	l.conns = make([]wrkConn, h.Connections)
	for i := range l.conns {
		wc := &l.conns[i]
		wc.thread, wc.worker = &threads[i%h.Threads], &workers[i%h.Server.Cores]
		c, err := tcp.Dial(n, tcp.Side{Node: cn, Core: wc.thread.core}, tcp.Side{Node: sn, Core: wc.worker.core},
			cfg.Forward, cfg.Reverse, cfg.PodMTU, flowKey(rng), cfg.TCP)
		if err != nil {
			return Result{}, fmt.Errorf("http_load connection %d: %w", i, err)
		}
		wc.c = c
		base := uint64(i) * wrkKinds
		c.Client.OnFail = func(sim.Time) { l.failures++ }
		c.Client.OnEstablished = func(at sim.Time) { e.Schedule(at, l, base+wrkPrepare) }
		c.Server.OnRead = func(at sim.Time, total int64) {
			for total >= (wc.answered+1)*l.req {
				wc.answered++
				e.Schedule(at, l, base+wrkServe)
			}
		}
		c.Client.OnRead = func(at sim.Time, total int64) {
			if total >= (wc.completed+1)*l.resp {
				wc.completed++
				l.response(wc.sentAt, at)
				e.Schedule(at, l, base+wrkPrepare)
			}
		}
		c.Connect(0)
	}
	e.Schedule(cfg.Warmup, l, wrkWarmup)
	e.RunUntil(cfg.Duration)
	return l.result(), nil
}

// response records one completed request (wrk's latency: request written
// to response read).
func (l *load) response(sent, at sim.Time) {
	if at < l.cfg.Warmup || at > l.cfg.Duration {
		return
	}
	l.completed++
	l.latency.Record(at - sent)
}

func (l *load) result() Result {
	cfg := l.cfg
	span := (cfg.Duration - cfg.Warmup).Seconds()
	var r Result
	r.RequestsPerS = float64(l.completed) / span
	r.summariseLatency(&l.latency)
	a := l.n.Accounting().Sub(l.acct0)
	_, sn := podNodes(cfg.Placement)
	r.CPUCoresUsedByNode = make([]float64, len(a.Busy))
	for i, b := range a.Busy {
		r.CPUCoresUsedByNode[i] = b.Seconds() / span
	}
	r.CPUCoresUsed = r.CPUCoresUsedByNode[sn]
	r.CPUByContext = map[string]float64{"server_app": l.server.cores(), "client_app": l.client.cores()}
	stackByContext(r.CPUByContext, a, cfg.Placement, cfg.Cluster.GHz, span)
	var connect float64
	var nconn int
	for _, k := range l.conns {
		r.AddConn(k.c)
		if k.c.Client.EstablishedAt >= 0 {
			connect += (k.c.Client.EstablishedAt - k.c.Client.FirstSyn).Seconds()
			nconn++
		}
	}
	if nconn > 0 {
		r.ConnectS = connect / float64(nconn)
	}
	r.ConnectFailures = l.failures
	r.Packets = l.n.Stats()
	r.Drops = r.Packets.Drops
	r.Events = l.e.Executed()
	r.Applies = []string{"requests_per_s", "rtt_us", "latency", "cpu_cores_used", "cpu_by_context",
		"retransmissions", "tcp_timeouts", "tcp_loss_probes", "tcp_reordered", "tcp_acks_per_segment", "drops", "connect_s"}
	return r
}
