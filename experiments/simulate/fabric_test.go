package simulate

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/experiments/results"
)

// TestFabricScenario: [fabric] reaches the network. One stream through a
// ToR: the node-facing port toward the server carries the data at the
// rate the stream gets (utilisation x link = goodput x wire/payload),
// drops nothing with the default buffer, and per-port members appear;
// kind none reports no port metrics, and the switch leaves the goodput
// of a link-bound stream where it was (store and forward adds latency,
// not a bottleneck).
func TestFabricScenario(t *testing.T) {
	src := `name = "fab"
replications = 1
duration = "60ms"
warmup = "20ms"
[cluster]
cpu_jitter = 0
[cni]
plugin = "calico"
mode = "native"
`
	none, err := Run(context.Background(), loadScenario(t, src), 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := none.Groups[results.PortDrops]; ok {
		t.Error("kind none reports port metrics")
	}
	sw, err := Run(context.Background(), loadScenario(t, src+"[fabric]\nkind = \"switch\"\nper_hop = \"1us\"\n"), 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	g := sw.Groups
	if g[results.PortDrops]["all"] != 0 || g[results.PortDrops]["tor.node1"] != 0 {
		t.Errorf("drops %v", g[results.PortDrops])
	}
	u := g[results.PortUtilisation]
	// toward the server: data frames (1500 + 38 bytes on the wire for
	// 1448 of payload); toward the client: ACKs only
	thr := sw.Scalars[results.ThroughputMbps]
	if want := thr * 1538 / 1448 / 10_000; math.Abs(u["tor.node1"]-want) > 0.02 {
		t.Errorf("utilisation toward the server %.3f, want %.3f from the goodput", u["tor.node1"], want)
	}
	if u["tor.node0"] > 0.1 || u["to_node_max"] != u["tor.node1"] {
		t.Errorf("utilisation %v", u)
	}
	if q := g[results.PortQueueBytes]; q["tor.node1_max"] <= 0 || q["all_max"] != q["tor.node1_max"] {
		t.Errorf("queue %v", q)
	}
	if d := thr/none.Scalars[results.ThroughputMbps] - 1; math.Abs(d) > 0.02 {
		t.Errorf("a ToR changes one stream's goodput by %.1f%%", d*100)
	}
}

// TestFabricWarnings: [fabric] keys the kind ignores are reported.
func TestFabricWarnings(t *testing.T) {
	base := "name = \"w\"\n[fabric]\n"
	for _, c := range []struct{ src, want string }{
		{"spines = 4\n", "fabric.spines has no effect with fabric.kind = none (it applies to leaf-spine)"},
		{"per_hop = \"1us\"\n", "fabric.per_hop has no effect with fabric.kind = none (it applies to switch, leaf-spine)"},
		{"kind = \"switch\"\noversubscription = 3.0\n", "fabric.oversubscription has no effect with fabric.kind = switch (it applies to leaf-spine)"},
		{"kind = \"leaf-spine\"\nspines = 4\nper_hop = \"1us\"\n", ""},
	} {
		got := strings.Join(Warnings(loadScenario(t, base+c.src)), "\n")
		if got != c.want {
			t.Errorf("%q: warnings %q, want %q", c.src, got, c.want)
		}
	}
}
