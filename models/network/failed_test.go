package network

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/models/datapath/datapathtest"
	"github.com/cnisim/cnisim/sim"
)

// failedConfig is 4 leaves of 2 nodes under 4 spines, with spine 1 down
// (all its links) and the link leaf0-spine2.
func failedConfig() Config {
	c := DefaultConfig()
	c.Nodes = 8
	c.Fabric = Fabric{Kind: FabricLeafSpine, Leaves: 4, Spines: 4, NodesPerLeaf: 2, UplinkGbps: 10, BufferBytes: 1 << 20}
	for l := 0; l < 4; l++ {
		c.Fabric.Failed = append(c.Fabric.Failed, FabricLink{l, 1})
	}
	c.Fabric.Failed = append(c.Fabric.Failed, FabricLink{0, 2})
	return c
}

// TestFailedLinksECMP: a leaf hashes flows only over the spines both
// leaves reach by live links, uniformly (chi-square over seeds), every
// packet arrives by a live chain, and the failed links' ports carry
// nothing (conservation checks it too).
func TestFailedLinksECMP(t *testing.T) {
	c := failedConfig()
	for _, tc := range []struct {
		src, dst int
		want     []int // the live spines, in order
	}{
		{0, 2, []int{0, 3}},    // leaf0 -> leaf1: spine1 and leaf0-spine2 down
		{2, 0, []int{0, 3}},    // and back: spine2 cannot reach leaf0
		{2, 4, []int{0, 2, 3}}, // leaf1 -> leaf2: only spine1
		{6, 1, []int{0, 3}},
	} {
		const K, seeds = 60, 300
		df := len(tc.want) - 1
		crit95 := map[int]float64{1: 3.841, 2: 5.991}[df]
		var sum float64
		over := 0
		for seed := uint64(0); seed < seeds; seed++ {
			e, n := newNet(t, c)
			rng := rand.New(rand.NewPCG(seed, 2))
			count := map[int]int{}
			for i := 0; i < K; i++ {
				r, s := route(t, n, datapathtest.HostPath(1), tc.src, tc.dst, rng.Uint64())
				up := n.fab.ports[r.hops[0]]
				if up.tier != TierToSpine || up.failed {
					t.Fatalf("%d->%d: first hop %s", tc.src, tc.dst, n.fab.portName(int(r.hops[0])))
				}
				for _, h := range r.hops {
					if n.fab.ports[h].failed {
						t.Fatalf("%d->%d: route through failed port %s", tc.src, tc.dst, n.fab.portName(int(h)))
					}
				}
				count[int(up.spine)]++
				if i == 0 {
					p := n.Alloc()
					p.IPBytes = 1500
					n.Send(r, p, 0, 0)
					e.Run()
					if s.got != 1 {
						t.Fatalf("%d->%d: delivered %d", tc.src, tc.dst, s.got)
					}
				}
			}
			chi := 0.0
			exp := float64(K) / float64(len(tc.want))
			for _, s := range tc.want {
				d := float64(count[s]) - exp
				chi += d * d / exp
			}
			if got := len(count); got > len(tc.want) {
				t.Fatalf("%d->%d: %d spines used, want %v: %v", tc.src, tc.dst, got, tc.want, count)
			}
			for s := range count {
				if !contains(tc.want, s) {
					t.Fatalf("%d->%d: spine %d used, want %v", tc.src, tc.dst, s, tc.want)
				}
			}
			sum += chi
			if chi > crit95 {
				over++
			}
			if err := n.Conservation(); err != nil {
				t.Fatal(err)
			}
		}
		// the mean of 300 chi-square(df) is df +- sqrt(2 df / 300)
		if m := sum / seeds; math.Abs(m-float64(df)) > 5*math.Sqrt(2*float64(df)/seeds) {
			t.Errorf("%d->%d: mean chi-square %.2f, want %d", tc.src, tc.dst, m, df)
		}
		if over < 4 || over > 28 { // 5% of 300 = 15 +- 3.8
			t.Errorf("%d->%d: %d of %d seeds beyond the 95%% point, want about 15", tc.src, tc.dst, over, seeds)
		}
	}
}

func contains(xs []int, x int) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// TestFailedPortsFlagged: the failed links' two ports, and only they, say
// so in the statistics.
func TestFailedPortsFlagged(t *testing.T) {
	_, n := newNet(t, failedConfig())
	var failed []string
	for _, st := range n.portStats(0) {
		if st.Failed {
			failed = append(failed, st.Name)
		}
	}
	want := "leaf0.spine1 leaf0.spine2 leaf1.spine1 leaf2.spine1 leaf3.spine1 spine1.leaf0 spine1.leaf1 spine1.leaf2 spine1.leaf3 spine2.leaf0"
	if got := strings.Join(failed, " "); got != want {
		t.Errorf("failed ports\n%s\nwant\n%s", got, want)
	}
}

// TestFailedValidate: links out of range or named twice, a leaf cut off,
// two leaves with no spine in common, a fabric that is not a leaf-spine.
func TestFailedValidate(t *testing.T) {
	L := func(l, s int) FabricLink { return FabricLink{l, s} }
	for _, tc := range []struct {
		failed []FabricLink
		want   string
	}{
		{[]FabricLink{L(4, 0)}, "leaf4.spine0: no leaf 4 (leaves 0..3)"},
		{[]FabricLink{L(0, -1)}, "no spine -1 (spines 0..1)"},
		{[]FabricLink{L(1, 1), L(1, 1)}, "leaf1.spine1 is down twice"},
		{[]FabricLink{L(2, 0), L(2, 1)}, "leaf 2 has no live link to any spine: the fabric is partitioned"},
		{[]FabricLink{L(0, 0), L(3, 1)}, "leaf 0 and leaf 3 share no spine both reach by live links"},
		{[]FabricLink{L(1, 0), L(2, 1)}, "leaf 1 and leaf 2 share no spine"},
	} {
		c := DefaultConfig()
		c.Nodes = 8
		c.Fabric = Fabric{Kind: FabricLeafSpine, Leaves: 4, Spines: 2, NodesPerLeaf: 2, UplinkGbps: 10, BufferBytes: 1 << 20, Failed: tc.failed}
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "network.Fabric.Failed") {
			t.Errorf("%v: got %v, want %q", tc.failed, err, tc.want)
		}
	}
	// legal: every pair of leaves keeps a spine
	c := failedConfig()
	if err := c.Validate(); err != nil {
		t.Errorf("failedConfig: %v", err)
	}
	c.Fabric = Fabric{Kind: FabricSwitch, BufferBytes: 1 << 20, Failed: []FabricLink{L(0, 0)}}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "need a leaf-spine") {
		t.Errorf("switch with failed links: %v", err)
	}
	// recovery after the failure's convergence, not before
	for _, tc := range []struct {
		fail, conv, recover sim.Time
		ok                  bool
	}{{0, 0, 1, true}, {100, 50, 151, true}, {100, 50, 150, false}, {100, 0, 50, false}, {100, 0, 0, true}} {
		c := failedConfig()
		c.Fabric.FailAt, c.Fabric.Convergence, c.Fabric.RecoverAt = tc.fail, tc.conv, tc.recover
		if err := c.Validate(); (err == nil) != tc.ok || err != nil && !strings.Contains(err.Error(), "network.Fabric.RecoverAt") {
			t.Errorf("fail %v, convergence %v, recover %v: %v", tc.fail, tc.conv, tc.recover, err)
		}
	}
	// one leaf: nothing to reach
	c = DefaultConfig()
	c.Fabric = Fabric{Kind: FabricLeafSpine, Leaves: 1, Spines: 1, NodesPerLeaf: 2, UplinkGbps: 10, BufferBytes: 1 << 20, Failed: []FabricLink{L(0, 0)}}
	if err := c.Validate(); err != nil {
		t.Errorf("one leaf: %v", err)
	}
}

// TestParseFabricLinks: both spellings of a link, separators, and
// refusals.
func TestParseFabricLinks(t *testing.T) {
	got, err := ParseFabricLinks("leaf0.spine1, spine2.leaf3\tleaf10.spine0")
	if err != nil || !reflect.DeepEqual(got, []FabricLink{{0, 1}, {3, 2}, {10, 0}}) {
		t.Errorf("got %v, %v", got, err)
	}
	if got, err := ParseFabricLinks(" , "); err != nil || got != nil {
		t.Errorf("empty: %v, %v", got, err)
	}
	for _, s := range []string{"leaf0", "leaf0.leaf1", "spine0.spine1", "leaf-1.spine0", "leaf01.spine0", "leaf0.spine", "Leaf0.spine1", "leaf0.spine1.x"} {
		if _, err := ParseFabricLinks(s); err == nil || !strings.Contains(err.Error(), "want leafL.spineS or spineS.leafL") {
			t.Errorf("%q: %v", s, err)
		}
	}
}

// FuzzParseFabricLinks: any text parses or is refused; what parses names
// its links back as they were written (in the leaf-first spelling).
func FuzzParseFabricLinks(f *testing.F) {
	for _, s := range []string{"", "leaf0.spine1", "spine1.leaf0,leaf2.spine3", "leaf0.spine", ",,", "leaf999999999.spine0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		links, err := ParseFabricLinks(s)
		if err != nil {
			return
		}
		var names []string
		for _, l := range links {
			if l.Leaf < 0 || l.Spine < 0 {
				t.Fatalf("%q: %v", s, l)
			}
			names = append(names, l.String())
		}
		again, err := ParseFabricLinks(strings.Join(names, ","))
		if err != nil || !reflect.DeepEqual(again, links) {
			t.Errorf("%q: %v, then %v, %v", s, links, again, err)
		}
	})
}

// pacer sends packet number arg on each of its routes, now.
type pacer struct {
	n      *Network
	routes []*Route
}

// pace schedules count sends, one every gap from 0, of a packet on each
// of routes (Seq: the send's number).
func pace(e *sim.Engine, n *Network, count int64, gap sim.Time, routes ...*Route) {
	src := &pacer{n: n, routes: routes}
	for i := int64(0); i < count; i++ {
		e.Schedule(sim.Time(i)*gap, src, uint64(i))
	}
}

func (s *pacer) Handle(e *sim.Engine, arg uint64) {
	for _, r := range s.routes {
		p := s.n.Alloc()
		p.IPBytes, p.Seq = 1000, int64(arg)
		s.n.Send(r, p, 0, e.Now())
	}
}

// seqSink records the Seq of every packet delivered.
type seqSink struct {
	n   *Network
	got map[int64]bool
}

func (s *seqSink) Deliver(p *Packet, at sim.Time) {
	s.got[p.Seq] = true
	s.n.Free(p)
}

// TestTimedFailure: the link leaf1-spine0 fails at T and the routes
// converge C later. A packet a microsecond, each way, on a route that
// hashed onto spine0 before: leaf1's own packets (whose uplink failed)
// move to spine1 at once, losing only those on or queued for the link
// when it failed; leaf0's (the remote leaf) go on to spine0, which drops
// them, until T + C, then move; everything else arrives, and the losses
// are DropLink and conserved.
func TestTimedFailure(t *testing.T) {
	const T, C, gap = 100 * sim.Microsecond, 50 * sim.Microsecond, sim.Microsecond
	c := DefaultConfig()
	c.Nodes, c.LinkGbps = 4, 100
	c.Fabric = Fabric{Kind: FabricLeafSpine, Leaves: 2, Spines: 2, NodesPerLeaf: 2, UplinkGbps: 100, BufferBytes: 1 << 20,
		Failed: []FabricLink{{Leaf: 1, Spine: 0}}, FailAt: T, Convergence: C}
	e, n := newNet(t, c)
	onSpine0 := func(src, dst int) (*Route, *seqSink) {
		for key := uint64(0); ; key++ {
			s := &seqSink{n: n, got: map[int64]bool{}}
			r, err := n.NewRoute(RouteSpec{Path: datapathtest.HostPath(1), Src: src, Dst: dst, FlowKey: key, To: s})
			if err != nil {
				t.Fatal(err)
			}
			if n.fab.ports[r.hops[0]].spine == 0 {
				return r, s
			}
		}
	}
	remote, rs := onSpine0(0, 2) // leaf0 -> leaf1
	local, ls := onSpine0(2, 0)  // leaf1 -> leaf0
	const end = 300 * sim.Microsecond
	count := int64(end / gap)
	pace(e, n, count, gap, remote, local)
	e.Run()
	if err := n.Conservation(); err != nil {
		t.Fatal(err)
	}
	// a packet sent at s is on its way for ~20 us (NIC, 4 links of 5 us,
	// serialisations): those sent within that of the failure may go
	// either way, the others as the routes said when they were sent
	const trip = 25 * sim.Microsecond
	lost := 0
	for i := int64(0); i < count; i++ {
		s := sim.Time(i) * gap
		for _, tc := range []struct {
			name string
			got  map[int64]bool
			lose bool // the rule away from the edges
		}{
			{"remote", rs.got, s > T && s < T+C-trip},
			{"local", ls.got, false},
		} {
			if !tc.got[i] {
				lost++
			}
			edge := (s > T-trip && s <= T) || (tc.name == "remote" && s >= T+C-trip && s <= T+C)
			if !edge && tc.got[i] == tc.lose {
				t.Errorf("%s: packet sent at %v delivered %v", tc.name, s, tc.got[i])
			}
		}
	}
	st := n.Stats()
	if st.DropLink != uint64(lost) || st.Drops != st.DropLink {
		t.Errorf("lost %d, DropLink %d, Drops %d", lost, st.DropLink, st.Drops)
	}
	// the remote leaf lost its C of packets, near enough; the local one a few
	if l := len(rs.got); int64(l) > count-int64((C-trip)/gap) || int64(l) < count-int64((C+trip)/gap) {
		t.Errorf("remote: %d of %d delivered", l, count)
	}
	if l := len(ls.got); int64(l) < count-int64(trip/gap) {
		t.Errorf("local: %d of %d delivered", l, count)
	}
	t.Logf("remote delivered %d of %d, local %d; DropLink %d", len(rs.got), count, len(ls.got), st.DropLink)
	if got := n.fab.ports[remote.hops[0]].spine; got != 1 {
		t.Errorf("remote route now on spine %d", got)
	}
}

// TestRecovery: the link leaf1-spine0 fails at T and comes back at R,
// the routes converging C after each. A packet a microsecond, each way, on
// a route through spine0: the remote leaf loses its packets for C after
// T, as without recovery; nothing is lost around R; from R+C both routes
// are on spine0 again (plain hashing), and the recovered link carries
// their packets.
func TestRecovery(t *testing.T) {
	const T, C, R, gap = 100 * sim.Microsecond, 50 * sim.Microsecond, 200 * sim.Microsecond, sim.Microsecond
	c := DefaultConfig()
	c.Nodes, c.LinkGbps = 4, 100
	c.Fabric = Fabric{Kind: FabricLeafSpine, Leaves: 2, Spines: 2, NodesPerLeaf: 2, UplinkGbps: 100, BufferBytes: 1 << 20,
		Failed: []FabricLink{{Leaf: 1, Spine: 0}}, FailAt: T, Convergence: C, RecoverAt: R}
	e, n := newNet(t, c)
	remote, rs := onSpine(t, n, 0, 2, 0) // leaf0 -> leaf1
	local, ls := onSpine(t, n, 2, 0, 0)  // leaf1 -> leaf0
	const end = 400 * sim.Microsecond
	count := int64(end / gap)
	pace(e, n, count, gap, remote, local)
	var mid [2]int        // the routes' spines between R and R+C
	var sentMid [2]uint64 // and what the recovered link had sent, each way
	link := n.fab.linkPorts(FabricLink{1, 0})
	e.Schedule(R+C/2, sim.HandlerFunc(func(*sim.Engine, uint64) {
		mid = [2]int{int(n.fab.ports[remote.hops[0]].spine), int(n.fab.ports[local.hops[0]].spine)}
		sentMid = [2]uint64{n.fab.ports[link[0]].out, n.fab.ports[link[1]].out}
	}), 0)
	e.Run()
	if err := n.Conservation(); err != nil {
		t.Fatal(err)
	}
	const trip = 25 * sim.Microsecond
	for i := int64(0); i < count; i++ {
		s := sim.Time(i) * gap
		inHole := s > T && s < T+C-trip // sent to spine0, which lost its link to leaf1
		if edge := s > T-trip && s <= T || s >= T+C-trip && s <= T+C; !edge && rs.got[i] == inHole {
			t.Errorf("remote: packet sent at %v delivered %v", s, rs.got[i])
		}
		if s > T && !ls.got[i] {
			t.Errorf("local: packet sent at %v lost", s)
		}
	}
	if mid != [2]int{1, 1} {
		t.Errorf("between recovery and convergence the routes are on spines %v, want [1 1]", mid)
	}
	for _, r := range []*Route{remote, local} {
		if got := n.fab.ports[r.hops[0]].spine; got != 0 {
			t.Errorf("route %d->%d on spine %d after reconvergence, want 0", r.src, r.dst, got)
		}
	}
	// the recovered link carried the packets sent from R+C on, each way
	want := uint64((end - (R + C)) / gap)
	for k, i := range link {
		if pt := &n.fab.ports[i]; pt.out-sentMid[k] < want-1 || pt.out-sentMid[k] > want+1 || pt.failed {
			t.Errorf("port %s: sent %d after recovery, want %d (failed %v)", n.fab.portName(i), pt.out-sentMid[k], want, pt.failed)
		}
	}
	st := n.Stats()
	t.Logf("remote delivered %d of %d, local %d; DropLink %d", len(rs.got), count, len(ls.got), st.DropLink)
}

// TestRecoveryFromStart: a link down from the start (a spine back from
// maintenance) comes up at R: nothing is lost at any time, the routes
// avoid it until R+C and use it from then on, and its ports are not
// reported failed.
func TestRecoveryFromStart(t *testing.T) {
	const C, R, gap = 50 * sim.Microsecond, 100 * sim.Microsecond, sim.Microsecond
	c := DefaultConfig()
	c.Nodes, c.LinkGbps = 4, 100
	c.Fabric = Fabric{Kind: FabricLeafSpine, Leaves: 2, Spines: 2, NodesPerLeaf: 2, UplinkGbps: 100, BufferBytes: 1 << 20,
		Failed: []FabricLink{{Leaf: 1, Spine: 0}}, Convergence: C, RecoverAt: R}
	e, n := newNet(t, c)
	remote, rs := onSpine(t, n, 0, 2, 1) // leaf0 -> leaf1, on spine 1 while spine 0 cannot reach leaf1
	var others []*Route
	for key := uint64(100); key < 116; key++ {
		r, err := n.NewRoute(RouteSpec{Path: datapathtest.HostPath(1), Src: 0, Dst: 2, FlowKey: key, To: rs})
		if err != nil {
			t.Fatal(err)
		}
		if n.fab.ports[r.hops[0]].spine != 1 {
			t.Fatalf("key %d on spine %d while spine 0 cannot reach leaf1", key, n.fab.ports[r.hops[0]].spine)
		}
		others = append(others, r)
	}
	const end = 300 * sim.Microsecond
	count := int64(end / gap)
	pace(e, n, count, gap, remote)
	e.Run()
	if err := n.Conservation(); err != nil {
		t.Fatal(err)
	}
	if st := n.Stats(); len(rs.got) != int(count) || st.Drops != 0 {
		t.Errorf("delivered %d of %d, %d drops", len(rs.got), count, st.Drops)
	}
	// plain hashing over two live spines again: routes made while the
	// link was down, all on spine 1 then, spread over both
	onZero := 0
	for _, r := range others {
		if n.fab.ports[r.hops[0]].spine == 0 {
			onZero++
		}
	}
	if onZero == 0 || onZero == len(others) {
		t.Errorf("after recovery %d of %d routes on spine 0, want some", onZero, len(others))
	}
	for _, ps := range n.Stats().Ports {
		if ps.Failed {
			t.Errorf("port %s reported failed after its recovery", ps.Name)
		}
	}
}

// TestFlaps: the link leaf1-spine0 fails at T, comes back at R and does
// it again every P (Fabric.FlapEvery), the routes converging C after each
// change. A packet a microsecond on a route from leaf 0 through spine 0:
// in each cycle the packets sent into the hole before the convergence are
// lost and none other, and at the end the route is on spine 0 again.
// With P too short for a cycle's routes to come back first, the fabric
// is refused.
func TestFlaps(t *testing.T) {
	const T, C, R, P, gap = 100 * sim.Microsecond, 50 * sim.Microsecond, 200 * sim.Microsecond, 250 * sim.Microsecond, sim.Microsecond
	c := DefaultConfig()
	c.Nodes, c.LinkGbps = 4, 100
	c.Fabric = Fabric{Kind: FabricLeafSpine, Leaves: 2, Spines: 2, NodesPerLeaf: 2, UplinkGbps: 100, BufferBytes: 1 << 20,
		Failed: []FabricLink{{Leaf: 1, Spine: 0}}, FailAt: T, Convergence: C, RecoverAt: R, FlapEvery: P}
	e, n := newNet(t, c)
	remote, rs := onSpine(t, n, 0, 2, 0) // leaf0 -> leaf1
	const end = 800 * sim.Microsecond    // failures at 100, 350 and 600 us
	count := int64(end / gap)
	pace(e, n, count, gap, remote)
	e.RunUntil(end + 40*sim.Microsecond) // before the fourth failure (flaps never stop: Run would not return)
	if err := n.Conservation(); err != nil {
		t.Fatal(err)
	}
	const trip = 25 * sim.Microsecond
	lost := 0
	for i := int64(0); i < count; i++ {
		s := sim.Time(i) * gap
		inHole, edge := false, false
		for k := sim.Time(0); k < 3; k++ {
			f := T + k*P
			inHole = inHole || s > f && s < f+C-trip
			edge = edge || s > f-trip && s <= f || s >= f+C-trip && s <= f+C
		}
		if !rs.got[i] {
			lost++
		}
		if !edge && rs.got[i] == inHole {
			t.Errorf("packet sent at %v delivered %v", s, rs.got[i])
		}
	}
	if want := 3 * int((C-trip)/gap); lost < want || lost > want+3*int(2*trip/gap) {
		t.Errorf("%d packets lost, want about %d (three holes)", lost, want)
	}
	if got := n.fab.ports[remote.hops[0]].spine; got != 0 {
		t.Errorf("route on spine %d after the last recovery, want 0", got)
	}
	c.Fabric.FlapEvery = R + C - T
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "network.Fabric.FlapEvery") {
		t.Errorf("FlapEvery = R + C - T: err %v, want it refused", err)
	}
}

// onSpine returns a route from src to dst hashed onto spine s, and its sink.
func onSpine(t *testing.T, n *Network, src, dst int, s int32) (*Route, *seqSink) {
	t.Helper()
	for key := uint64(0); ; key++ {
		sink := &seqSink{n: n, got: map[int64]bool{}}
		r, err := n.NewRoute(RouteSpec{Path: datapathtest.HostPath(1), Src: src, Dst: dst, FlowKey: key, To: sink})
		if err != nil {
			t.Fatal(err)
		}
		if n.fab.ports[r.hops[0]].spine == s {
			return r, sink
		}
	}
}

// TestSlowLinks: the parser's spellings and refusals, and the checks.
func TestSlowLinks(t *testing.T) {
	got, err := ParseSlowLinks("leaf0.spine1=10, spine2.leaf3=2.5")
	want := []SlowLink{{FabricLink{0, 1}, 10}, {FabricLink{3, 2}, 2.5}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, %v", got, err)
	}
	for _, tc := range []struct{ in, want string }{
		{"leaf0.spine1", "want a link and its rate in Gbit/s"},
		{"leaf0.spine1=0", "must be a number of Gbit/s > 0"},
		{"leaf0.spine1=fast", "must be a number of Gbit/s > 0"},
		{"leaf0.spine1=Inf", "must be a number of Gbit/s > 0"},
		{"leaf0=10", "want leafL.spineS or spineS.leafL"},
	} {
		if _, err := ParseSlowLinks(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.in, err, tc.want)
		}
	}
	c := failedConfig()
	for _, tc := range []struct {
		slow []SlowLink
		want string
	}{
		{[]SlowLink{{FabricLink{4, 0}, 1}}, "no leaf 4"},
		{[]SlowLink{{FabricLink{1, 0}, 1}, {FabricLink{1, 0}, 2}}, "leaf1.spine0 is slow twice"},
		{[]SlowLink{{FabricLink{0, 2}, 1}}, "leaf0.spine2 is failed too"},
		{[]SlowLink{{FabricLink{1, 0}, -1}}, "must be > 0"},
	} {
		c.Fabric.Slow = tc.slow
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "network.Fabric.Slow") {
			t.Errorf("%v: %v, want %q", tc.slow, err, tc.want)
		}
	}
}

// FuzzParseSlowLinks: any text parses or is refused; what parses writes
// back to itself.
func FuzzParseSlowLinks(f *testing.F) {
	for _, s := range []string{"", "leaf0.spine1=10", "spine1.leaf0=2.5,leaf2.spine3=1e-3", "leaf0.spine1=", "=5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		links, err := ParseSlowLinks(s)
		if err != nil {
			return
		}
		var names []string
		for _, l := range links {
			if !(l.Gbps > 0) || l.Leaf < 0 || l.Spine < 0 {
				t.Fatalf("%q: %v", s, l)
			}
			names = append(names, l.String())
		}
		again, err := ParseSlowLinks(strings.Join(names, ","))
		if err != nil || !reflect.DeepEqual(again, links) {
			t.Errorf("%q: %v, then %v, %v", s, links, again, err)
		}
	})
}

// TestResilientECMP: when spine 1 of 4 fails mid-run, resilient hashing
// keeps every flow of the other spines where it was and spreads spine
// 1's over the three left (chi-square); plain hashing moves most flows.
func TestResilientECMP(t *testing.T) {
	const K = 3000
	for _, resilient := range []bool{true, false} {
		c := DefaultConfig()
		c.Nodes = 4
		c.Fabric = Fabric{Kind: FabricLeafSpine, Leaves: 2, Spines: 4, NodesPerLeaf: 2, UplinkGbps: 10, BufferBytes: 1 << 20,
			Failed: []FabricLink{{0, 1}, {1, 1}}, FailAt: sim.Microsecond, Resilient: resilient}
		e, n := newNet(t, c)
		spine := func(r *Route) int { return int(n.fab.ports[r.hops[0]].spine) }
		rng := rand.New(rand.NewPCG(5, 5))
		routes := make([]*Route, K)
		before := make([]int, K)
		for i := range routes {
			routes[i], _ = route(t, n, datapathtest.HostPath(1), rng.IntN(2), 2+rng.IntN(2), rng.Uint64())
			before[i] = spine(routes[i])
		}
		e.Run() // the failure
		moved, kept := map[int]int{}, 0
		for i, r := range routes {
			s := spine(r)
			if s == 1 {
				t.Fatalf("resilient=%v: a route still on the failed spine", resilient)
			}
			switch {
			case before[i] == 1:
				moved[s]++
			case s == before[i]:
				kept++
			}
		}
		others := K - (moved[0] + moved[2] + moved[3])
		t.Logf("resilient=%v: %d of %d flows off spine 1 kept their spine; spine 1's went to %v", resilient, kept, others, moved)
		if resilient {
			if kept != others {
				t.Errorf("resilient: %d of %d flows of live spines moved", others-kept, others)
			}
			n1 := float64(moved[0] + moved[2] + moved[3])
			chi := 0.0
			for _, s := range []int{0, 2, 3} {
				d := float64(moved[s]) - n1/3
				chi += d * d / (n1 / 3)
			}
			if chi > 13.8 { // chi-square(2) at 0.001
				t.Errorf("resilient: spine 1's flows spread %v (chi-square %.1f)", moved, chi)
			}
		} else if float64(kept) > 0.5*float64(others) {
			t.Errorf("plain: %d of %d flows kept their spine, want about a third", kept, others)
		}
	}
}

// TestLossyLink: a link losing each frame with probability p drops a
// binomial share of the frames crossing it, both ways (within 4 standard
// deviations), counted as DropCorrupt and conserved; the same seed loses
// the same frames, another seed others.
func TestLossyLink(t *testing.T) {
	const K, p = 20000, 0.05
	lost := func(seed uint64) (uint64, uint64) {
		c := DefaultConfig()
		c.Nodes, c.LinkGbps = 4, 100
		c.Streams = sim.Streams{Seed: seed}
		c.Fabric = Fabric{Kind: FabricLeafSpine, Leaves: 2, Spines: 1, NodesPerLeaf: 2, UplinkGbps: 100, BufferBytes: 1 << 30,
			Lossy: []LossyLink{{FabricLink{0, 0}, p}}}
		e, n := newNet(t, c)
		there, s1 := route(t, n, datapathtest.HostPath(1), 0, 2, 1) // leaf0 -> spine0: lossy uplink
		back, s2 := route(t, n, datapathtest.HostPath(1), 2, 0, 2)  // spine0 -> leaf0: the same link
		pace(e, n, K, sim.Microsecond, there, back)
		e.Run()
		if err := n.Conservation(); err != nil {
			t.Fatal(err)
		}
		st := n.Stats()
		if st.DropCorrupt != uint64(2*K-s1.got-s2.got) || st.Drops != st.DropCorrupt {
			t.Errorf("seed %d: DropCorrupt %d, Drops %d, lost %d", seed, st.DropCorrupt, st.Drops, 2*K-s1.got-s2.got)
		}
		// a lost frame took its link's time: both ends sent all K
		for _, ps := range st.Ports {
			if (ps.Name == "leaf0.spine0" || ps.Name == "spine0.leaf0") && ps.Frames != K {
				t.Errorf("seed %d: %s sent %d frames, want %d", seed, ps.Name, ps.Frames, K)
			}
		}
		return uint64(K - s1.got), uint64(K - s2.got)
	}
	sd := math.Sqrt(K * p * (1 - p))
	a1, a2 := lost(1)
	for _, l := range []uint64{a1, a2} {
		if math.Abs(float64(l)-K*p) > 4*sd {
			t.Errorf("lost %d of %d, want %.0f +- %.0f", l, K, K*p, 4*sd)
		}
	}
	if b1, b2 := lost(1); b1 != a1 || b2 != a2 {
		t.Errorf("seed 1 twice: %d,%d then %d,%d", a1, a2, b1, b2)
	}
	if c1, c2 := lost(2); c1 == a1 && c2 == a2 {
		t.Error("seed 2 lost exactly what seed 1 did")
	}
}

// FuzzParseLossyLinks: any text parses or is refused; what parses has
// probabilities in (0, 1) and writes back to itself.
func FuzzParseLossyLinks(f *testing.F) {
	for _, s := range []string{"", "leaf0.spine1=0.001", "spine1.leaf0=0.5,leaf2.spine3=1e-9", "leaf0.spine1=1", "leaf0.spine1=-0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		links, err := ParseLossyLinks(s)
		if err != nil {
			return
		}
		var names []string
		for _, l := range links {
			if !(l.Loss > 0 && l.Loss < 1) || l.Leaf < 0 || l.Spine < 0 {
				t.Fatalf("%q: %v", s, l)
			}
			names = append(names, l.String())
		}
		again, err := ParseLossyLinks(strings.Join(names, ","))
		if err != nil || !reflect.DeepEqual(again, links) {
			t.Errorf("%q: %v, then %v, %v", s, links, again, err)
		}
	})
}
