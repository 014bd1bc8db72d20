package scenario

import (
	"reflect"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// Every bad [fabric] value is refused with the file, the line, the key,
// the value and what is allowed.
func TestBadFabric(t *testing.T) {
	ls := "[fabric]\nkind = \"leaf-spine\"\n"
	for _, c := range []struct {
		name, src string
		want      []string
	}{
		{"kind", "[fabric]\nkind = \"clos\"\n", []string{"f.toml:2:", `fabric.kind = "clos"`, "allowed: none, switch, leaf-spine"}},
		{"buffer", "[fabric]\nbuffer = \"drr\"\n", []string{"f.toml:2:", `fabric.buffer = "drr"`, "allowed: dynamic, shared, per-port"}},
		{"alpha", "[fabric]\nbuffer_alpha = 0\n", []string{"f.toml:2:", "fabric.buffer_alpha = 0", "0.015625..64"}},
		{"leaves", "[fabric]\nleaves = 0\n", []string{"f.toml:2:", "fabric.leaves = 0", "1..10000"}},
		{"spines", "[fabric]\nspines = 10001\n", []string{"f.toml:2:", "fabric.spines = 10001", "1..10000"}},
		{"per_hop", "[fabric]\nper_hop = \"-1us\"\n", []string{"f.toml:2:", "fabric.per_hop", ">= 0"}},
		{"uplink", "[fabric]\nuplink_gbps = -1\n", []string{"f.toml:2:", "fabric.uplink_gbps = -1", "0.001..100000"}},
		{"oversub", "[fabric]\noversubscription = 0.001\n", []string{"f.toml:2:", "fabric.oversubscription = 0.001", "0.01..1000"}},
		{"buffer bytes", "[fabric]\nbuffer_bytes = 0\n", []string{"f.toml:2:", "fabric.buffer_bytes = 0", "1..1099511627776"}},
		{"small buffer", "[fabric]\nkind = \"switch\"\nbuffer_bytes = 1000\n", []string{"f.toml:3:", "fabric.buffer_bytes = 1000", "full-sized frame of 1538 bytes"}},
		{"small per-port", "[fabric]\nkind = \"switch\"\nbuffer = \"per-port\"\nbuffer_bytes = 2000\n", []string{"fabric.buffer_bytes = 2000", "2 ports"}},
		{"both", ls + "uplink_gbps = 40\noversubscription = 3.0\n", []string{"f.toml:4:", "fabric.oversubscription", "not both"}},
		{"nodes", "[cluster]\nnodes = 10\n" + ls + "leaves = 3\n", []string{"f.toml:2:", "cluster.nodes = 10", "multiple of fabric.leaves (3)"}},
		{"nodes per leaf", "[cluster]\nnodes = 10\n" + ls + "leaves = 3\nnodes_per_leaf = 4\n", []string{"cluster.nodes = 10", "3 x 4 = 12"}},
		{"ports", "[cluster]\nnodes = 10000\n" + ls + "leaves = 10000\nspines = 10\n", []string{"fabric.spines = 10", "210000 switch ports", "up to 100000"}},
		{"unknown", "[fabric]\nspine = 3\n", []string{"f.toml:2:", "fabric.spine", "allowed in [fabric]: kind, leaves, spines, nodes_per_leaf, uplink_gbps, oversubscription, per_hop, buffer_bytes, buffer, buffer_alpha"}},
		{"failed spines", ls + "failed_spines = 2\n", []string{"f.toml:3:", "fabric.failed_spines = 2", "below fabric.spines (2)"}},
		{"failed spines range", "[fabric]\nfailed_spines = -1\n", []string{"f.toml:2:", "fabric.failed_spines = -1", "0..10000"}},
		{"failed link name", ls + "failed_links = \"leaf0-spine1\"\n", []string{"f.toml:3:", "fabric.failed_links", `link "leaf0-spine1": want leafL.spineS or spineS.leafL`}},
		{"failed link range", ls + "failed_links = \"leaf0.spine2\"\n", []string{"f.toml:3:", "no spine 2 (spines 0..1)"}},
		{"failed link twice", ls + "failed_links = \"leaf0.spine1 spine1.leaf0\"\n", []string{"f.toml:3:", "leaf0.spine1 is down twice"}},
		{"failed link on spine", ls + "failed_spines = 1\nfailed_links = \"leaf1.spine1\"\n", []string{"f.toml:4:", "leaf1.spine1 is a link of spine 1, which fabric.failed_spines = 1 already takes down"}},
		{"fail_at", "duration = \"2s\"\n" + ls + "failed_spines = 1\nfail_at = \"2s\"\n", []string{"f.toml:5:", "fabric.fail_at", "before the end of the run (duration = 2s)"}},
		{"convergence", "[fabric]\nconvergence = \"-1ms\"\n", []string{"f.toml:2:", "fabric.convergence", ">= 0"}},
		{"recover_at early", ls + "failed_spines = 1\nfail_at = \"10ms\"\nconvergence = \"5ms\"\nrecover_at = \"15ms\"\n", []string{"f.toml:6:", "fabric.recover_at", "later than fail_at + convergence = 15ms"}},
		{"flap_every alone", ls + "failed_spines = 1\nflap_every = \"30ms\"\n", []string{"f.toml:4:", "fabric.flap_every", "needs fabric.fail_at > 0 and fabric.recover_at > 0"}},
		{"flap_every short", ls + "failed_spines = 1\nfail_at = \"10ms\"\nconvergence = \"5ms\"\nrecover_at = \"20ms\"\nflap_every = \"15ms\"\n", []string{"f.toml:7:", "fabric.flap_every", "longer than recover_at + convergence - fail_at = 15ms"}},
		{"ecn ramp below", "[fabric]\necn_threshold_bytes = 50000\necn_max_bytes = 50000\n", []string{"f.toml:3:", "fabric.ecn_max_bytes", "above fabric.ecn_threshold_bytes = 50000"}},
		{"ecn ramp range", "[fabric]\necn_max_bytes = 13000000\n", []string{"f.toml:2:", "fabric.ecn_max_bytes = 13000000", "0..12000000"}},
		{"ecn probability", "[fabric]\necn_threshold_bytes = 50000\necn_max_bytes = 90000\necn_max_probability = 5\n", []string{"f.toml:4:", "fabric.ecn_max_probability = 5", "0.0001..1"}},
		{"drop_not_ect alone", "[fabric]\ndrop_not_ect = true\n", []string{"f.toml:2:", "fabric.drop_not_ect", "needs fabric.ecn_threshold_bytes > 0"}},
		{"slow link", ls + "slow_links = \"leaf0.spine1\"\n", []string{"f.toml:3:", "fabric.slow_links", "want a link and its rate"}},
		{"slow link failed", ls + "failed_links = \"leaf0.spine1\"\nslow_links = \"spine1.leaf0=1\"\n", []string{"f.toml:4:", "fabric.slow_links", "leaf0.spine1 is failed too"}},
		{"ecmp", "[fabric]\necmp = \"flowlet\"\n", []string{"f.toml:2:", `fabric.ecmp = "flowlet"`, "allowed: plain, resilient"}},
		{"lossy link", ls + "lossy_links = \"leaf0.spine1=1\"\n", []string{"f.toml:3:", "fabric.lossy_links", "must be a probability in (0, 1)"}},
		{"lossy link twice", ls + "lossy_links = \"leaf0.spine1=0.1 spine1.leaf0=0.2\"\n", []string{"f.toml:3:", "leaf0.spine1 is lossy twice"}},
		{"partitioned", ls + "failed_spines = 1\nfailed_links = \"leaf1.spine0\"\n", []string{"f.toml:4:", "fabric.failed_links", "leaf 1 has no live link to any spine: the fabric is partitioned"}},
		{"sweep", "[sweep]\n\"fabric.kind\" = [\"switch\", \"ring\"]\n", []string{"f.toml:2:", `fabric.kind = "ring"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load("f.toml", []byte(c.src), Options{})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestFabricConfig: the table as the network takes it, the uplink rate
// derived from the oversubscription (closed form), the statistics from
// the warm-up on.
func TestFabricConfig(t *testing.T) {
	for _, c := range []struct {
		name, src string
		want      network.Fabric
	}{
		{"default", "", network.Fabric{}},
		{"switch", "[fabric]\nkind = \"switch\"\nper_hop = \"1us\"\nbuffer = \"per-port\"\n",
			network.Fabric{Kind: network.FabricSwitch, PerHop: sim.Microsecond, BufferBytes: 12_000_000, PerPort: true, StatsFrom: sim.Second}},
		// 64 nodes of 25 GbE on 4 leaves, 4 spines, 3:1: 16 x 25 / (4 x 3)
		{"oversubscribed", "[cluster]\nnodes = 64\nlink_gbps = 25\n[fabric]\nkind = \"leaf-spine\"\nleaves = 4\nspines = 4\noversubscription = 3.0\n",
			network.Fabric{Kind: network.FabricLeafSpine, Leaves: 4, Spines: 4, NodesPerLeaf: 16, UplinkGbps: 16 * 25.0 / 12, BufferBytes: 12_000_000, Alpha: 1, StatsFrom: sim.Second}},
		{"non-blocking", "[cluster]\nnodes = 8\n[fabric]\nkind = \"leaf-spine\"\nnodes_per_leaf = 4\n",
			network.Fabric{Kind: network.FabricLeafSpine, Leaves: 2, Spines: 2, NodesPerLeaf: 4, UplinkGbps: 20, BufferBytes: 12_000_000, Alpha: 1, StatsFrom: sim.Second}},
		{"uplink", "[cluster]\nnodes = 8\n[fabric]\nkind = \"leaf-spine\"\nuplink_gbps = 40\n",
			network.Fabric{Kind: network.FabricLeafSpine, Leaves: 2, Spines: 2, NodesPerLeaf: 4, UplinkGbps: 40, BufferBytes: 12_000_000, Alpha: 1, StatsFrom: sim.Second}},
		// the last spine's links, then the named ones (both spellings)
		{"failed", "[cluster]\nnodes = 12\n[fabric]\nkind = \"leaf-spine\"\nleaves = 3\nspines = 4\nfailed_spines = 1\nfailed_links = \"leaf0.spine1, spine2.leaf1\"\nfail_at = \"1.5s\"\nconvergence = \"300ms\"\nslow_links = \"leaf2.spine0=2.5\"\n",
			network.Fabric{Kind: network.FabricLeafSpine, Leaves: 3, Spines: 4, NodesPerLeaf: 4, UplinkGbps: 10, BufferBytes: 12_000_000, Alpha: 1, StatsFrom: sim.Second,
				FailAt: 1500 * sim.Millisecond, Convergence: 300 * sim.Millisecond,
				Slow:   []network.SlowLink{{FabricLink: network.FabricLink{Leaf: 2, Spine: 0}, Gbps: 2.5}},
				Failed: []network.FabricLink{{Leaf: 0, Spine: 3}, {Leaf: 1, Spine: 3}, {Leaf: 2, Spine: 3}, {Leaf: 0, Spine: 1}, {Leaf: 1, Spine: 2}}}},
		// a WRED ramp with early drops; the probability is passed only with a ramp
		{"ramp", "[fabric]\nkind = \"switch\"\necn_threshold_bytes = 30000\necn_max_bytes = 90000\necn_max_probability = 0.05\ndrop_not_ect = true\n",
			network.Fabric{Kind: network.FabricSwitch, BufferBytes: 12_000_000, Alpha: 1, StatsFrom: sim.Second,
				ECNThreshold: 30_000, ECNMax: 90_000, ECNMaxProb: 0.05, DropNotECT: true}},
		{"step", "[fabric]\nkind = \"switch\"\necn_threshold_bytes = 30000\necn_max_probability = 0.05\n",
			network.Fabric{Kind: network.FabricSwitch, BufferBytes: 12_000_000, Alpha: 1, StatsFrom: sim.Second, ECNThreshold: 30_000}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := Load("f.toml", []byte(c.src), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Base.FabricConfig(); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
}
