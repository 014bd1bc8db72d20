package workload

import (
	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/models/service"
	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/sim"
	"slices"
)

const (
	evWarmup uint64 = iota
	evTick
)

// meter owns a run's endpoints and measurements.
type meter struct {
	e   *sim.Engine
	n   *network.Network
	cfg *Config

	conns     []*tcp.Conn
	senders   []*tcp.Endpoint // TCP data senders (cwnd series)
	receivers []*tcp.Endpoint // TCP data receivers (data packets)
	udpRx     []*tcp.UDPEndpoint
	udpTx     []*tcp.UDPEndpoint
	failures  int

	bins []float64 // payload bytes read per interval
	// the bin the last bytes went to and its interval [binLo, binHi):
	// reads come in time order, so the division is rarely needed
	bin          int
	binLo, binHi sim.Time
	cwnd         []float64
	// the network at each bin's end (Sample), and its counts at the last
	drops, queue, cores []float64
	where               [3][]float64 // drops at switches, RX rings, links (network.DropsWhere)
	lastDrops           uint64
	lastWhere           [3]uint64
	lastBusy            sim.Time
	measured            float64 // bytes read in [Warmup, Duration]
	latency             sim.Histogram
	trans               uint64 // transactions completed in [Warmup, Duration]

	acct0    network.Accounting
	data0    uint64
	udpSent0 uint64 // datagrams sent by the warm-up's end

	closed TCPCounts // connections closed before the end (closeConn: their endpoints recycled)

	svc serviceMetrics  // Services and connection churn (service.go)
	np  nodePortMetrics // node-port connections (nodeport.go)
	gen *flowGen        // finite cluster flows (cluster.go)
}

func newMeter(e *sim.Engine, n *network.Network, cfg *Config) *meter {
	k := int((cfg.Duration + cfg.Interval - 1) / cfg.Interval)
	m := &meter{e: e, n: n, cfg: cfg, bins: make([]float64, k), cwnd: make([]float64, k),
		drops: make([]float64, k), queue: make([]float64, k), cores: make([]float64, k)}
	for j := range m.where {
		m.where[j] = make([]float64, k)
	}
	if s := cfg.Services; s != nil && !cfg.clustered() { // one table: the two-pod workloads' server node
		c := s.Plan.Config
		m.svc.ct = service.NewConntrack(c.ConntrackMax, sim.FromDuration(c.TimeWait))
	}
	return m
}

func (m *meter) start() {
	if m.gen != nil {
		m.gen.start()
	}
	m.e.Schedule(m.cfg.Warmup, m, evWarmup)
	m.lastDrops, m.lastBusy = m.n.DropCount(), m.n.CoresBusy(m.e.Now())
	m.lastWhere = m.dropsWhere()
	// the first bin end after now (a launched client starts late)
	m.e.Schedule(min((m.e.Now()/m.cfg.Interval+1)*m.cfg.Interval, m.cfg.Duration), m, evTick)
}

// addBytes records b payload bytes read by an application at at.
func (m *meter) addBytes(at sim.Time, b int64) {
	if at > m.cfg.Duration || b <= 0 {
		return
	}
	if at < m.binLo || at >= m.binHi {
		m.bin = int(at / m.cfg.Interval)
		m.binLo = sim.Time(m.bin) * m.cfg.Interval
		m.binHi = m.binLo + m.cfg.Interval
	}
	if m.bin < len(m.bins) {
		m.bins[m.bin] += float64(b)
	}
	if at >= m.cfg.Warmup {
		m.measured += float64(b)
	}
}

// transaction records one completed request-response started at t0.
func (m *meter) transaction(t0, at sim.Time) {
	if at < m.cfg.Warmup || at > m.cfg.Duration {
		return
	}
	m.trans++
	m.latency.Record(at - t0)
}

func (m *meter) Handle(e *sim.Engine, arg uint64) {
	switch arg {
	case evWarmup:
		m.acct0 = m.n.Accounting()
		m.data0 = m.dataPackets()
		for _, u := range m.udpTx {
			m.udpSent0 += u.Sent
		}
		for _, s := range m.senders {
			s.Stats.RTT = tcp.RTTStats{}
		}
	case evTick:
		i := int((e.Now()-1)/m.cfg.Interval) % len(m.cwnd)
		var w float64
		for _, s := range m.senders {
			w += s.Cwnd()
		}
		if len(m.senders) > 0 {
			m.cwnd[i] = w / float64(len(m.senders))
		}
		now := e.Now()
		d, busy := m.n.DropCount(), m.n.CoresBusy(now)
		m.drops[i] = float64(d - m.lastDrops)
		m.cores[i] = float64(busy-m.lastBusy) / float64(m.cfg.Interval)
		m.queue[i] = float64(m.n.FabricQueueBytes(now))
		m.lastDrops, m.lastBusy = d, busy
		where := m.dropsWhere()
		for j := range where {
			m.where[j][i] = float64(where[j] - m.lastWhere[j])
		}
		m.lastWhere = where
		if next := e.Now() + m.cfg.Interval; next <= m.cfg.Duration {
			e.Schedule(next, m, evTick)
		}
	}
}

// dropsWhere is network.DropsWhere as an array.
func (m *meter) dropsWhere() [3]uint64 {
	s, r, l := m.n.DropsWhere()
	return [3]uint64{s, r, l}
}

// dataPackets counts the data packets the receiving applications' side has
// received so far.
func (m *meter) dataPackets() uint64 {
	k := m.svc.closedData
	for _, r := range m.receivers {
		k += r.Stats.DataSegsRcvd
	}
	for _, u := range m.udpRx {
		k += u.Received
	}
	if m.gen != nil {
		m.gen.live(func(c *tcp.Conn) { k += c.Server.Stats.DataSegsRcvd })
	}
	return k
}

func (m *meter) result() Result {
	cfg := m.cfg
	var r Result
	span := (cfg.Duration - cfg.Warmup).Seconds()
	// iperf3 times from connection establishment: the measured interval
	// starts at the first establishment when that is after the warm-up
	// (no warm-up, or SYNs lost to a pod whose network was not ready).
	if len(m.conns) > 0 {
		first := sim.Never
		for _, c := range m.conns {
			if c.Client.EstablishedAt >= 0 && c.Client.EstablishedAt < first {
				first = c.Client.EstablishedAt
			}
		}
		if first != sim.Never && first > cfg.Warmup {
			span = (cfg.Duration - first).Seconds()
		}
	}
	if span > 0 {
		r.ThroughputMbps = m.measured * 8 / span / 1e6
	}
	binS := cfg.Interval.Seconds()
	var medians []float64
	if g := m.gen; g != nil && g.binStarted != nil {
		medians = g.binMedians()
	}
	for i := range m.bins {
		r.Series = append(r.Series, Sample{T: float64(i+1) * binS, ThroughputMbps: m.bins[i] * 8 / binS / 1e6, Cwnd: m.cwnd[i], Senders: len(m.senders),
			Drops: m.drops[i], DropsSwitch: m.where[0][i], DropsRxRing: m.where[1][i], DropsLink: m.where[2][i],
			FabricQueueBytes: m.queue[i], CoresBusy: m.cores[i], Net: true})
		if medians != nil {
			s := &r.Series[i]
			s.Flows, s.FlowsStarted, s.FCTMedianUs = true, m.gen.binStarted[i], medians[i]
		}
	}

	// virtual perf on the receiving node over [Warmup, Duration]
	dst := 1
	if cfg.Placement == datapath.Intra {
		dst = 0
	}
	a := m.n.Accounting().Sub(m.acct0)
	r.CPUCoresUsedByNode = make([]float64, len(a.Busy))
	for i := range m.n.Nodes {
		r.RxDropsByNode = append(r.RxDropsByNode, m.n.Nodes[i].RxDrops)
	}
	for i, b := range a.Busy {
		r.CPUCoresUsedByNode[i] = b.Seconds() / (cfg.Duration - cfg.Warmup).Seconds()
	}
	r.BusiestNode = 0
	for i, c := range r.CPUCoresUsedByNode {
		if c > r.CPUCoresUsedByNode[r.BusiestNode] {
			r.BusiestNode = i
		}
	}
	r.BusiestCores = r.CPUCoresUsedByNode[r.BusiestNode]
	if cfg.clustered() && cfg.Workload.Pattern != PatternPairs {
		dst = r.BusiestNode // no one receiving node: the busiest
	}
	r.CPUCoresUsed = r.CPUCoresUsedByNode[dst]
	r.hostCPU(a, (cfg.Duration - cfg.Warmup).Seconds(), cfg.Cluster.GHz, m.measured)
	cppOn(&r, a, dst, m.dataPackets()-m.data0)

	// transport
	var rtt sim.Summary
	var connect float64
	var nconn int
	for _, c := range m.conns {
		r.AddConn(c)
		if c.Client.EstablishedAt >= 0 {
			connect += (c.Client.EstablishedAt - c.Client.FirstSyn).Seconds()
			nconn++
		}
	}
	if m.gen != nil {
		m.gen.live(r.AddConn)
	}
	r.Merge(m.closed) // connections closed before the end (closeConn)
	for _, s := range m.senders {
		if s.Stats.RTT.N() > 0 {
			rtt.Add(s.Stats.RTT.Mean())
		}
	}
	r.RTTus = rtt.Mean()
	if nconn > 0 {
		r.ConnectS = connect / float64(nconn)
	}
	r.ConnectFailures = m.failures
	r.Packets = m.n.Stats()
	r.Drops = r.Packets.Drops
	var sent, lost uint64
	for i, u := range m.udpRx {
		r.Drops += u.SockDrops
		r.SocketDrops += u.SockDrops
		if cfg.Workload.Kind == UDPStream {
			tx := m.udpTx[i]
			_, _, dropped := tx.Route().Counts()
			sent += tx.Sent
			lost += dropped + u.SockDrops
		}
	}
	if sent > 0 {
		r.LossFraction = float64(lost) / float64(sent)
		r.SenderDatagramsPerS = float64(sent-m.udpSent0) / (cfg.Duration - cfg.Warmup).Seconds()
	}
	if k := cfg.Workload.Kind; k == TCPRR || k == UDPRR || k == TCPCRR || k == Mixed || k == NodePort {
		r.TransactionsPerS = float64(m.trans) / (cfg.Duration - cfg.Warmup).Seconds()
		r.summariseLatency(&m.latency)
	}
	r.Events = m.e.Executed()
	r.Applies = applies(cfg.Workload.Kind)
	if cfg.Workload.Kind == Mixed && cfg.Workload.BulkStreams == 0 {
		r.Applies = slices.DeleteFunc(r.Applies, func(a string) bool { return a == "throughput_mbps" })
	}
	if cfg.clustered() {
		m.clusterResult(&r)
	}
	return r
}

// summariseLatency records the latency histogram, its mean and quantiles
// in microseconds.
func (r *Result) summariseLatency(h *sim.Histogram) {
	if h.N() == 0 {
		return
	}
	r.Latency = h
	r.RTTus = h.Mean() * 1e6
	r.LatencyP50us = h.Quantile(0.5) * 1e6
	r.LatencyP90us = h.Quantile(0.9) * 1e6
	r.LatencyP99us = h.Quantile(0.99) * 1e6
}

func applies(kind string) []string {
	common := []string{"cpu_cores_used", "cpu_cores_used_by_node", "cycles_per_byte", "cpp_total", "cpp_by_stage", "fib_lookups_per_100k_packets", "drops"}
	switch kind {
	case TCPStream:
		return append([]string{"throughput_mbps", "rtt_us", "retransmissions", "tcp_timeouts", "tcp_loss_probes", "tcp_reordered", "tcp_acks_per_segment", "connect_s"}, common...)
	case UDPStream:
		return append([]string{"throughput_mbps", "loss_fraction", "udp_loss", "udp_sent_per_s"}, common...)
	case TCPRR, TCPCRR, NodePort:
		return append([]string{"transactions_per_s", "rtt_us", "latency", "retransmissions", "tcp_timeouts", "tcp_loss_probes", "tcp_reordered", "tcp_acks_per_segment", "connect_s"}, common...)
	case Mixed:
		return append([]string{"throughput_mbps", "transactions_per_s", "rtt_us", "latency", "retransmissions", "tcp_timeouts", "tcp_loss_probes", "tcp_reordered", "tcp_acks_per_segment", "connect_s"}, common...)
	default:
		return append([]string{"transactions_per_s", "rtt_us", "latency"}, common...)
	}
}
