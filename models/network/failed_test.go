package network

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/models/datapath/datapathtest"
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
