package network

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/datapath/datapathtest"
	"github.com/cnisim/cnisim/sim"
)

// fabricConfig is a cluster of nodes behind a fabric of the given kind
// with a large shared buffer; leaf-spine has two spines and nodes/2 nodes
// per leaf at uplink 25 Gbit/s (the hosts at 10).
func fabricConfig(kind FabricKind, nodes int) Config {
	c := DefaultConfig()
	c.Nodes = nodes
	c.Fabric = Fabric{Kind: kind, BufferBytes: 12_000_000, PerHop: 700 * sim.Nanosecond}
	if kind == FabricLeafSpine {
		c.Fabric.Leaves, c.Fabric.Spines, c.Fabric.NodesPerLeaf, c.Fabric.UplinkGbps = 2, 2, nodes/2, 25
	}
	return c
}

func newNet(t testing.TB, c Config) (*sim.Engine, *Network) {
	t.Helper()
	e := sim.NewEngine()
	n, err := New(e, c)
	if err != nil {
		t.Fatal(err)
	}
	return e, n
}

func route(t testing.TB, n *Network, path datapath.CostedPath, src, dst int, key uint64) (*Route, *sink) {
	t.Helper()
	s := &sink{n: n}
	r, err := n.NewRoute(RouteSpec{Path: path, Src: src, Dst: dst, FlowKey: key, RecvCore: 0, To: s})
	if err != nil {
		t.Fatal(err)
	}
	return r, s
}

// oneTrip is the delivery time of one packet of ip bytes from src to dst.
func oneTrip(t *testing.T, c Config, src, dst, ip int) sim.Time {
	t.Helper()
	e, n := newNet(t, c)
	r, s := route(t, n, datapathtest.HostPath(1), src, dst, 1)
	p := n.Alloc()
	p.IPBytes = int32(ip)
	n.Send(r, p, 0, 0)
	e.Run()
	if s.got != 1 {
		t.Fatalf("%v %d->%d: delivered %d", c.Fabric.Kind, src, dst, s.got)
	}
	if err := n.Conservation(); err != nil {
		t.Fatal(err)
	}
	return s.last
}

// TestStoreAndForwardDelay: each switch adds, over the direct link, the
// frame's serialisation at the egress port's rate, a propagation delay
// and its per-hop latency (closed forms).
func TestStoreAndForwardDelay(t *testing.T) {
	const ip = 1500
	frame := float64(ip + 38)
	ser := func(gbps float64) sim.Time { return sim.Time(frame*8000/gbps + 0.5) }
	D, H := 5*sim.Microsecond, 700*sim.Nanosecond
	base := oneTrip(t, fabricConfig(FabricNone, 4), 0, 1, ip)
	for _, tc := range []struct {
		name     string
		kind     FabricKind
		src, dst int
		extra    sim.Time
	}{
		{"switch", FabricSwitch, 0, 3, D + H + ser(10)},
		{"leaf-spine same leaf", FabricLeafSpine, 0, 1, D + H + ser(10)},
		{"leaf-spine across spines", FabricLeafSpine, 0, 3, 3*(D+H) + 2*ser(25) + ser(10)},
		// leaf0's two uplinks at 4 Gbit/s (Fabric.Slow), the way back at 25
		{"leaf-spine, slow uplinks", FabricLeafSpine, 0, 3, 3*(D+H) + ser(4) + ser(25) + ser(10)},
		{"leaf-spine, slow uplinks, the other way", FabricLeafSpine, 3, 0, 3*(D+H) + ser(25) + ser(4) + ser(10)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := fabricConfig(tc.kind, 4)
			if strings.Contains(tc.name, "slow") {
				c.Fabric.Slow = []SlowLink{{FabricLink{0, 0}, 4}, {FabricLink{0, 1}, 4}}
			}
			got := oneTrip(t, c, tc.src, tc.dst, ip)
			if got-base != tc.extra {
				t.Errorf("delay over the direct link %v, want %v", got-base, tc.extra)
			}
		})
	}
}

// burst sends k packets of ip bytes at time 0 on each route.
func burst(n *Network, rs []*Route, k, ip int) {
	for _, r := range rs {
		for i := 0; i < k; i++ {
			p := n.Alloc()
			p.IPBytes = int32(ip)
			n.Send(r, p, 0, 0)
		}
	}
}

// TestIncastDrops: N senders each start K back-to-back frames at once
// toward one node. Their NICs deliver N frames to the ToR port at every
// frame time T, and the port sends one per T, so with room for F frames
// the buffer fills and then takes one frame per T: it admits F + K - 1
// frames and drops N*K - (F + K - 1), sends for (F + K - 1) T and peaks
// at F frames. Shared and per-port buffers alike (one port congested).
// A tbf port (Config.TBFBurstFrames, one-frame bucket) holds the frames
// its bucket has not passed, so it admits one frame more: the one a
// switch would still be clocking out has left.
func TestIncastDrops(t *testing.T) {
	const N, K, F, ip = 8, 100, 20, 1500
	const frame = ip + 38
	T := sim.Time(frame * 800) // 10 Gbit/s
	for _, tc := range []struct {
		perPort bool
		tbf     int
	}{{false, 0}, {true, 0}, {false, 1}, {true, 1}} {
		perPort := tc.perPort
		t.Run(fmt.Sprintf("per-port=%v,tbf=%d", perPort, tc.tbf), func(t *testing.T) {
			c := fabricConfig(FabricSwitch, N+1)
			c.Fabric.BufferBytes = F*frame + frame/2
			c.Fabric.PerPort = perPort
			c.TBFBurstFrames = tc.tbf
			if perPort {
				c.Fabric.BufferBytes *= int64(N + 1)
			}
			e, n := newNet(t, c)
			var rs []*Route
			for i := 1; i <= N; i++ {
				r, _ := route(t, n, datapathtest.HostPath(1), i, 0, uint64(i))
				rs = append(rs, r)
			}
			burst(n, rs, K, ip)
			e.Run()
			if err := n.Conservation(); err != nil {
				t.Fatal(err)
			}
			st := n.Stats()
			pt := st.Ports[0]
			admitted := uint64(F + K - 1 + tc.tbf)
			if st.DropPort != N*K-admitted || pt.Drops != st.DropPort || pt.Frames != admitted {
				t.Errorf("port drops %d (stats %d), admitted %d; want %d dropped, %d admitted", st.DropPort, pt.Drops, pt.Frames, N*K-admitted, admitted)
			}
			if pt.MaxQueueBytes != F*frame {
				t.Errorf("max queue %d bytes, want %d", pt.MaxQueueBytes, F*frame)
			}
			if busy := pt.Utilisation * float64(e.Now()); math.Abs(busy-float64(admitted)*float64(T)) > 1 {
				t.Errorf("busy %.0f ps, want %d frames x %v", busy, admitted, T)
			}
			for _, o := range st.Ports[1:] {
				if o.Frames != 0 || o.Drops != 0 {
					t.Errorf("port %s carried %d frames", o.Name, o.Frames)
				}
			}
		})
	}
}

// TestQueueMeanLittle: the mean queue bytes over a window is the sum of
// bytes x time held (Little's law), also when the window cuts frames.
// Two senders at line rate into one port: the queue grows by one frame
// per two frame times, linearly, so its mean over the busy period is
// half its peak (within a frame).
func TestQueueMeanLittle(t *testing.T) {
	const K, ip = 200, 1500
	const frame = ip + 38
	c := fabricConfig(FabricSwitch, 3)
	e, n := newNet(t, c)
	r1, _ := route(t, n, datapathtest.HostPath(1), 1, 0, 1)
	r2, _ := route(t, n, datapathtest.HostPath(1), 2, 0, 2)
	burst(n, []*Route{r1, r2}, K, ip)
	// stop just before the senders' last frames have gone: 2K frames
	// arrived, K-1 sent, the queue at its peak of K+1 frames
	T := sim.Time(frame * 800)
	first := sim.Cycles(500, 2.4) + T + 5*sim.Microsecond + 700*sim.Nanosecond
	end := first + sim.Time(K)*T - 1
	e.RunUntil(end)
	pt := n.Stats().Ports[0]
	if pt.MaxQueueBytes != (K+1)*frame {
		t.Errorf("peak %d bytes, want %d", pt.MaxQueueBytes, (K+1)*frame)
	}
	// held ramps from 0 at first to K frames at end
	want := float64(K*frame) / 2 * float64(end-first) / float64(end)
	if math.Abs(pt.MeanQueueBytes-want) > 2*frame {
		t.Errorf("mean queue %.0f bytes, want %.0f", pt.MeanQueueBytes, want)
	}
	if u := float64(end-first) / float64(end); math.Abs(pt.Utilisation-u) > 1e-6 {
		t.Errorf("utilisation %.6f, want %.6f", pt.Utilisation, u)
	}
	if err := n.Conservation(); err != nil {
		t.Error(err)
	}
	e.Run()
	if err := n.Conservation(); err != nil {
		t.Error(err)
	}
}

// TestStatsWindow: drops and frames before Fabric.StatsFrom are not in
// the statistics; the conservation counts keep them.
func TestStatsWindow(t *testing.T) {
	c := fabricConfig(FabricSwitch, 3)
	c.Fabric.StatsFrom = sim.Second
	e, n := newNet(t, c)
	r, _ := route(t, n, datapathtest.HostPath(1), 1, 0, 1)
	burst(n, []*Route{r}, 10, 1500)
	e.RunUntil(2 * sim.Second)
	if pt := n.Stats().Ports[0]; pt.Frames != 0 || pt.Utilisation != 0 || pt.MaxQueueBytes != 0 {
		t.Errorf("window from 1 s counts the burst at 0: %+v", pt)
	}
	if err := n.Conservation(); err != nil {
		t.Error(err)
	}
}

// TestECMPSpread: K flows hash onto S spines like K multinomial draws:
// over many seeds the chi-square statistic of the counts has mean S-1
// and exceeds its 95% point about 5% of the time.
func TestECMPSpread(t *testing.T) {
	const K, S, seeds = 64, 4, 400
	c := DefaultConfig()
	c.Nodes = 8
	c.Fabric = Fabric{Kind: FabricLeafSpine, Leaves: 2, Spines: S, NodesPerLeaf: 4, UplinkGbps: 10, BufferBytes: 1 << 20}
	const crit95 = 7.815 // chi-square, 3 degrees of freedom
	var sum float64
	over := 0
	for seed := uint64(0); seed < seeds; seed++ {
		_, n := newNet(t, c)
		rng := rand.New(rand.NewPCG(seed, 1))
		var count [S]int
		for i := 0; i < K; i++ {
			r, _ := route(t, n, datapathtest.HostPath(1), rng.IntN(4), 4+rng.IntN(4), rng.Uint64())
			count[n.fab.ports[r.hops[0]].index%int32(n.fab.perLeaf)-4]++
		}
		chi := 0.0
		for _, k := range count {
			d := float64(k) - K/S
			chi += d * d / (K / S)
		}
		sum += chi
		if chi > crit95 {
			over++
		}
	}
	// mean of 400 chi-square(3): 3 +- sqrt(6/400) = 0.12
	if m := sum / seeds; math.Abs(m-(S-1)) > 0.5 {
		t.Errorf("mean chi-square %.2f, want %d", m, S-1)
	}
	// 5% of 400 = 20 +- 4.4
	if over < 6 || over > 36 {
		t.Errorf("%d of %d seeds beyond the 95%% point, want about 20", over, seeds)
	}
}

// TestECMPEntropy: flows between two nodes spread over the spines when the
// outer header carries their entropy (native, VXLAN) and share one spine
// when it does not (IP-in-IP, user-space UDP).
func TestECMPEntropy(t *testing.T) {
	S, D := datapath.Src, datapath.Dst
	with := func(k datapath.Kind) datapath.CostedPath {
		p := datapathtest.HostPath(1)
		p.Steps = append([]datapath.CostedStep{step(k, S, datapath.Send, 100, 0)}, p.Steps...)
		p.Steps = append(p.Steps[:3], append([]datapath.CostedStep{step(k, D, datapath.Softirq, 100, 0)}, p.Steps[3:]...)...)
		return p
	}
	c := DefaultConfig()
	c.Nodes = 4
	c.Fabric = Fabric{Kind: FabricLeafSpine, Leaves: 2, Spines: 8, NodesPerLeaf: 2, UplinkGbps: 10, BufferBytes: 1 << 20}
	for _, tc := range []struct {
		name   string
		path   datapath.CostedPath
		spread bool
	}{
		{"native", datapathtest.HostPath(1), true},
		{"vxlan", with(datapath.VXLAN), true},
		{"geneve", with(datapath.Geneve), true},
		{"ipip", with(datapath.IPIP), false},
		{"gre", with(datapath.GRE), false},
		{"userspace", with(datapath.Userspace), false},
	} {
		_, n := newNet(t, c)
		used := map[int32]bool{}
		for i := uint64(0); i < 32; i++ {
			r, _ := route(t, n, tc.path, 0, 2, i*7919)
			used[r.hops[0]] = true
		}
		if got := len(used) > 1; got != tc.spread || FlowEntropy(tc.path) != tc.spread {
			t.Errorf("%s: 32 flows on %d spines; want spread %v", tc.name, len(used), tc.spread)
		}
	}
}

// TestFabricDeterminism: the same run twice gives the same statistics.
func TestFabricDeterminism(t *testing.T) {
	run := func() Stats {
		c := fabricConfig(FabricLeafSpine, 8)
		c.Fabric.BufferBytes, c.Fabric.UplinkGbps = 200_000, 10
		e, n := newNet(t, c)
		var rs []*Route
		for i := 0; i < 4; i++ {
			r, _ := route(t, n, datapathtest.HostPath(1), i, 4+(i+1)%4, uint64(i))
			rs = append(rs, r)
		}
		burst(n, rs, 300, 1500)
		e.Run()
		if err := n.Conservation(); err != nil {
			t.Fatal(err)
		}
		return n.Stats()
	}
	a, b := run(), run()
	if !reflect.DeepEqual(a, b) {
		t.Errorf("two runs differ:\n%+v\n%+v", a, b)
	}
	if a.DropPort == 0 {
		t.Error("the test meant to congest an uplink")
	}
}

// TestNoFabric: kind none keeps the direct links and reports no ports.
func TestNoFabric(t *testing.T) {
	e, n := newNet(t, DefaultConfig())
	r, s := route(t, n, datapathtest.HostPath(1), 0, 1, 1)
	burst(n, []*Route{r}, 3, 1500)
	e.Run()
	if st := n.Stats(); st.Ports != nil || s.got != 3 || n.fab != nil || r.hops != nil {
		t.Errorf("no fabric: %+v", st)
	}
}

// TestFabricValidate names the bad field.
func TestFabricValidate(t *testing.T) {
	for _, tc := range []struct {
		mod  func(*Config)
		want string
	}{
		{func(c *Config) { c.Fabric.NodesPerLeaf = 3 }, "network.Config.Nodes = 4: must equal the leaves x nodes per leaf = 2 x 3 = 6"},
		{func(c *Config) { c.Fabric.Spines = 0 }, "network.Fabric.Spines"},
		{func(c *Config) { c.Fabric.UplinkGbps = 0 }, "network.Fabric.UplinkGbps"},
		{func(c *Config) { c.Fabric.PerHop = -1 }, "network.Fabric.PerHop"},
		{func(c *Config) { c.Fabric.BufferBytes = 1000 }, "network.Fabric.BufferBytes = 1000: must hold a full-sized frame of 1538 bytes"},
		{func(c *Config) { c.Fabric.BufferBytes, c.Fabric.PerPort = 4000, true }, "a share of 1000 bytes over 4 ports"},
		{func(c *Config) { c.Fabric.Kind = 7 }, "network.Fabric.Kind"},
	} {
		c := fabricConfig(FabricLeafSpine, 4)
		tc.mod(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want %q", err, tc.want)
		}
	}
	if _, err := ParseFabricKind("clos"); err == nil || !strings.Contains(err.Error(), "none, switch, leaf-spine") {
		t.Errorf("ParseFabricKind: %v", err)
	}
}

// TestPortNames: the names results use.
func TestPortNames(t *testing.T) {
	_, n := newNet(t, fabricConfig(FabricLeafSpine, 4))
	var names []string
	for i := range n.fab.ports {
		names = append(names, n.fab.portName(i))
	}
	want := "leaf0.node0 leaf0.node1 leaf0.spine0 leaf0.spine1 leaf1.node2 leaf1.node3 leaf1.spine0 leaf1.spine1 spine0.leaf0 spine0.leaf1 spine1.leaf0 spine1.leaf1"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("names\n%s\nwant\n%s", got, want)
	}
}

// TestHopChain: the ports a packet visits hop by hop (fabric.next, from
// the port and the destination) are the route's, and the last one's link
// ends at the destination node, for every pair and spine.
func TestHopChain(t *testing.T) {
	c := DefaultConfig()
	c.Nodes = 12
	c.Fabric = Fabric{Kind: FabricLeafSpine, Leaves: 3, Spines: 3, NodesPerLeaf: 4, UplinkGbps: 10, BufferBytes: 1 << 20}
	for _, kind := range []FabricKind{FabricSwitch, FabricLeafSpine} {
		c.Fabric.Kind = kind
		_, n := newNet(t, c)
		fb := n.fab
		for src := 0; src < c.Nodes; src++ {
			for dst := 0; dst < c.Nodes; dst++ {
				if src == dst {
					continue
				}
				for h := uint64(0); h < 3; h++ {
					hops := fb.hops(src, dst, h)
					var got []int32
					for p := hops[0]; p >= 0; p = fb.next(&fb.ports[p], int32(dst)) {
						got = append(got, p)
					}
					if !reflect.DeepEqual(got, hops) || fb.ports[got[len(got)-1]].node != int32(dst) {
						t.Fatalf("%v %d->%d via %d: chain %v, route %v", kind, src, dst, h, got, hops)
					}
				}
			}
		}
	}
}

// TestDynamicThreshold: with dynamic thresholds one congested port holds
// at most alpha/(1+alpha) of the shared buffer (its queue q stops where
// q + frame > alpha (B - q)), and the incast arithmetic of
// TestIncastDrops holds with F that many frames.
func TestDynamicThreshold(t *testing.T) {
	const N, K, ip = 8, 100, 1500
	const frame = ip + 38
	for _, alpha := range []float64{0.5, 1, 2, 8} {
		t.Run(fmt.Sprint(alpha), func(t *testing.T) {
			c := fabricConfig(FabricSwitch, N+1)
			B := int64(40 * frame)
			c.Fabric.BufferBytes, c.Fabric.Alpha = B, alpha
			e, n := newNet(t, c)
			var rs []*Route
			for i := 1; i <= N; i++ {
				r, _ := route(t, n, datapathtest.HostPath(1), i, 0, uint64(i))
				rs = append(rs, r)
			}
			burst(n, rs, K, ip)
			e.Run()
			if err := n.Conservation(); err != nil {
				t.Fatal(err)
			}
			// the most whole frames f with f x frame <= alpha (B - (f-1) x frame)
			F := int64(math.Floor((alpha*float64(B) + alpha*frame) / ((1 + alpha) * frame)))
			pt := n.Stats().Ports[0]
			if pt.MaxQueueBytes != F*frame {
				t.Errorf("peak %d frames, want %d (alpha/(1+alpha) of %d frames)", pt.MaxQueueBytes/frame, F, B/frame)
			}
			if admitted := uint64(F + K - 1); pt.Frames != admitted || pt.Drops != N*K-admitted {
				t.Errorf("admitted %d dropped %d, want %d and %d", pt.Frames, pt.Drops, admitted, N*K-admitted)
			}
		})
	}
	c := fabricConfig(FabricSwitch, 3)
	c.Fabric.Alpha, c.Fabric.PerPort = 1, true
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "network.Fabric.Alpha") {
		t.Errorf("alpha with per-port buffers: %v", err)
	}
}

// Fabric.Ports counts the ports buildFabric lays out (the run's memory
// estimate of a port log rests on it): every switch port, once.
func TestFabricPorts(t *testing.T) {
	for _, f := range []Fabric{
		{Kind: FabricSwitch, BufferBytes: 1 << 20},
		{Kind: FabricLeafSpine, Leaves: 3, Spines: 2, NodesPerLeaf: 4, UplinkGbps: 10, BufferBytes: 1 << 20},
	} {
		c := DefaultConfig()
		c.Nodes, c.Fabric = 12, f
		if got, want := len(buildFabric(c).ports), f.Ports(c.Nodes); got != want {
			t.Errorf("%v: %d ports laid out, Ports says %d", f.Kind, got, want)
		}
	}
	if p := (Fabric{}).Ports(12); p != 0 {
		t.Errorf("no fabric: %d ports", p)
	}
}
