package workload

import (
	"math"
	"testing"

	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/sim"
)

// TestPacedTCPStream: iperf3 -b. Below what the path carries, a paced
// stream's goodput is its rate (the writes hold the average, and the
// reader gets every byte written); far above it, the writes block on the
// socket and the stream carries what an unpaced one does.
func TestPacedTCPStream(t *testing.T) {
	t.Parallel()
	unpaced := run(t, baseConfig(TCPStream))
	for _, tc := range []struct {
		rate, want, tol float64
	}{
		{100, 100, 0.01},
		{2000, 2000, 0.01},
		{5 * unpaced.ThroughputMbps, unpaced.ThroughputMbps, 0.02},
	} {
		cfg := baseConfig(TCPStream)
		cfg.Workload.RateMbps = tc.rate
		r := run(t, cfg)
		if math.Abs(r.ThroughputMbps-tc.want)/tc.want > tc.tol {
			t.Errorf("rate_mbps %.0f: %.1f Mbit/s, want %.1f (unpaced %.1f)", tc.rate, r.ThroughputMbps, tc.want, unpaced.ThroughputMbps)
		}
	}
}

// TestPacedWritesBlock: a rate the socket cannot take leaves at most the
// send buffer (and the block in hand) written but unacknowledged, so a
// sender far ahead of its path holds bounded memory, and its writes come
// as the buffer drains.
func TestPacedWritesBlock(t *testing.T) {
	t.Parallel()
	cfg := baseConfig(TCPStream)
	cfg.Workload.RateMbps = 1e6
	cfg.Workload.HTTP.SndBuf = 256 << 10
	cfg.defaults()
	e := sim.NewEngine()
	n, err := network.New(e, cfg.Cluster)
	if err != nil {
		t.Fatal(err)
	}
	m := newMeter(e, n, &cfg)
	c, err := tcp.Dial(n, tcp.Side{Node: 0}, tcp.Side{Node: 1}, cfg.Forward, cfg.Reverse, cfg.PodMTU, 1, cfg.TCP)
	if err != nil {
		t.Fatal(err)
	}
	c.Client.OnEstablished = m.pace(c.Client, cfg.TCP.WriteBytes).start
	c.Connect(0)
	var worst int64
	var look sim.HandlerFunc
	look = func(e *sim.Engine, _ uint64) {
		worst = max(worst, c.Client.Written()-c.Client.Acked())
		e.After(50*sim.Microsecond, look, 0)
	}
	e.Schedule(0, look, 0)
	e.RunUntil(cfg.Duration)
	if limit := cfg.Workload.HTTP.SndBuf + cfg.TCP.WriteBytes; worst > limit || worst < cfg.Workload.HTTP.SndBuf {
		t.Errorf("at most %d bytes written and not acknowledged, want from the send buffer to it and a block (%d..%d)",
			worst, cfg.Workload.HTTP.SndBuf, limit)
	}
	if got := c.Server.Received(); got < 100<<20 {
		t.Errorf("%d bytes received in %v: the blocked writer should keep the path busy", got, cfg.Duration)
	}
}
