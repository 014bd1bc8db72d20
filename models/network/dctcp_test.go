package network_test

import (
	"math"
	"testing"

	"github.com/cnisim/cnisim/models/datapath/datapathtest"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/sim"
)

// dctcpRun runs N long-lived flows from N nodes into node 0 through a ToR
// whose ports mark at k bytes, and returns the port toward node 0's
// statistics over [0.2 s, 1 s], each sender's alpha sampled every ms
// (averaged), the goodput's share of the port and the network.
func dctcpRun(t *testing.T, cc string, N int, k int64) (network.PortStats, float64, float64, *network.Network) {
	return ecnRun(t, tcp.Options{Congestion: cc}, N, k)
}

// ecnRun is dctcpRun with any TCP options.
func ecnRun(t *testing.T, opt tcp.Options, N int, k int64) (network.PortStats, float64, float64, *network.Network) {
	return aqmRun(t, opt, N, func(f *network.Fabric) { f.ECNThreshold = k })
}

// aqmRun is ecnRun with the ToR's marking (and dropping) set by aqm.
func aqmRun(t *testing.T, opt tcp.Options, N int, aqm func(*network.Fabric)) (network.PortStats, float64, float64, *network.Network) {
	t.Helper()
	c := network.DefaultConfig()
	c.Nodes = N + 1
	c.LinkDelay = 25 * sim.Microsecond
	c.Fabric = network.Fabric{Kind: network.FabricSwitch, BufferBytes: 2_000_000, PerHop: sim.Microsecond,
		StatsFrom: 200 * sim.Millisecond}
	aqm(&c.Fabric)
	e := sim.NewEngine()
	n, err := network.New(e, c)
	if err != nil {
		t.Fatal(err)
	}
	path := datapathtest.HostPath(1)
	var conns []*tcp.Conn
	var read0, read1 int64
	for i := 0; i < N; i++ {
		conn, err := tcp.Dial(n, tcp.Side{Node: i + 1, Core: 0}, tcp.Side{Node: 0, Core: i}, path, path, 1500, uint64(i), opt)
		if err != nil {
			t.Fatal(err)
		}
		conn.Client.Write(0, math.MaxInt64/2)
		conn.Connect(sim.Time(i) * sim.Microsecond)
		conns = append(conns, conn)
	}
	var alpha float64
	samples := 0
	e.RunUntil(200 * sim.Millisecond)
	for _, cn := range conns {
		read0 += cn.Server.Stats.BytesRead
	}
	for at := 201 * sim.Millisecond; at <= sim.Second; at += sim.Millisecond {
		e.RunUntil(at)
		for _, cn := range conns {
			alpha += cn.Client.DCTCPAlpha()
			samples++
		}
	}
	for _, cn := range conns {
		read1 += cn.Server.Stats.BytesRead
	}
	if err := n.Conservation(); err != nil {
		t.Fatal(err)
	}
	st := n.Stats().Ports[0] // tor.node0
	share := float64(read1-read0) / (10e9 / 8 * 1448 / 1538 * 0.8)
	return st, alpha / float64(samples), share, n
}

// TestDCTCP: DCTCP flows into one ToR port that marks above K bytes
// (Alizadeh et al., SIGCOMM 2010, 3.3, whose sawtooth analysis gives the
// bounds): with a 10 Gbit/s port, a 105 us base RTT (a pipe of 85 frames)
// and K from 20 to 60 frames (above the paper's C x RTT / 7 = 12):
//   - the queue peaks just above K (the analysis: K + N frames; here
//     within K + 2N + 2, the receivers' delayed ACKs releasing two frames
//     at a time) and never drops with a 2 MB buffer, while the port stays
//     busy (goodput >= 99.5% of it: the queue never empties);
//   - alpha, each sender's estimate, is the fraction of frames the port
//     marked within 10% (the receivers echo every mark: RFC 8257 3.2),
//     grows with N and falls with K as sqrt(2 / W*), W* = (C x RTT + K) / N;
//   - CUBIC's packets are not ECN-capable: the port marks none, CUBIC
//     fills the buffer to drops, and the same run without a threshold is
//     identical port statistic for port statistic.
func TestDCTCP(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates 5 x 1 s of 10 Gbit/s")
	}
	const frame = 1538
	type key struct {
		n int
		k int64
	}
	alphas := map[key]float64{}
	for _, tc := range []key{{2, 20}, {2, 60}, {8, 20}, {8, 60}} {
		st, alpha, share, _ := dctcpRun(t, tcp.DCTCP, tc.n, tc.k*frame)
		alphas[tc] = alpha
		marked := float64(st.ECNMarks) / float64(st.Frames)
		wStar := (85 + float64(tc.k)) / float64(tc.n)
		t.Logf("N=%d K=%d frames: queue max %.1f mean %.1f frames, %.4f of the frames marked, alpha %.4f (sqrt(2/W*) %.4f), goodput %.4f of the port",
			tc.n, tc.k, float64(st.MaxQueueBytes)/frame, st.MeanQueueBytes/frame, marked, alpha, math.Sqrt(2/wStar), share)
		if q := st.MaxQueueBytes; q <= tc.k*frame || q > (tc.k+2*int64(tc.n)+2)*frame {
			t.Errorf("N=%d K=%d: the queue peaked at %.1f frames, want in (K, K + 2N + 2]", tc.n, tc.k, float64(q)/frame)
		}
		if st.Drops != 0 || share < 0.995 {
			t.Errorf("N=%d K=%d: %d drops, goodput %.4f of the port", tc.n, tc.k, st.Drops, share)
		}
		if math.Abs(alpha/marked-1) > 0.10 {
			t.Errorf("N=%d K=%d: alpha %.4f, but %.4f of the frames were marked", tc.n, tc.k, alpha, marked)
		}
	}
	for _, k := range []int64{20, 60} {
		if !(alphas[key{8, k}] > alphas[key{2, k}]) {
			t.Errorf("K=%d: alpha %.4f with 8 flows, %.4f with 2: want larger with more flows", k, alphas[key{8, k}], alphas[key{2, k}])
		}
	}
	for _, n := range []int{2, 8} {
		if !(alphas[key{n, 60}] < alphas[key{n, 20}]) {
			t.Errorf("N=%d: alpha %.4f at K=60, %.4f at K=20: want smaller with a larger K", n, alphas[key{n, 60}], alphas[key{n, 20}])
		}
	}
	marking, _, _, _ := dctcpRun(t, tcp.Cubic, 2, 20*frame)
	plain, _, _, _ := dctcpRun(t, tcp.Cubic, 2, 0)
	if marking.ECNMarks != 0 || marking.Drops == 0 || marking.MaxQueueBytes < 1_000_000 {
		t.Errorf("cubic: %d marks, %d drops, queue max %d bytes: want none marked, the buffer filled to drops", marking.ECNMarks, marking.Drops, marking.MaxQueueBytes)
	}
	if marking != plain {
		t.Errorf("cubic with a marking threshold %+v, without %+v: want identical", marking, plain)
	}
}

// TestClassicECN: RFC 3168 ECN (tcp.Options.ECN) through the same port
// as TestDCTCP, 2 flows: the marks replace drops (none, and no
// retransmission, the queue peaking just above K), but a window cut by
// CUBIC's 0.3 or Reno's half empties the queue when K is small beside the
// pipe (85 frames), where DCTCP's cut by alpha/2 does not: at K = 20
// frames the goodput orders DCTCP > CUBIC > Reno (the DCTCP paper's
// argument, Alizadeh et al., SIGCOMM 2010, 3.4: DCTCP needs K above about
// a seventh of the pipe, TCP's halving a K of the order of the pipe), and
// each rises with K.
func TestClassicECN(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates 6 x 1 s of 10 Gbit/s")
	}
	const frame = 1538
	share := map[string]map[int64]float64{}
	for _, o := range []tcp.Options{{Congestion: tcp.Reno, ECN: true}, {Congestion: tcp.Cubic, ECN: true}, {Congestion: tcp.DCTCP}} {
		share[o.Congestion] = map[int64]float64{}
		for _, k := range []int64{20, 60} {
			st, alpha, sh, n := ecnRun(t, o, 2, k*frame)
			share[o.Congestion][k] = sh
			t.Logf("%s, K=%d frames: goodput %.4f of the port, queue max %.1f mean %.1f frames, %d marks", o.Congestion, k, sh,
				float64(st.MaxQueueBytes)/frame, st.MeanQueueBytes/frame, st.ECNMarks)
			if st.Drops != 0 || n.Stats().Drops != 0 || st.ECNMarks == 0 {
				t.Errorf("%s, K=%d: %d drops, %d marks: want marks instead of drops", o.Congestion, k, n.Stats().Drops, st.ECNMarks)
			}
			if q := st.MaxQueueBytes; q > (k+6)*frame {
				t.Errorf("%s, K=%d: the queue peaked at %.1f frames, want at most K + 2N + 2", o.Congestion, k, float64(q)/frame)
			}
			if o.Congestion != tcp.DCTCP && alpha != 0 {
				t.Errorf("%s: alpha %v, want 0 (DCTCP's only)", o.Congestion, alpha)
			}
		}
	}
	if s := share; !(s[tcp.DCTCP][20] > s[tcp.Cubic][20] && s[tcp.Cubic][20] > s[tcp.Reno][20]) {
		t.Errorf("goodput at K = 20 frames: dctcp %.4f, cubic %.4f, reno %.4f: want in that order", s[tcp.DCTCP][20], s[tcp.Cubic][20], s[tcp.Reno][20])
	}
	for cc, s := range share {
		if !(s[60] >= s[20]) || cc == tcp.DCTCP && s[20] < 0.995 {
			t.Errorf("%s: goodput %.4f at K = 20, %.4f at K = 60: want no less with the larger K (and full for dctcp)", cc, s[20], s[60])
		}
	}
}

// TestMarkingRamp: WRED-style marking (Fabric.ECNMax, ECNMaxProb) and
// RED's early drop of packets that are not ECN-capable (DropNotECT),
// through the port of TestDCTCP (8 flows, a pipe of 85 frames):
//   - a ramp whose top is one byte above K marks exactly as the step at
//     K (every queue above K is at the top): identical port statistics;
//   - DCTCP's queue settles inside a ramp from 20 to 60 frames: deeper
//     on average than with the step at 20 and shallower than with the
//     step at 60, never dropping, the port kept busy;
//   - CUBIC without ECN through the ramp with early drops: the port
//     drops early, never for want of buffer, and the queue stays below
//     the ramp's top plus a frame (there every frame is dropped), where
//     drop-tail fills the 2 MB buffer;
//   - CUBIC with ECN (RFC 3168) through the same port: marks, no drops.
func TestMarkingRamp(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates 7 x 1 s of 10 Gbit/s")
	}
	const frame, N = 1538, 8
	step := func(k int64) func(*network.Fabric) {
		return func(f *network.Fabric) { f.ECNThreshold = k * frame }
	}
	ramp := func(lo, hi int64, p float64, drop bool) func(*network.Fabric) {
		return func(f *network.Fabric) {
			f.ECNThreshold, f.ECNMax, f.ECNMaxProb, f.DropNotECT = lo*frame, hi*frame, p, drop
		}
	}
	dctcp := tcp.Options{Congestion: tcp.DCTCP}
	step20, _, _, _ := aqmRun(t, dctcp, N, step(20))
	same, _, _, _ := aqmRun(t, dctcp, N, func(f *network.Fabric) {
		f.ECNThreshold, f.ECNMax, f.ECNMaxProb = 20*frame, 20*frame+1, 0.5
	})
	if same != step20 {
		t.Errorf("ramp (K, K+1 byte]: %+v, step at K: %+v: want identical", same, step20)
	}
	step60, _, _, _ := aqmRun(t, dctcp, N, step(60))
	st, _, share, _ := aqmRun(t, dctcp, N, ramp(20, 60, 1, false))
	t.Logf("dctcp: mean queue %.1f frames (step at 20: %.1f, at 60: %.1f), max %.1f, %d marks, goodput %.4f of the port",
		st.MeanQueueBytes/frame, step20.MeanQueueBytes/frame, step60.MeanQueueBytes/frame, float64(st.MaxQueueBytes)/frame, st.ECNMarks, share)
	if !(st.MeanQueueBytes > step20.MeanQueueBytes && st.MeanQueueBytes < step60.MeanQueueBytes) {
		t.Errorf("dctcp: mean queue %.1f frames through the ramp, want between the steps' %.1f and %.1f",
			st.MeanQueueBytes/frame, step20.MeanQueueBytes/frame, step60.MeanQueueBytes/frame)
	}
	if st.Drops != 0 || st.ECNMarks == 0 || share < 0.995 {
		t.Errorf("dctcp through the ramp: %d drops, %d marks, goodput %.4f of the port", st.Drops, st.ECNMarks, share)
	}

	cubic := tcp.Options{Congestion: tcp.Cubic}
	tail, _, _, _ := aqmRun(t, cubic, N, func(*network.Fabric) {})
	red, _, share, n := aqmRun(t, cubic, N, ramp(20, 60, 0.1, true))
	t.Logf("cubic, early drops: %d drops (%d early), queue max %.1f mean %.1f frames, goodput %.4f (drop-tail: %d drops, max %.1f mean %.1f frames)",
		red.Drops, red.EarlyDrops, float64(red.MaxQueueBytes)/frame, red.MeanQueueBytes/frame, share,
		tail.Drops, float64(tail.MaxQueueBytes)/frame, tail.MeanQueueBytes/frame)
	if red.EarlyDrops == 0 || red.Drops != red.EarlyDrops || red.ECNMarks != 0 {
		t.Errorf("cubic, early drops: %d drops, %d early, %d marks: want every drop early, no mark", red.Drops, red.EarlyDrops, red.ECNMarks)
	}
	if red.MaxQueueBytes >= 61*frame || tail.MaxQueueBytes < 1_000_000 || tail.EarlyDrops != 0 {
		t.Errorf("queue max %d bytes with early drops (want < 61 frames), %d with drop-tail (want the buffer filled; %d early drops)",
			red.MaxQueueBytes, tail.MaxQueueBytes, tail.EarlyDrops)
	}
	if err := n.Conservation(); err != nil {
		t.Fatal(err)
	}
	ecn, _, _, n := aqmRun(t, tcp.Options{Congestion: tcp.Cubic, ECN: true}, N, ramp(20, 60, 0.1, true))
	if ecn.Drops != 0 || n.Stats().Drops != 0 || ecn.ECNMarks == 0 {
		t.Errorf("cubic with ECN through the ramp: %d drops, %d marks: want marks instead of drops", n.Stats().Drops, ecn.ECNMarks)
	}
}
