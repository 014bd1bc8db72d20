package workload

import (
	"math"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/datapath/datapathtest"
)

// Application calls and wake-ups (issue 20, datapath/calls.go).

// TestRRCallsClosedForm: a 1-byte transaction on idle cores is both
// directions' per-packet stages, one send call, one wake-up and one read
// call on each side, plus serialisation and propagation: to the
// nanosecond, jitter 0 (netperf TCP_RR / UDP_RR).
func TestRRCallsClosedForm(t *testing.T) {
	t.Parallel()
	const syscall, sched = 3000.0, 5000.0
	for _, tc := range []struct {
		kind string
		hdr  int
	}{{TCPRR, 52}, {UDPRR, 28}} {
		cfg := baseConfig(tc.kind)
		cfg.Forward, cfg.Reverse = datapathtest.AppPath(syscall, sched), datapathtest.AppPath(syscall, sched)
		r := run(t, cfg)
		ip := tc.hdr + 1
		c := cfg.Cluster
		// every step once per message: 500 send + 500 softirq + sched +
		// 2 syscalls + the copy (100 + 0.1 x ip); the writer's sched step
		// is not paid (a 1-byte message never blocks its writer)
		cycles := 1000 + sched + 2*syscall + 100 + 0.1*float64(ip)
		if got := pathCycles(cfg.Forward, ip, false) + pathCycles(cfg.Forward, ip, true); got != cycles+sched {
			t.Fatalf("path cycles %v, want %v", got, cycles+sched)
		}
		oneWay := cycles/c.GHz*1e-3 + float64(ip+c.FrameOverhead)*8/(c.LinkGbps*1e3) + c.LinkDelay.Seconds()*1e6 // µs
		want := 2 * oneWay
		if math.Abs(r.LatencyP50us-want) > 0.001 || math.Abs(r.LatencyP99us-want) > 0.001 {
			t.Errorf("%s: latency p50 %.4f p99 %.4f µs, want %.4f", tc.kind, r.LatencyP50us, r.LatencyP99us, want)
		}
	}
}

// TestRRMonotoneInCallCost: a dearer call or wake-up never raises the
// transaction rate.
func TestRRMonotoneInCallCost(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{TCPRR, UDPRR} {
		prev := math.Inf(1)
		for _, c := range []float64{0, 500, 2000, 8000, 32000} {
			cfg := baseConfig(kind)
			cfg.Forward, cfg.Reverse = datapathtest.AppPath(c, c/2), datapathtest.AppPath(c, c/2)
			tps := run(t, cfg).TransactionsPerS
			if tps > prev {
				t.Errorf("%s: call cost %g gives %.0f transactions/s, more than %.0f at a cheaper call", kind, c, tps, prev)
			}
			prev = tps
		}
	}
}

// TestUDPSenderCallBound: udp_stream at rate 0 on an infinite link is
// bound by the sender's core: rate = Hz / (per-call + per-datagram send
// cycles), at jitter 0; nothing is lost when the receiver keeps up.
func TestUDPSenderCallBound(t *testing.T) {
	t.Parallel()
	for _, syscall := range []float64{1000, 4000} {
		cfg := baseConfig(UDPStream)
		cfg.Cluster.LinkGbps = 1e6
		cfg.Forward, cfg.Reverse = datapathtest.AppPath(syscall, 100), datapathtest.AppPath(syscall, 100)
		r := run(t, cfg)
		want := cfg.Cluster.GHz * 1e9 / (syscall + 500)
		if math.Abs(r.SenderDatagramsPerS-want)/want > 0.001 {
			t.Errorf("syscall %g: %.0f datagrams/s sent, want %.0f", syscall, r.SenderDatagramsPerS, want)
		}
		if r.LossFraction != 0 {
			t.Errorf("syscall %g: loss %g, want 0", syscall, r.LossFraction)
		}
		pl := float64(cfg.PodMTU - 28)
		if mbps := want * pl * 8 / 1e6; math.Abs(r.ThroughputMbps-mbps)/mbps > 0.002 {
			t.Errorf("syscall %g: %.1f Mbit/s, want %.1f", syscall, r.ThroughputMbps, mbps)
		}
		if c := r.CoresByContext[0]; math.Abs(c.Process-1) > 0.001 || c.Softirq != 0 {
			t.Errorf("syscall %g: sender node cores by context %+v, want one process core", syscall, c)
		}
	}
}

// TestStreamCallsPerWrite: on one core (intra-host), a TCP stream pays
// the syscall stage once per write of write_bytes and once per read, and
// the sched stage once per read (the reader, faster than one core's
// packets, is woken for each) and never for the writer, which an
// unpaced stream never blocks (its window-limited output does not):
// syscall cycles per data packet = c x (MSS / write_bytes + 1).
func TestStreamCallsPerWrite(t *testing.T) {
	t.Parallel()
	const syscall, sched = 2000.0, 3000.0
	for _, w := range []int64{16 << 10, 128 << 10} {
		cfg := baseConfig(TCPStream)
		p := datapathtest.AppPath(syscall, sched)
		p.InterHost = false
		cfg.Forward, cfg.Reverse = p, p
		cfg.Placement = datapath.Intra
		cfg.Cluster.CoresPerNode = 1
		cfg.Workload.WriteBytes = w
		r := run(t, cfg)
		mss := float64(cfg.PodMTU - 52)
		if want := syscall * (mss/float64(w) + 1); math.Abs(r.CPPByStage["syscall"]-want)/want > 0.01 {
			t.Errorf("write %d: syscall %.1f cycles per data packet, want %.1f", w, r.CPPByStage["syscall"], want)
		}
		if math.Abs(r.CPPByStage["sched"]-sched)/sched > 0.01 {
			t.Errorf("write %d: sched %.1f cycles per data packet, want %.1f (one wake-up per packet)", w, r.CPPByStage["sched"], sched)
		}
	}
}

// TestUDPSenderBlockedWakes: an unpaced udp_stream faster than its link
// fills its socket's send buffer, blocks and is woken as the wire drains
// it: its core pays wake-ups, and on a link it cannot fill it pays none.
func TestUDPSenderBlockedWakes(t *testing.T) {
	t.Parallel()
	const c = 3000.0
	sender := func(gbps, sched float64) float64 { // process cycles per datagram on node 0
		cfg := baseConfig(UDPStream)
		cfg.Cluster.LinkGbps = gbps
		cfg.Forward, cfg.Reverse = datapathtest.AppPath(1000, sched), datapathtest.AppPath(1000, sched)
		r := run(t, cfg)
		return r.CoresByContext[0].Process * cfg.Cluster.GHz * 1e9 / r.SenderDatagramsPerS
	}
	if d := sender(1, c) - sender(1, 0); !(d > 0 && d < c) {
		t.Errorf("link-bound: the wake-ups add %.2f cycles per datagram, want some, under one per datagram (%.0f)", d, c)
	}
	if d := sender(1e6, c) - sender(1e6, 0); d != 0 {
		t.Errorf("core-bound: the wake-ups add %.2f cycles per datagram, want none", d)
	}
}

// TestPacedStreamWriterSleeps: a tcp_stream paced well below its
// core's rate sleeps after every block of write_bytes: the block pays,
// beside its send call, the sleep's call and the writer's wake-up. Priced
// at c cycles and at 0, the sending node's process cycles per data
// packet differ by c x 2 x blocks per packet for syscall and c x blocks
// for sched (inter-host: the reader's calls are the other node's).
func TestPacedStreamWriterSleeps(t *testing.T) {
	t.Parallel()
	const c = 3000.0
	const w = 64 << 10
	sender := func(syscall, sched float64) float64 { // process cycles per data packet on node 0
		cfg := baseConfig(TCPStream)
		cfg.Forward, cfg.Reverse = datapathtest.AppPath(syscall, sched), datapathtest.AppPath(syscall, sched)
		cfg.Workload.WriteBytes, cfg.Workload.RateMbps = w, 200
		r := run(t, cfg)
		pkts := r.ThroughputMbps * 1e6 / 8 / float64(cfg.PodMTU-52)
		return r.CoresByContext[0].Process * cfg.Cluster.GHz * 1e9 / pkts
	}
	base := sender(0, 0)
	blocks := float64(baseConfig(TCPStream).PodMTU-52) / w // blocks per data packet
	if got, want := sender(c, 0)-base, c*2*blocks; math.Abs(got-want)/want > 0.02 {
		t.Errorf("syscall: %.2f cycles per data packet, want %.2f (two calls per %d-byte block)", got, want, w)
	}
	if got, want := sender(0, c)-base, c*blocks; math.Abs(got-want)/want > 0.02 {
		t.Errorf("sched: %.2f cycles per data packet, want %.2f (one wake-up per %d-byte block)", got, want, w)
	}
}

// TestStreamMonotoneInByteCost: a dearer byte never raises throughput.
func TestStreamMonotoneInByteCost(t *testing.T) {
	t.Parallel()
	prev := math.Inf(1)
	for _, cpb := range []float64{0, 0.5, 2, 8} {
		cfg := baseConfig(TCPStream)
		p := datapathtest.AppPath(2000, 3000)
		p.Steps[len(p.Steps)-1].CyclesPerByte = cpb
		cfg.Forward, cfg.Reverse = p, p
		cfg.Cluster.CoresPerNode = 1
		got := run(t, cfg).ThroughputMbps
		if got > prev*(1+1e-9) {
			t.Errorf("%g cycles/byte: %.1f Mbit/s, more than %.1f at a cheaper byte", cpb, got, prev)
		}
		prev = got
	}
}
