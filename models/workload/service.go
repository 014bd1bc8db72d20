package workload

import (
	"fmt"
	"github.com/cnisim/cnisim/internal/field"
	"math/rand/v2"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/service"
	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/sim"
)

// Targets of workload.target.
const (
	TargetPod     = "pod"     // the client connects to the server pod's address
	TargetService = "service" // to a ClusterIP, translated by the Service proxy
)

// Services is a run's Service model (nil: no [service] table).
type Services struct {
	Plan *service.Plan
	// Target: TargetPod or TargetService. A pod target with Services
	// still walks the proxy's rules for a non-Service address (iptables:
	// all of KUBE-SERVICES).
	Target string
}

// serviceMetrics are a run's Service measurements.
type serviceMetrics struct {
	ct          *service.Conntrack
	firstPacket sim.Histogram // connect() -> the SYN's arrival at the endpoint, connections opened in the window
	conns       uint64        // connections established in [Warmup, Duration]
	connectSum  sim.Time      // their connect() -> established times
	closedData  uint64        // closed connections' data segments received (their endpoints are dropped)
	// paths built for new connections: forward by first-packet cycles,
	// the reverse once (paths)
	fwd map[float64]datapath.CostedPath
	rev *datapath.CostedPath
	// pool recycles closed connections (connector, closeConn)
	pool tcp.Pool
}

func (m *meter) servicesOn() bool { return m.cfg.Services != nil }

// paths returns the paths of a new connection: the configured ones, with
// the Service proxy's step when Services are modelled (a Service picked
// per connection, or the non-Service walk for a pod target). The paths
// are built once per first-packet cost and reused (bounded by
// maxServicePaths), so that the network compiles each once.
func (m *meter) paths(rng *rand.Rand) (fwd, rev datapath.CostedPath) {
	s := m.cfg.Services
	if s == nil {
		return m.cfg.Forward, m.cfg.Reverse
	}
	pos, ep := 0, 0
	if s.Target == TargetService {
		pos, ep = s.Plan.Pick(rng)
	}
	first := s.Plan.FirstCycles(pos, ep)
	fwd, ok := m.svc.fwd[first]
	if !ok {
		fwd = s.Plan.Forward(m.cfg.Forward, first)
		if m.svc.fwd == nil {
			m.svc.fwd = make(map[float64]datapath.CostedPath)
		}
		if len(m.svc.fwd) < maxServicePaths {
			m.svc.fwd[first] = fwd
		}
	}
	if s.Target != TargetService {
		return fwd, m.cfg.Reverse
	}
	if m.svc.rev == nil {
		r := s.Plan.Reverse(m.cfg.Reverse)
		m.svc.rev = &r
	}
	return fwd, *m.svc.rev
}

// maxServicePaths bounds the forward paths kept per run: beyond it (an
// iptables walk to many Services) a path is built per connection.
const maxServicePaths = 4096

// connector opens connection after connection for one client loop: a
// conntrack-table check at connect() (a full table drops the SYN, which
// the client retransmits on its SYN schedule: 1, 3, 7 ... s after the
// first attempt), then a Dial on the connection's paths. Its callbacks
// are bound once per loop (a loop has one connection at a time), so a
// connection costs no closures.
type connector struct {
	m     *meter
	i     int // stream index: placement
	rng   *rand.Rand
	t0    sim.Time // first attempt of the current connection
	tries int
	open  func(c *tcp.Conn, t0 sim.Time) // wires the application's callbacks

	c      *tcp.Conn         // the current connection
	ct0    sim.Time          // its first attempt
	onEst  func(at sim.Time) // the application's OnEstablished, called after the meter's
	estFn  func(at sim.Time) // k.established, bound once
	failFn func(at sim.Time) // k.failed, bound once
}

const evAttempt uint64 = 100

func (k *connector) Handle(e *sim.Engine, arg uint64) {
	if arg == evAttempt {
		k.attempt(e.Now())
	}
}

// attempt tries to open a connection at now.
func (k *connector) attempt(now sim.Time) {
	m := k.m
	if k.tries == 0 {
		k.t0 = now
	}
	if ct := m.svc.ct; ct != nil && !ct.Open(now) {
		k.tries++
		o := m.cfg.TCP.Defaults()
		if k.tries > o.SynRetries {
			m.failures++ // connect() fails: the application starts over
			k.tries = 0
			m.e.Schedule(now, k, evAttempt)
			return
		}
		m.e.Schedule(k.t0+synDeadline(o, k.tries), k, evAttempt)
		return
	}
	k.tries = 0
	var c *tcp.Conn
	var err error
	if m.cfg.Workload.Kind == NodePort {
		c, err = m.dialNodePort(k.rng, k.i)
	} else {
		fwd, rev := m.paths(k.rng)
		cs, ss := m.sides(k.i)
		c, err = m.svc.pool.Dial(m.n, cs, ss, fwd, rev, m.cfg.PodMTU, flowKey(k.rng), m.cfg.TCP)
	}
	if err != nil {
		panic(fmt.Sprintf("workload stream %d: %v (paths checked at build)", k.i, err))
	}
	if k.estFn == nil {
		k.estFn, k.failFn = k.established, k.failed
	}
	k.c, k.ct0 = c, k.t0
	c.Client.OnFail = k.failFn
	k.open(c, k.ct0)
	k.onEst = c.Client.OnEstablished
	c.Client.OnEstablished = k.estFn
	c.Connect(now)
}

// established: the current connection's handshake completed.
func (k *connector) established(at sim.Time) {
	k.m.established(k.c, k.ct0, at)
	if k.onEst != nil {
		k.onEst(at)
	}
}

// failed: the current connection's SYN retries ran out.
func (k *connector) failed(sim.Time) { k.m.failures++ }

// synDeadline is when attempt tries+1 goes out, after the first: Linux's
// SYN schedule, the sum of the gaps (1, 3, 7, 15 ... s exponential).
func synDeadline(o tcp.Options, tries int) sim.Time {
	var t sim.Time
	for k := 0; k < tries; k++ {
		t += o.SynGap(k)
	}
	return t
}

// established records a connection's set-up: the first packet's latency
// (connect() to the SYN's arrival at the endpoint, retries included) and
// the connection count.
func (m *meter) established(c *tcp.Conn, t0, at sim.Time) {
	if at < m.cfg.Warmup || at > m.cfg.Duration {
		return
	}
	m.svc.conns++
	m.svc.connectSum += at - t0
	if c.Server.FirstSyn >= t0 {
		m.svc.firstPacket.Record(c.Server.FirstSyn - t0)
	}
}

// closeConn ends a connection: its conntrack entry goes to TIME_WAIT and
// its counters are kept; the endpoints are recycled (tcp.Pool).
func (m *meter) closeConn(c *tcp.Conn, at sim.Time) {
	if m.svc.ct != nil {
		m.svc.ct.Close(at)
	}
	m.svc.closedData += c.Server.Stats.DataSegsRcvd
	m.closed.AddConn(c)
	m.svc.pool.Abandon(c)
}

// serviceResult fills the Service and connection metrics.
func (m *meter) serviceResult(r *Result) {
	for _, c := range m.conns { // long-lived connections: their set-up, warm-up or not
		if c.Client.EstablishedAt >= 0 && c.Server.FirstSyn >= c.Client.FirstSyn {
			m.svc.firstPacket.Record(c.Server.FirstSyn - c.Client.FirstSyn)
		}
	}
	span := (m.cfg.Duration - m.cfg.Warmup).Seconds()
	r.ConnectionsPerS = float64(m.svc.conns) / span
	if h := &m.svc.firstPacket; h.N() > 0 {
		r.FirstPacket = h
		r.FirstPacketP50us = h.Quantile(0.5) * 1e6
		r.FirstPacketP90us = h.Quantile(0.9) * 1e6
		r.FirstPacketP99us = h.Quantile(0.99) * 1e6
	}
	crr := m.cfg.Workload.Kind == TCPCRR || m.cfg.Workload.Kind == NodePort && !m.cfg.nodePortRR()
	if crr && m.svc.conns > 0 {
		r.ConnectS = m.svc.connectSum.Seconds() / float64(m.svc.conns)
	}
	if r.ConnectionsPerS > 0 && crr {
		for _, c := range r.CPUCoresUsedByNode {
			r.CoresPer1kCPS = append(r.CoresPer1kCPS, c/(r.ConnectionsPerS/1000))
		}
		r.Applies = append(r.Applies, "cores_per_1k_cps")
	}
	r.Applies = append(r.Applies, "first_packet_us")
	if crr {
		r.Applies = append(r.Applies, "connections_per_s")
	}
	if m.cfg.Workload.Kind == NodePort {
		m.nodePortResult(r)
	}
	if ct := m.svc.ct; ct != nil {
		r.ConntrackEntries = ct.Entries(m.e.Now())
		r.ConntrackPeak = ct.Peak()
		r.ConntrackDrops = ct.Drops()
		r.Drops += ct.Drops()
		r.Applies = append(r.Applies, "conntrack_entries", "conntrack_drops")
	}
}

// track counts a long-lived connection (tcp_stream, tcp_rr) in the
// conntrack table and the connection metrics. Such connections never
// close; a full table at their start is a configuration error the
// validation refuses (streams > conntrack_max).
// Their set-up is measured at the end (serviceResult).
func (m *meter) track(c *tcp.Conn) {
	if m.svc.ct != nil { // none with cluster traffic
		m.svc.ct.Open(m.e.Now())
	}
}

// validateServices checks the Service model against the workload.
func (c *Config) validateServices() error {
	s := c.Services
	if s == nil {
		return nil
	}
	switch s.Target {
	case TargetPod, TargetService:
	default:
		return field.Errorf("workload.Services.Target", s.Target, "allowed %s, %s", TargetPod, TargetService)
	}
	switch c.Workload.Kind {
	case TCPStream, TCPRR, TCPCRR:
	default:
		if s.Target == TargetService {
			return field.Errorf("workload.Services.Target", s.Target, "allowed with the workload kinds tcp_stream, tcp_rr, tcp_crr (got %s)", c.Workload.Kind)
		}
	}
	if s.Plan == nil {
		return fmt.Errorf("services: no plan")
	}
	if s.Target == TargetService && s.Plan.Config.Count < 1 {
		return field.Errorf("workload.Services.Target", s.Target, "needs at least 1 Service (got %d)", s.Plan.Config.Count)
	}
	if k := c.Workload.Kind; (k == TCPStream || k == TCPRR || c.nodePortRR()) && !c.clustered() && c.Workload.Streams > s.Plan.Config.ConntrackMax {
		return field.Errorf("workload.Workload.Streams", c.Workload.Streams, "more long-lived connections than the Services' conntrack table holds (%d)", s.Plan.Config.ConntrackMax)
	}
	return nil
}
