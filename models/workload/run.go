package workload

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/models/podlaunch"
	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/sim"
)

// Run simulates one replication of cfg and returns its measurements. It is
// a pure function of cfg: the same Config gives the same Result.
//
// A run that ends with its packets not conserved (sent = delivered +
// dropped + in flight) fails: that is a model bug, never a result.
func Run(cfg Config) (r Result, err error) {
	cfg.defaults()
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	// CPU jitter draws from the replication's streams, so replications differ.
	cfg.Cluster.Streams = sim.Streams{Seed: cfg.Seed, Replication: cfg.Replication}
	e := sim.NewEngine()
	e.ReportProgress(cfg.Progress)
	n, err := network.New(e, cfg.Cluster)
	if err != nil {
		return Result{}, err
	}
	defer func() {
		if err != nil {
			return
		}
		if cerr := n.Conservation(); cerr != nil {
			r, err = Result{}, fmt.Errorf("invariant violated at %v: %w", e.Now(), cerr)
		}
	}()
	switch cfg.Workload.Kind {
	case HTTPDownload:
		return runDownload(e, n, &cfg)
	case HTTPLoad:
		return runLoad(e, n, &cfg)
	}
	var pod *podlaunch.Pod
	if cfg.Workload.Launch != nil {
		// the stream runs for Duration from the client's start (iperf3 -t)
		p, err := launchClient(e, &cfg)
		if err != nil {
			return Result{}, err
		}
		pod = &p
		cfg.Warmup += e.Now()
		cfg.Duration += e.Now()
	}
	m := newMeter(e, n, &cfg)
	rng := sim.Streams{Seed: cfg.Seed, Replication: cfg.Replication}.Stream("workload")
	switch cfg.Workload.Kind {
	case TCPStream:
		if cfg.clustered() {
			err = m.buildCluster(rng)
			break
		}
		err = m.buildTCPStream(rng)
	case TCPRR:
		err = m.buildTCPRR(rng)
	case Mixed:
		err = m.buildMixed(rng)
	case TCPCRR:
		err = m.buildTCPCRR(rng)
	case NodePort: // TCP_CRR or TCP_RR to the node port (nodeport.go)
		if cfg.nodePortRR() {
			err = m.buildTCPRR(rng)
		} else {
			err = m.buildTCPCRR(rng)
		}
	case UDPStream:
		err = m.buildUDPStream(rng)
	case UDPRR:
		err = m.buildUDPRR(rng)
	}
	if err != nil {
		return Result{}, err
	}
	if pod != nil {
		for _, c := range m.conns {
			cutOff(c, *pod, e.Now())
		}
	}
	m.start()
	e.RunUntil(cfg.Duration)
	r = m.result()
	if m.servicesOn() || cfg.Workload.Kind == TCPCRR {
		m.serviceResult(&r)
	}
	if pod != nil {
		r.LaunchResult = launchResult(*pod)
		r.Applies = append(r.Applies, "pod_ready_s", "pod_network_wait_s")
	}
	return r, nil
}

// sides places stream i: the client on node 0, the server on node 1 (or
// node 0 for intra-host), applications spread over the cores.
func (m *meter) sides(i int) (tcp.Side, tcp.Side) {
	k := m.cfg.Cluster.CoresPerNode
	c := tcp.Side{Node: 0, Core: i % k}
	s := tcp.Side{Node: 1, Core: i % k}
	if m.cfg.Placement == datapath.Intra {
		s = tcp.Side{Node: 0, Core: (i + 1) % k}
	}
	return c, s
}

// flowKey draws an ephemeral-port-like key: RSS placement varies with the
// replication, as it does between real runs.
func flowKey(rng *rand.Rand) uint64 { return rng.Uint64() }

func (m *meter) startAt(rng *rand.Rand) sim.Time {
	if j := m.cfg.Workload.StartJitter; j > 0 {
		return m.e.Now() + sim.Time(rng.Int64N(int64(j)))
	}
	return m.e.Now()
}

func (m *meter) dial(rng *rand.Rand, i int) (*tcp.Conn, error) {
	cs, ss := m.sides(i)
	return m.dialSides(rng, cs, ss, i, m.cfg.TCP)
}

// dialSides creates stream i's connection between two placed pods with
// the TCP options opt.
func (m *meter) dialSides(rng *rand.Rand, cs, ss tcp.Side, i int, opt tcp.Options) (*tcp.Conn, error) {
	var c *tcp.Conn
	var err error
	if m.cfg.Workload.Kind == NodePort { // kept-alive node-port connections (nodeport.go)
		c, err = m.dialNodePort(rng, i)
	} else {
		fwd, rev := m.paths(rng)
		c, err = tcp.Dial(m.n, cs, ss, fwd, rev, m.cfg.PodMTU, flowKey(rng), opt)
	}
	if err != nil {
		return nil, fmt.Errorf("workload stream %d: %w", i, err)
	}
	m.conns = append(m.conns, c)
	c.Client.OnFail = func(sim.Time) { m.failures++ }
	if m.servicesOn() {
		m.track(c)
	}
	return c, nil
}

// buildTCPStream: iperf3/netperf TCP_STREAM, the client sends an endless
// stream; the server's application reads it.
func (m *meter) buildTCPStream(rng *rand.Rand) error {
	for i := 0; i < m.cfg.Workload.Streams; i++ {
		cs, ss := m.sides(i)
		if err := m.bulkStream(rng, cs, ss, i, m.cfg.TCP); err != nil {
			return err
		}
	}
	return nil
}

// bulkStream opens stream i between two placed pods with the TCP options
// opt (tcp_stream's streams and mixed's bulk ones): an endless write, or
// with workload.rate_mbps paced blocks (paced.go), read by the server's
// application into the meter's byte counters.
func (m *meter) bulkStream(rng *rand.Rand, cs, ss tcp.Side, i int, opt tcp.Options) error {
	c, err := m.dialSides(rng, cs, ss, i, opt)
	if err != nil {
		return err
	}
	if m.cfg.Workload.RateMbps > 0 {
		c.Client.OnEstablished = m.pace(c.Client, opt.WriteBytes).start
	} else {
		c.Client.Write(m.e.Now(), math.MaxInt64/2)
	}
	c.Server.OnRead = m.reader()
	m.senders = append(m.senders, c.Client)
	m.receivers = append(m.receivers, c.Server)
	c.Connect(m.startAt(rng))
	return nil
}

// buildMixed: a backup stream beside request-response. The Streams RR
// connections are tcp_rr's, built first with the same random draws, so
// BulkStreams = 0 is tcp_rr exactly; the BulkStreams bulk streams follow
// on the same pods and path (streams Streams.., their applications on the
// next cores) with iperf3's 128 KiB calls (workload.write_bytes and
// read_bytes are the RR's). The meter's bytes are the bulk's, its
// transactions and latencies the RR's.
func (m *meter) buildMixed(rng *rand.Rand) error {
	if err := m.buildTCPRR(rng); err != nil {
		return err
	}
	bulk := m.cfg.TCP
	bulk.WriteBytes, bulk.ReadBytes = tcp.DefaultCallBytes, tcp.DefaultCallBytes
	for i := range m.cfg.Workload.BulkStreams {
		cs, ss := m.sides(m.cfg.Workload.Streams + i)
		if err := m.bulkStream(rng, cs, ss, m.cfg.Workload.Streams+i, bulk); err != nil {
			return err
		}
	}
	return nil
}

// reader returns an OnRead callback feeding the meter's byte counters.
func (m *meter) reader() func(at sim.Time, total int64) {
	var prev int64
	return func(at sim.Time, total int64) {
		m.addBytes(at, total-prev)
		prev = total
	}
}
