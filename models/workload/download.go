package workload

import (
	"fmt"

	"github.com/cnisim/cnisim/internal/field"

	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/models/podlaunch"
	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/sim"
)

const (
	dlRequest uint64 = iota // the client sends its GET
	dlServe                 // the server worker takes the request
	dlProduce               // the worker may take the next chunk
	dlDone                  // the last body byte has been read
)

// job tags of the server worker
const (
	dlJobRequest uint64 = iota
	dlJobChunk
)

// download is http_download: curl fetching one file of FileBytes from a
// server pod over one connection. The server's worker (one proc: one
// connection is one nginx worker's) spends CyclesPerRequest on the
// request, then CyclesPerByte on every response byte, chunk by chunk,
// writing each chunk while the socket's send buffer has room; so a CPU-
// capped server, not the network, can bind.
type download struct {
	e        *sim.Engine
	cfg      *Config
	c        *tcp.Conn
	app      appCores
	worker   proc
	size     int64 // response bytes: header + body
	produced int64 // response bytes the worker has taken on
	chunk    int64 // the chunk in progress, 0 when idle
	serving  bool  // the request has been handled
	waiting  bool  // the worker waits for send-buffer room (a wake is due on ACK)
	doneAt   sim.Time
	acct0    network.Accounting
	series   dlSeries
}

// dlSeries is the download's time series, as the meter's for streams:
// bytes curl has read per Interval bin, and the server's cwnd at its last
// ACK in each bin; no events of its own. Bins start at the one holding the
// download's start (base), not at time 0: a launched client starts after
// its pod's setup (setup_delay), and bins over that wait, all empty, cost
// 8 bytes x 3 per Interval (setup_delay 1h at 1 ms: 3.6e6 bins, 285 MB).
type dlSeries struct {
	interval sim.Time
	base     int // the bin of the download's start; bytes[0] is this bin
	bytes    []float64
	cwnd     []float64 // -1: no ACK in the bin
	cwnd0    float64   // the initial window, before any ACK
	read     int64     // bytes read so far
}

// bin returns the index (from base) of the bin holding at, at or after
// the start, growing the series to it.
func (s *dlSeries) bin(at sim.Time) int {
	i := max(int(at/s.interval)-s.base, 0)
	for len(s.bytes) <= i {
		s.bytes, s.cwnd = append(s.bytes, 0), append(s.cwnd, -1)
	}
	return i
}

func (s *dlSeries) onRead(at sim.Time, total int64) {
	s.bytes[s.bin(at)] += float64(total - s.read)
	s.read = total
}

func (s *dlSeries) onAcked(at sim.Time, cwnd float64) { s.cwnd[s.bin(at)] = cwnd }

// samples returns the bins from the start's to the one holding end, each
// bin without an ACK keeping the window of the one before; T is the end of
// the bin in simulated time, as in the meter's series.
func (s *dlSeries) samples(end sim.Time) []Sample {
	k := s.bin(end) + 1
	out := make([]Sample, k)
	secs := s.interval.Seconds()
	w := s.cwnd0
	for i := range out {
		if s.cwnd[i] >= 0 {
			w = s.cwnd[i]
		}
		out[i] = Sample{T: float64(s.base+i+1) * secs, ThroughputMbps: s.bytes[i] * 8 / secs / 1e6, Cwnd: w, Senders: 1}
	}
	return out
}

func (d *download) Handle(e *sim.Engine, arg uint64) {
	now := e.Now()
	switch arg {
	case dlRequest:
		d.c.Client.Write(now, CurlRequestBytes)
	case dlServe:
		d.worker.submit(now, d.cfg.Workload.HTTP.Server.CyclesPerRequest, dlJobRequest)
	case dlProduce:
		d.waiting = false
		d.produce(now)
	case dlDone:
		e.Stop()
	}
}

// jobDone: the request is handled, or a chunk is ready for the socket.
func (d *download) jobDone(now sim.Time, tag uint64) {
	if tag == dlJobChunk {
		d.c.Server.Write(now, d.chunk)
		d.chunk = 0
	}
	d.serving = true
	d.produce(now)
}

// produce starts the next chunk when the worker is idle and the send
// buffer (written but not yet acknowledged bytes) has room for it.
func (d *download) produce(now sim.Time) {
	if !d.serving || d.chunk > 0 || d.produced >= d.size {
		return
	}
	n := min(int64(ServerChunkBytes), d.size-d.produced)
	sv := d.c.Server
	if sv.Written()-sv.Acked()+n > d.cfg.Workload.HTTP.SndBuf {
		d.waiting = true
		return
	}
	d.chunk = n
	d.produced += n
	d.worker.submit(now, d.cfg.Workload.HTTP.Server.CyclesPerByte*float64(n), dlJobChunk)
}

func runDownload(e *sim.Engine, n *network.Network, cfg *Config) (Result, error) {
	w := &cfg.Workload
	var launched *LaunchResult
	var pod podlaunch.Pod
	if w.Launch != nil {
		p, err := launchClient(e, cfg)
		if err != nil {
			return Result{}, err
		}
		lr := launchResult(p)
		pod, launched = p, &lr
	}
	start := e.Now()
	cn, sn := podNodes(cfg.Placement)
	d := &download{e: e, cfg: cfg, size: HTTPResponseHeader + w.HTTP.FileBytes, doneAt: -1}
	d.app = appCores{n: n, node: sn, ghz: cfg.Cluster.GHz, from: start, to: sim.Never}
	d.worker = proc{a: &d.app, core: serverCore(cfg.Placement, cfg.Cluster.CoresPerNode, 0), owner: d}
	rng := sim.Streams{Seed: cfg.Seed, Replication: cfg.Replication}.Stream("workload")
	c, err := tcp.Dial(n, tcp.Side{Node: cn, Core: 0}, tcp.Side{Node: sn, Core: d.worker.core},
		cfg.Forward, cfg.Reverse, cfg.PodMTU, flowKey(rng), cfg.TCP)
	if err != nil {
		return Result{}, fmt.Errorf("http_download: %w", err)
	}
	d.c = c
	d.series = dlSeries{interval: cfg.Interval, base: int(start / cfg.Interval), cwnd0: c.Server.Cwnd()}
	c.Client.OnEstablished = func(at sim.Time) {
		d.acct0 = n.Accounting()
		e.Schedule(at, d, dlRequest)
	}
	c.Server.OnRead = func(at sim.Time, total int64) {
		if total >= CurlRequestBytes && !d.serving {
			e.Schedule(at, d, dlServe)
			c.Server.OnRead = nil
		}
	}
	c.Server.OnAcked = func(at sim.Time, _ int64) {
		d.series.onAcked(at, c.Server.Cwnd())
		if d.waiting {
			d.waiting = false
			e.Schedule(at, d, dlProduce)
		}
	}
	c.Client.OnRead = func(at sim.Time, total int64) {
		d.series.onRead(at, total)
		if total >= d.size && d.doneAt < 0 {
			d.doneAt = at
			e.Schedule(at, d, dlDone)
		}
	}
	if launched != nil {
		cutOff(c, pod, e.Now())
	}
	c.Connect(start)
	limit := start + cfg.Duration + w.HTTP.Overtime
	e.RunUntil(limit)
	if d.doneAt < 0 {
		return Result{}, field.Errorf("workload.HTTP.FileBytes", w.HTTP.FileBytes, "the download did not complete within duration + %v (%d of %d response bytes read, connection %v)",
			w.HTTP.Overtime, c.Client.Received(), d.size, c.Client.State())
	}
	return d.result(n, launched), nil
}

// result measures the transfer: curl's clock starts at the first SYN,
// iperf3's at establishment; both stop at the last body byte read.
func (d *download) result(n *network.Network, launched *LaunchResult) Result {
	cfg := d.cfg
	cl, sv := d.c.Client, d.c.Server
	bits := float64(cfg.Workload.HTTP.FileBytes) * 8
	var r Result
	r.CompletionS = (d.doneAt - cl.FirstSyn).Seconds()
	r.ThroughputCurlMbps = bits / r.CompletionS / 1e6
	r.ThroughputIperf3Mbps = bits / (d.doneAt - cl.EstablishedAt).Seconds() / 1e6
	r.ThroughputMbps = r.ThroughputCurlMbps
	if cfg.Workload.HTTP.Client == Iperf3 {
		r.ThroughputMbps = r.ThroughputIperf3Mbps
	}
	r.ConnectS = (cl.EstablishedAt - cl.FirstSyn).Seconds()
	for _, at := range cl.SynSent() {
		r.SynSentS = append(r.SynSentS, at.Seconds())
	}
	r.EstablishedS = cl.EstablishedAt.Seconds()
	r.RTTus = sv.Stats.RTT.Mean()
	r.Add(cl)
	r.Add(sv)
	r.Packets = n.Stats()
	r.Drops = r.Packets.Drops

	// CPU over the transfer, [establishment, completion]
	a := n.Accounting().Sub(d.acct0)
	span := (d.doneAt - cl.EstablishedAt).Seconds()
	cn, sn := podNodes(cfg.Placement)
	r.CPUCoresUsedByNode = make([]float64, len(a.Busy))
	for i, b := range a.Busy {
		r.CPUCoresUsedByNode[i] = b.Seconds() / span
	}
	r.CPUCoresUsed = r.CPUCoresUsedByNode[sn]
	// all the worker's work falls in the transfer
	r.CPUByContext = map[string]float64{"server_app": d.app.busy.Seconds() / span}
	stackByContext(r.CPUByContext, a, cfg.Placement, cfg.Cluster.GHz, span)
	cppOn(&r, a, cn, cl.Stats.DataSegsRcvd)
	if launched != nil {
		r.LaunchResult = *launched
	}
	r.Series = d.series.samples(d.doneAt)
	r.Events = d.e.Executed()
	r.Applies = []string{"throughput_mbps", "throughput_curl_mbps", "throughput_iperf3_mbps", "connect_s", "rtt_us",
		"retransmissions", "tcp_timeouts", "tcp_loss_probes", "tcp_reordered", "tcp_acks_per_segment", "drops", "cpu_cores_used", "cpu_by_context", "cpp_total", "cpp_by_stage", "fib_lookups_per_100k_packets"}
	if launched != nil {
		r.Applies = append(r.Applies, "pod_ready_s", "pod_network_wait_s")
	}
	return r
}
