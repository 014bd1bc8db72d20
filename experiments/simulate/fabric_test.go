package simulate

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/models/network"
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
	base := "name = \"w\"\nduration = \"2s\"\n[fabric]\n"
	for _, c := range []struct{ src, want string }{
		{"spines = 4\n", "fabric.spines has no effect with fabric.kind = none (it applies to leaf-spine)"},
		{"per_hop = \"1us\"\n", "fabric.per_hop has no effect with fabric.kind = none (it applies to switch, leaf-spine)"},
		{"kind = \"switch\"\noversubscription = 3.0\n", "fabric.oversubscription has no effect with fabric.kind = switch (it applies to leaf-spine)"},
		{"kind = \"leaf-spine\"\nspines = 4\nper_hop = \"1us\"\n", ""},
		{"kind = \"leaf-spine\"\nrecover_at = \"1ms\"\n", "fabric.recover_at has no effect without fabric.failed_spines or fabric.failed_links"},
		{"kind = \"leaf-spine\"\nfailed_spines = 1\nrecover_at = \"3s\"\n",
			"fabric.recover_at = 3s has no effect: it is not before the end of the run (duration = 2s), so the links stay down"},
		{"kind = \"leaf-spine\"\nfailed_spines = 1\nrecover_at = \"1s\"\n", ""},
		{"drop_not_ect = true\necn_threshold_bytes = 1000\n", "fabric.ecn_threshold_bytes has no effect with fabric.kind = none (it applies to switch, leaf-spine)\n" +
			"fabric.drop_not_ect has no effect with fabric.kind = none (it applies to switch, leaf-spine)"},
		// not warned: a sweep over ecn_max_bytes has step points
		{"kind = \"switch\"\necn_threshold_bytes = 1000\necn_max_probability = 0.1\n", ""},
		{"kind = \"switch\"\necn_threshold_bytes = 1000\necn_max_bytes = 2000\necn_max_probability = 0.1\n", ""},
	} {
		got := strings.Join(Warnings(loadScenario(t, base+c.src)), "\n")
		if got != c.want {
			t.Errorf("%q: warnings %q, want %q", c.src, got, c.want)
		}
	}
}

// TestFillPorts: per-tier sums, maxima and means; per-port members only
// up to results.MaxPortMembers ports.
func TestFillPorts(t *testing.T) {
	var ports []network.PortStats
	for i := range 40 {
		tier := network.TierToNode
		if i >= 30 {
			tier = network.TierToSpine
		}
		ports = append(ports, network.PortStats{Name: fmt.Sprintf("p%d", i), Tier: tier, Drops: uint64(i),
			MaxQueueBytes: int64(100 * i), MeanQueueBytes: float64(i), Utilisation: float64(i) / 40})
	}
	var s run.Sample
	fillPorts(&s, ports, false)
	d, q, u := s.Groups[results.PortDrops], s.Groups[results.PortQueueBytes], s.Groups[results.PortUtilisation]
	want := map[string]float64{
		"drops all": 780, "drops to_node": 435, "drops to_spine": 345,
		"q to_node_max": 2900, "q to_spine_max": 3900, "q to_node_mean": 14.5, "q all_mean": 19.5,
		"u to_spine_max": 39.0 / 40, "u to_spine_mean": 34.5 / 40,
	}
	got := map[string]float64{
		"drops all": d["all"], "drops to_node": d["to_node"], "drops to_spine": d["to_spine"],
		"q to_node_max": q["to_node_max"], "q to_spine_max": q["to_spine_max"], "q to_node_mean": q["to_node_mean"], "q all_mean": q["all_mean"],
		"u to_spine_max": u["to_spine_max"], "u to_spine_mean": u["to_spine_mean"],
	}
	for k, w := range want {
		if math.Abs(got[k]-w) > 1e-9 {
			t.Errorf("%s = %g, want %g", k, got[k], w)
		}
	}
	if _, ok := d["p3"]; ok || len(d) != 3 {
		t.Errorf("40 ports: members %v, want the tiers only", d)
	}
	fillPorts(&s, ports[:4], false)
	if s.Groups[results.PortDrops]["p3"] != 3 {
		t.Error("4 ports: no per-port members")
	}
}

// incastSrc is the incast of four streams through a ToR of the ECN and
// RED tests, with the [fabric] lines and the [tcp] lines to add.
const incastSrc = `name = "incast"
replications = 1
duration = "50ms"
warmup = "10ms"
[cluster]
nodes = 5
cpu_jitter = 0
[fabric]
kind = "switch"
%s
[cni]
plugin = "calico"
mode = "native"
[tcp]
%s
[workload]
kind = "tcp_stream"
pattern = "incast"
incast_senders = 4
`

// TestECNScenario: tcp.congestion = "dctcp" and fabric.ecn_threshold_bytes
// reach the model: an incast of four DCTCP streams through a ToR whose
// ports mark above 100 kB keeps the queue toward the receiver near the
// threshold (no drops, port_ecn_marks counts the marks) and the RTT near
// the base one, where CUBIC, whose packets are not ECN-capable, is not
// marked and fills the buffer to drops; CUBIC with tcp.ecn (RFC 3168) is
// marked instead of dropped.
func TestECNScenario(t *testing.T) {
	t.Parallel()
	src := fmt.Sprintf(incastSrc, "ecn_threshold_bytes = 100_000", "congestion = \"%s\"\necn = %v")
	got := map[string]run.Sample{}
	for _, cc := range []string{"dctcp", "cubic", "cubic+ecn"} {
		name, ecn := strings.CutSuffix(cc, "+ecn")
		s, err := Run(context.Background(), loadScenario(t, fmt.Sprintf(src, name, ecn)), 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		got[cc] = s
	}
	d, c := got["dctcp"], got["cubic"]
	dq, cq := d.Groups[results.PortQueueBytes]["tor.node0_max"], c.Groups[results.PortQueueBytes]["tor.node0_max"]
	t.Logf("dctcp: %.0f Mbit/s, queue max %.0f B, %v marks, %v drops; cubic: %.0f Mbit/s, queue max %.0f B, %v drops",
		d.Scalars[results.ThroughputMbps], dq, d.Groups[results.PortECNMarks]["all"], d.Groups[results.PortDrops]["all"],
		c.Scalars[results.ThroughputMbps], cq, c.Groups[results.PortDrops]["all"])
	if d.Groups[results.PortECNMarks]["tor.node0"] == 0 || d.Groups[results.PortDrops]["all"] != 0 || dq > 100_000+10*1538 {
		t.Errorf("dctcp: marks %v, drops %v, queue max %v: want marks, no drops, the queue within 10 frames of the threshold",
			d.Groups[results.PortECNMarks], d.Groups[results.PortDrops]["all"], dq)
	}
	if c.Groups[results.PortECNMarks]["all"] != 0 || c.Groups[results.PortDrops]["all"] == 0 || cq < 1_000_000 {
		t.Errorf("cubic: marks %v, drops %v, queue max %v: want no marks, drops, a full buffer",
			c.Groups[results.PortECNMarks]["all"], c.Groups[results.PortDrops]["all"], cq)
	}
	e := got["cubic+ecn"]
	if e.Groups[results.PortECNMarks]["all"] == 0 || e.Groups[results.PortDrops]["all"] != 0 || e.Scalars[results.Retransmissions] != 0 {
		t.Errorf("cubic with tcp.ecn: marks %v, drops %v, retransmissions %v: want marks instead of drops",
			e.Groups[results.PortECNMarks]["all"], e.Groups[results.PortDrops]["all"], e.Scalars[results.Retransmissions])
	}
	if d.Scalars[results.ThroughputMbps] < 0.97*c.Scalars[results.ThroughputMbps] {
		t.Errorf("dctcp %.0f Mbit/s against cubic's %.0f: the short queue should not cost throughput", d.Scalars[results.ThroughputMbps], c.Scalars[results.ThroughputMbps])
	}
}

// TestREDScenario: the incast of TestECNScenario with CUBIC through a
// WRED ramp from 100 to 300 kB (10% at its top) whose ports drop the
// packets they cannot mark (fabric.drop_not_ect): every switch drop is
// early (port_early_drops = port_drops), the queue stays below the
// ramp's top plus a frame, and the throughput stays within 3% of
// drop-tail's; without drop_not_ect there is no port_early_drops.
func TestREDScenario(t *testing.T) {
	t.Parallel()
	red, err := Run(context.Background(), loadScenario(t, fmt.Sprintf(incastSrc, "ecn_threshold_bytes = 100_000\necn_max_bytes = 300_000\necn_max_probability = 0.1\ndrop_not_ect = true", "")), 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	tail, err := Run(context.Background(), loadScenario(t, fmt.Sprintf(incastSrc, "", "")), 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	early, drops := red.Groups[results.PortEarlyDrops], red.Groups[results.PortDrops]
	q := red.Groups[results.PortQueueBytes]["tor.node0_max"]
	t.Logf("red: %.0f Mbit/s, %v drops (%v early), queue max %.0f B; drop-tail: %.0f Mbit/s, %v drops, queue max %.0f B",
		red.Scalars[results.ThroughputMbps], drops["all"], early["all"], q,
		tail.Scalars[results.ThroughputMbps], tail.Groups[results.PortDrops]["all"], tail.Groups[results.PortQueueBytes]["tor.node0_max"])
	if early["all"] == 0 || early["all"] != drops["all"] || early["tor.node0"] != early["all"] {
		t.Errorf("early drops %v, drops %v: want every drop early, at the port toward the receiver", early, drops)
	}
	if q >= 300_000+1538 {
		t.Errorf("queue max %.0f bytes, want below the ramp's top plus a frame", q)
	}
	if r, d := red.Scalars[results.ThroughputMbps], tail.Scalars[results.ThroughputMbps]; r < 0.97*d {
		t.Errorf("throughput %.0f Mbit/s with early drops, %.0f with drop-tail", r, d)
	}
	if _, ok := tail.Groups[results.PortEarlyDrops]; ok {
		t.Error("port_early_drops reported without fabric.drop_not_ect")
	}
}

// TestECNThroughTunnels: a kernel tunnel carries the ECN field (RFC 6040)
// and a user-space one does not: DCTCP over Flannel VXLAN is marked and
// keeps the queue near the threshold, over Flannel UDP it is never marked
// and fills the buffer to drops (1 Gbit/s links, so that the user-space
// daemon's CPU does not limit the senders first).
func TestECNThroughTunnels(t *testing.T) {
	t.Parallel()
	src := `name = "ecn-tunnels"
replications = 1
duration = "50ms"
warmup = "10ms"
[cluster]
nodes = 5
link_gbps = 1
cpu_jitter = 0
[fabric]
kind = "switch"
ecn_threshold_bytes = 30_000
[cni]
plugin = "flannel"
mode = "%s"
[tcp]
congestion = "dctcp"
[workload]
kind = "tcp_stream"
pattern = "incast"
incast_senders = 4
`
	for _, tc := range []struct {
		mode   string
		marked bool
	}{{"vxlan", true}, {"udp", false}} {
		s, err := Run(context.Background(), loadScenario(t, fmt.Sprintf(src, tc.mode)), 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		marks, drops := s.Groups[results.PortECNMarks]["all"], s.Groups[results.PortDrops]["all"]
		q := s.Groups[results.PortQueueBytes]["tor.node0_max"]
		t.Logf("%s: %v marks, %v drops, queue max %v bytes", tc.mode, marks, drops, q)
		if tc.marked && (marks == 0 || drops != 0 || q > 30_000+10*1538) || !tc.marked && (marks != 0 || drops == 0) {
			t.Errorf("%s: %v marks, %v drops, queue max %v bytes: want marks and a short queue %v", tc.mode, marks, drops, q, tc.marked)
		}
	}
}

// TestFailedSpineScenario: fabric.failed_spines reaches the network, the
// failed links' ports carry nothing, and the tier groups average the live
// ports only (to_spine_mean is the live uplinks' mean).
func TestFailedSpineScenario(t *testing.T) {
	src := `name = "failed"
replications = 1
duration = "30ms"
warmup = "10ms"
[cluster]
nodes = 8
cpu_jitter = 0
[fabric]
kind = "leaf-spine"
leaves = 2
spines = 3
failed_spines = 1
failed_links = "leaf0.spine0"
[cni]
plugin = "calico"
mode = "native"
[workload]
kind = "tcp_stream"
pattern = "permutation"
`
	s, err := Run(context.Background(), loadScenario(t, src), 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	u := s.Groups[results.PortUtilisation]
	for _, p := range []string{"leaf0.spine0", "leaf0.spine2", "leaf1.spine2", "spine0.leaf0", "spine2.leaf0", "spine2.leaf1"} {
		if v, ok := u[p]; !ok || v != 0 {
			t.Errorf("%s: utilisation %v (present %v), want 0", p, v, ok)
		}
	}
	// leaf0 reaches leaf1 through spine1 alone; leaf1's uplinks are
	// spine0 and spine1 (spine0 reaches leaf0 no more: leaf1 uses it not)
	if u["leaf0.spine1"] < 0.5 || u["leaf1.spine1"] < 0.5 || u["leaf1.spine0"] != 0 {
		t.Errorf("live uplinks %v", u)
	}
	live := []string{"leaf0.spine1", "leaf1.spine0", "leaf1.spine1"}
	var sum float64
	for _, p := range live {
		sum += u[p]
	}
	if want := sum / float64(len(live)); math.Abs(u["to_spine_mean"]-want) > 1e-12 {
		t.Errorf("to_spine_mean %.6f, want the live uplinks' %.6f", u["to_spine_mean"], want)
	}
}

// TestTimedFailureScenario: with fabric.fail_at the failed link carries
// traffic until then, the packets lost to it are drops_by_place.link_down
// (and counted in drops), and a longer convergence loses more.
func TestTimedFailureScenario(t *testing.T) {
	src := `name = "timed"
replications = 1
duration = "30ms"
warmup = "5ms"
[cluster]
nodes = 8
cpu_jitter = 0
[fabric]
kind = "leaf-spine"
leaves = 2
spines = 2
failed_links = "leaf1.spine0"
fail_at = "15ms"
convergence = "CONV"
[cni]
plugin = "calico"
mode = "native"
[workload]
kind = "tcp_stream"
pattern = "all-to-all"
`
	lost := map[string]float64{}
	for _, conv := range []string{"0s", "5ms"} {
		s, err := Run(context.Background(), loadScenario(t, strings.Replace(src, "CONV", conv, 1)), 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		d := s.Groups[results.DropsByPlace]
		var sum float64
		for _, v := range d {
			sum += v
		}
		if sum != s.Scalars[results.Drops] {
			t.Errorf("convergence %s: drops by place %v sum to %v, drops %v", conv, d, sum, s.Scalars[results.Drops])
		}
		if u := s.Groups[results.PortUtilisation]["leaf1.spine0"]; !(u > 0.1) {
			t.Errorf("convergence %s: leaf1.spine0 busy %.3f before it failed, want > 0.1", conv, u)
		}
		lost[conv] = d["link_down"]
	}
	t.Logf("link_down drops: %v", lost)
	if !(lost["0s"] > 0 && lost["5ms"] > lost["0s"]) {
		t.Errorf("link_down drops %v: want some at once, more with 5 ms of convergence", lost)
	}
}

// TestPortRows: the port log holds every port, in order, each statistic
// in its column (results.PortColumns), a failed link's port as 1; no
// fabric, no log.
func TestPortRows(t *testing.T) {
	ports := []network.PortStats{
		{Name: "leaf0.node0", Tier: network.TierToNode, Drops: 1, EarlyDrops: 2, Frames: 3, Bytes: 4, ECNMarks: 5, MaxQueueBytes: 6, MeanQueueBytes: 7.5, Utilisation: 0.25},
		{Name: "leaf0.spine1", Tier: network.TierToSpine, Failed: true},
	}
	l := portRows(ports)
	if !slices.Equal(l.Names, []string{"leaf0.node0", "leaf0.spine1"}) || !slices.Equal(l.Tiers, []string{"to_node", "to_spine"}) {
		t.Errorf("names %v, tiers %v", l.Names, l.Tiers)
	}
	want := map[string][]float64{"drops": {1, 0}, "early_drops": {2, 0}, "frames": {3, 0}, "bytes": {4, 0}, "ecn_marks": {5, 0},
		"queue_max_bytes": {6, 0}, "queue_mean_bytes": {7.5, 0}, "utilisation": {0.25, 0}, "failed": {0, 1}}
	if !reflect.DeepEqual(l.Columns, want) || len(want) != len(results.PortColumns) {
		t.Errorf("columns %v, want %v", l.Columns, want)
	}
	if portRows(nil) != nil {
		t.Error("no ports: a log")
	}
}
