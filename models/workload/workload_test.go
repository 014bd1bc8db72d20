package workload

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/sim"
)

func run(t *testing.T, cfg Config) Result {
	t.Helper()
	r, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if s := r.Packets; s.Sent != s.Delivered+s.Drops+s.InFlight {
		t.Errorf("packets not conserved: %+v", s)
	}
	return r
}

// pathTime returns the cycles of the path's steps in one context group:
// send side (Send/Softirq on src), receive softirq, and recv copy for a
// packet of ip bytes.
func pathCycles(p datapath.CostedPath, ip int, recv bool) float64 {
	var c float64
	for _, s := range p.Steps {
		if (s.Context == datapath.Recv) == recv {
			c += float64(s.Count) * (s.Cycles + s.CyclesPerByte*float64(ip))
		}
	}
	return c
}

// TestRRLatencyClosedForm: one transaction outstanding on idle cores: the
// round trip is both directions' stage times plus serialisation and
// propagation (netperf TCP_RR/UDP_RR, 1-byte messages; DESIGN 2).
func TestRRLatencyClosedForm(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		kind string
		hdr  int
	}{{TCPRR, 52}, {UDPRR, 28}} {
		cfg := baseConfig(tc.kind)
		r := run(t, cfg)
		ip := tc.hdr + 1
		c := cfg.Cluster
		oneWay := (pathCycles(cfg.Forward, ip, false)+pathCycles(cfg.Forward, ip, true))/c.GHz*1e-3 + // µs
			float64(ip+c.FrameOverhead)*8/(c.LinkGbps*1e3) + c.LinkDelay.Seconds()*1e6
		want := 2 * oneWay
		if math.Abs(r.LatencyP50us-want) > 0.001 || math.Abs(r.LatencyP99us-want) > 0.001 {
			t.Errorf("%s: latency p50 %.4f p99 %.4f µs, want %.4f", tc.kind, r.LatencyP50us, r.LatencyP99us, want)
		}
		if tps := r.TransactionsPerS; math.Abs(tps-1e6/want)/tps > 0.001 {
			t.Errorf("%s: %.0f transactions/s, want 1/latency = %.0f", tc.kind, tps, 1e6/want)
		}
	}
}

// TestUDPLineRate: with free CPUs datagrams leave at the line rate, so
// payload goodput is R x payload / (payload + 28 + 38) (DESIGN 2).
func TestUDPLineRate(t *testing.T) {
	t.Parallel()
	for _, mtu := range []int{1500, 9000} {
		cfg := baseConfig(UDPStream)
		cfg.Cluster.MTU, cfg.PodMTU = mtu, mtu
		r := run(t, cfg)
		pl := float64(mtu - 28)
		want := cfg.Cluster.LinkGbps * 1e3 * pl / (pl + 28 + 38)
		if math.Abs(r.ThroughputMbps-want)/want > 0.002 || r.LossFraction != 0 {
			t.Errorf("mtu %d: %.1f Mbit/s loss %.4f, want %.1f and no loss", mtu, r.ThroughputMbps, r.LossFraction, want)
		}
	}
}

// TestSingleCoreForwarding: on an infinite link with one core per node
// and an intra-host path, the core runs every stage, so it forwards
// F / (sum of the path's cycles) packets per second.
func TestSingleCoreForwarding(t *testing.T) {
	t.Parallel()
	cfg := baseConfig(UDPStream)
	cfg.Placement = datapath.Intra
	cfg.Cluster.CoresPerNode = 1
	cfg.Cluster.LinkGbps = 1e6
	p := hostPath(1)
	p.InterHost = false
	cfg.Forward, cfg.Reverse = p, p
	r := run(t, cfg)
	ip := cfg.PodMTU
	want := cfg.Cluster.GHz * 1e9 / (pathCycles(p, ip, false) + pathCycles(p, ip, true)) // pps
	got := r.ThroughputMbps * 1e6 / 8 / float64(ip-28)
	if math.Abs(got-want)/want > 0.005 {
		t.Errorf("%.0f packets/s, want F / cycles = %.0f", got, want)
	}
	if r.CPUCoresUsed < 0.99 {
		t.Errorf("core busy %.3f, want saturated", r.CPUCoresUsed)
	}
}

// TestUDPReceiverOverload: a receiver softirq core slower than the line
// drops at the bounded receive ring; delivered + dropped = sent.
func TestUDPReceiverOverload(t *testing.T) {
	t.Parallel()
	cfg := baseConfig(UDPStream)
	p := hostPath(1)
	p.Steps[3].Cycles = 6000
	cfg.Forward = p
	r := run(t, cfg)
	want := cfg.Cluster.GHz * 1e9 / (p.Steps[2].Cycles + p.Steps[3].Cycles) * float64(cfg.PodMTU-28) * 8 / 1e6
	if math.Abs(r.ThroughputMbps-want)/want > 0.01 {
		t.Errorf("%.1f Mbit/s, want the softirq core's rate %.1f", r.ThroughputMbps, want)
	}
	if r.Packets.DropRx == 0 || r.LossFraction < 0.3 {
		t.Errorf("drops %+v loss %.3f: the overload should drop at the receive ring", r.Packets, r.LossFraction)
	}
}

// TestStreamCPP: the receiving node's cycles per data packet are the
// receive-side stages plus half the ACK send path (delayed ACKs: one ACK
// per two segments), and FIB lookups count every crossing.
func TestStreamCPP(t *testing.T) {
	t.Parallel()
	cfg := baseConfig(TCPStream)
	p := hostPath(1)
	p.Steps = append(p.Steps[:2:2], append([]datapath.CostedStep{step(datapath.FIB, datapath.Src, datapath.Send, 200, 0)}, p.Steps[2:]...)...)
	cfg.Forward, cfg.Reverse = p, p
	r := run(t, cfg)
	want := map[string]float64{"nic": 200 + 200.0/2, "tcp": 300 + 300.0/2, "fib": 200.0 / 2, "socket_copy": 100 + 0.1*1500}
	for k, v := range want {
		if math.Abs(r.CPPByStage[k]-v)/v > 0.01 {
			t.Errorf("cpp %s = %.1f, want %.1f", k, r.CPPByStage[k], v)
		}
	}
	// one FIB lookup per data packet and per ACK (0.5 per data packet)
	if math.Abs(r.FIBLookupsPer100kPackets-150000)/150000 > 0.01 {
		t.Errorf("FIB lookups per 100k packets %.0f, want 150000", r.FIBLookupsPer100kPackets)
	}
	want0 := cfg.Cluster.LinkGbps * 1e3 * 1448 / 1538
	if r.ThroughputMbps < 0.97*want0 {
		t.Errorf("throughput %.1f, want >= 97%% of %.1f", r.ThroughputMbps, want0)
	}
}

// TestFragmentation: a pod MTU too large for the underlay plus VXLAN
// fragments every outer packet (two frames on the wire, outer stages run
// twice), or drops it with DF (DESIGN 2, the vendor analysis' Weave case).
func TestFragmentation(t *testing.T) {
	t.Parallel()
	cfg := baseConfig(UDPStream)
	p := hostPath(1)
	p.EncapBytes = 50
	cfg.Forward, cfg.Reverse = p, p
	r := run(t, cfg)
	pl := float64(cfg.PodMTU - 28)
	wire := pl + 28 + 50 + 38 + 20 + 38
	want := cfg.Cluster.LinkGbps * 1e3 * pl / wire
	if math.Abs(r.ThroughputMbps-want)/want > 0.002 {
		t.Errorf("fragmenting: %.1f Mbit/s, want %.1f", r.ThroughputMbps, want)
	}
	if got := r.CPPByStage["nic"]; math.Abs(got-400)/400 > 0.01 { // the receive nic step runs per fragment
		t.Errorf("fragmented nic cpp %.1f, want 400", got)
	}
	cfg.Cluster.DropOversize = true
	r = run(t, cfg)
	if r.ThroughputMbps != 0 || r.Packets.DropOversize == 0 {
		t.Errorf("DF: %.1f Mbit/s, %+v; want everything dropped", r.ThroughputMbps, r.Packets)
	}
}

// TestDeterminism: the same Config gives the same Result; another seed
// may place RSS differently but runs as well.
func TestDeterminism(t *testing.T) {
	t.Parallel()
	for _, k := range []string{TCPStream, TCPRR, UDPStream, UDPRR} {
		cfg := baseConfig(k)
		cfg.Workload.Streams = 3
		cfg.Workload.StartJitter = sim.Millisecond
		a, b := run(t, cfg), run(t, cfg)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: two runs of one config differ", k)
		}
	}
}

// TestValidate: bad input returns an error naming the field.
func TestValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mod  func(*Config)
		want string
	}{
		{func(c *Config) { c.Workload.Kind = "http" }, "workload.Workload.Kind"},
		{func(c *Config) { c.Placement = "rack" }, "workload.Config.Placement"},
		{func(c *Config) { c.Warmup = c.Duration }, "workload.Config.Warmup"},
		{func(c *Config) { c.TCP.Congestion = "bbr" }, "tcp.Options.Congestion"},
		{func(c *Config) { c.TCP.SynSchedule = "x" }, "tcp.Options.SynSchedule"},
		{func(c *Config) { c.Cluster.LinkGbps = 0 }, "network.Config.LinkGbps"},
		{func(c *Config) { c.Forward.InterHost = false }, "inter_host"},
	} {
		cfg := baseConfig(TCPStream)
		tc.mod(&cfg)
		if _, err := Run(cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one naming %s", err, tc.want)
		}
	}
}
