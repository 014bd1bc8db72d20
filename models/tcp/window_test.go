package tcp

import (
	"math"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// TestSlowReceiver: an application that copies slower than the link
// fills a small receive buffer; the window closes and reopens (window
// updates when the application drains, Linux tcp_cleanup_rbuf; probes as
// a fallback) without deadlock, and goodput equals the copy rate:
// F / (cycles per packet) x MSS.
func TestSlowReceiver(t *testing.T) {
	t.Parallel()
	p := hostPath(1)
	p.Steps[4].CyclesPerByte = 20 // socket_copy: 20 cycles/byte
	r := newRig(t, network.DefaultConfig(), p, 1500, Options{RcvBuf: 64 << 10})
	r.c.Connect(0)
	r.c.Client.Write(0, math.MaxInt64/2)
	var last int64
	const step = 50 * sim.Millisecond
	r.e.RunUntil(100 * sim.Millisecond)
	start := r.c.Server.Received()
	for t0 := 100 * sim.Millisecond; t0 < 600*sim.Millisecond; t0 += step {
		r.e.RunUntil(t0 + step)
		if got := r.c.Server.Received(); got == last {
			t.Fatalf("no progress in (%v, %v]: deadlock", t0, t0+step)
		} else {
			last = got
		}
	}
	got := float64(last-start) * 8 / 0.5
	cyc := p.Steps[4].Cycles + p.Steps[4].CyclesPerByte*1500 // 1448 payload + 52 header bytes
	want := 2.4e9 / cyc * 1448 * 8
	if math.Abs(got-want)/want > 0.02 {
		t.Errorf("goodput %.1f Mbit/s, want the copy rate %.1f", got/1e6, want/1e6)
	}
	if st := r.c.Client.Stats; st.RTOs != 0 || st.Retrans != 0 {
		t.Errorf("RTOs %d, retransmissions %d: a full window must not look like loss", st.RTOs, st.Retrans)
	}
	r.conserve(t)
}

// TestCPUBoundReceiver: when the receiving softirq core saturates, the
// packets queue at the bounded receive ring and drop there (counted, not
// lost from the books), and goodput settles at the core's rate
// F / (cycles of that core per data packet); the core also sends the
// delayed ACKs (one per two segments).
func TestCPUBoundReceiver(t *testing.T) {
	t.Parallel()
	p := hostPath(1)
	p.Steps[3].Cycles = 8000 // tcp in softirq: the receiver's bottleneck
	// a receive window larger than the ring, so that the ring overflows
	r := newRig(t, network.DefaultConfig(), p, 1500, Options{RcvBuf: 16 << 20})
	if r.c.Client.Route().RSSCore() == r.c.Server.Core {
		t.Fatal("test needs the RSS core apart from the application core")
	}
	r.c.Connect(0)
	r.c.Client.Write(0, math.MaxInt64/2)
	r.e.RunUntil(200 * sim.Millisecond)
	b0, a0 := r.c.Server.Received(), r.c.Server.Stats.AcksSent
	seg0 := r.c.Server.Stats.DataSegsRcvd
	r.e.RunUntil(1200 * sim.Millisecond)
	segs := float64(r.c.Server.Stats.DataSegsRcvd - seg0)
	acksPerSeg := float64(r.c.Server.Stats.AcksSent-a0) / segs
	perPkt := p.Steps[2].Cycles + p.Steps[3].Cycles + acksPerSeg*(p.Steps[0].Cycles+p.Steps[1].Cycles)
	want := 2.4e9 / perPkt * 1448 * 8
	got := float64(r.c.Server.Received()-b0) * 8
	t.Logf("goodput %.1f Mbit/s, core limit %.1f, acks/seg %.2f, cwnd %.1f ssthresh %.1f retx %d, %+v", got/1e6, want/1e6, acksPerSeg, r.c.Client.Cwnd(), r.c.Client.ssthresh, r.c.Client.Stats.Retrans, r.n.Stats())
	if got > want*1.001 || got < 0.95*want {
		t.Errorf("goodput %.1f Mbit/s, want the softirq core's limit %.1f", got/1e6, want/1e6)
	}
	if r.n.Stats().DropRx == 0 {
		t.Errorf("no drops at the receive ring: the window should have overrun it")
	}
	if u := r.n.Nodes[1].Cores[r.c.Client.Route().RSSCore()].Utilisation(r.e.Now()); u < 0.95 {
		t.Errorf("softirq core utilisation %.3f, want saturated", u)
	}
	r.conserve(t)
}

// TestIntraHost: both pods on one node; the receive softirq runs on the
// sender's core (veth backlog), no wire, no deadlock, conservation.
func TestIntraHost(t *testing.T) {
	t.Parallel()
	p := hostPath(1)
	p.InterHost = false
	p.Steps = append([]datapath.CostedStep(nil), p.Steps...)
	p.Steps[1].Kind = datapath.Veth
	p.Steps[2].Kind = datapath.Veth
	r := newRig(t, network.DefaultConfig(), p, 1500, Options{})
	r.c.Connect(0)
	r.c.Client.Write(0, 100<<20)
	r.e.RunUntil(sim.Second)
	if r.c.Server.Received() != 100<<20 {
		t.Errorf("received %d of %d", r.c.Server.Received(), 100<<20)
	}
	r.conserve(t)
}
