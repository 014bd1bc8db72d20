package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cnisim/cnisim/experiments/scenario"
)

// extremes are the smallest and largest values every numeric key accepts
// (experiments/scenario/bounds.go and validate.go).
var extremes = map[string][2]string{
	"seed":                               {"0", "9223372036854775807"},
	"replications":                       {"1", "1000000"},
	"duration":                           {"1ns", "168h"},
	"warmup":                             {"0s", "999999ns"}, // < duration (1ms in the base)
	"timeline":                           {"1us", "168h"},
	"trace.replication":                  {"0", "999999"},
	"trace.max_mb":                       {"0.001", "4096"},
	"cluster.nodes":                      {"1", "10000"},
	"cluster.cores_per_node":             {"1", "4096"},
	"cluster.cpu_ghz":                    {"0.01", "100"},
	"cluster.link_gbps":                  {"0.001", "100000"},
	"cluster.link_delay":                 {"0s", "168h"},
	"cluster.mtu":                        {"576", "65535"},
	"cluster.frame_overhead":             {"0", "1000"},
	"cluster.qdisc_packets":              {"1", "1000000"},
	"cluster.fq_codel_target":            {"1us", "1s"},
	"cluster.fq_codel_interval":          {"1us", "10s"},
	"cluster.fq_codel_limit":             {"1", "1000000"},
	"cluster.fq_codel_ce_threshold":      {"0s", "1s"},
	"cluster.cpu_jitter":                 {"0", "1"},
	"calibration.gro_frame_cycles":       {"0", "1000000"},
	"calibration.gso_segment_cycles":     {"0", "1000000"},
	"calibration.fragment_cycles":        {"0", "1000000"},
	"calibration.reassemble_cycles":      {"0", "1000000"},
	"cluster.rx_usecs":                   {"0", "1000000"},
	"cluster.wakeup_us":                  {"0", "1000000"},
	"cluster.timeslice_us":               {"0", "1000000"},
	"cluster.tbf_burst_frames":           {"0", "16"},
	"cni.pod_mtu":                        {"576", "65535"},
	"cni.policy_rules":                   {"0", "1000000"},
	"cni.setup_delay":                    {"0s", "168h"},
	"tcp.rmem":                           {"4096", "1073741824"},
	"tcp.limit_output_bytes":             {"1", "1073741824"},
	"tcp.wmem":                           {"4096", "1073741824"},
	"tcp.min_rto":                        {"1us", "2m0s"},
	"tcp.ack_every":                      {"1", "1024"},
	"tcp.hz":                             {"0", "1000"},
	"workload.streams":                   {"1", "10000"},
	"workload.bulk_streams":              {"0", "10000"},
	"workload.rate_mbps":                 {"0.001", "100000000"},
	"workload.message_bytes":             {"0", "1073741824"},
	"workload.file_bytes":                {"1", "1099511627776"},
	"workload.write_bytes":               {"0", "1073741824"},
	"workload.read_bytes":                {"0", "1073741824"},
	"service.count":                      {"0", "1000000"},
	"service.endpoints":                  {"1", "100000"},
	"service.port_count":                 {"1", "1000"},
	"service.conntrack_max":              {"1", "2147483647"},
	"service.time_wait":                  {"0s", "168h"},
	"service.zipf":                       {"0", "10"},
	"service.external_traffic_policy":    {"cluster", "local"},
	"fabric.leaves":                      {"1", "10000"},
	"fabric.spines":                      {"1", "10000"},
	"fabric.nodes_per_leaf":              {"0", "100000"},
	"fabric.uplink_gbps":                 {"0.001", "100000"},
	"fabric.oversubscription":            {"0.01", "1000"},
	"fabric.per_hop":                     {"0s", "168h"},
	"fabric.buffer_bytes":                {"1", "1099511627776"},
	"fabric.buffer_alpha":                {"0.015625", "64"},
	"fabric.ecn_threshold_bytes":         {"0", "12000000"},
	"fabric.ecn_max_bytes":               {"0", "12000000"},
	"fabric.ecn_max_probability":         {"0.0001", "1"},
	"fabric.failed_spines":               {"0", "10000"},
	"fabric.fail_at":                     {"0s", "168h"},
	"fabric.convergence":                 {"0s", "168h"},
	"fabric.recover_at":                  {"0s", "168h"},
	"fabric.flap_every":                  {"0s", "168h"},
	"workload.threads":                   {"1", "10000"},
	"workload.connections":               {"1", "1000000"},
	"workload.pods":                      {"1", "1000000"},
	"workload.pods_per_node":             {"1", "1000"},
	"workload.incast_senders":            {"0", "1"}, // at most cluster.nodes - 1 (the base's 2 nodes)
	"workload.load":                      {"0.0001", "1"},
	"workload.rack_local":                {"-1", "1"},      // 0..1 needs a leaf-spine and the random pattern (combinations below)
	"workload.matrix_scale":              {"1e-9", "1000"}, // no effect without the matrix pattern (combinations below)
	"workload.query_rate":                {"0", "1e7"},
	"workload.query_fanin":               {"0", "1"}, // at most cluster.nodes - 1 (the base's 2 nodes)
	"workload.query_bytes":               {"1", "1000000000"},
	"workload.query_from":                {"0s", "168h"},
	"workload.query_until":               {"0s", "168h"},
	"workload.measure_until":             {"0s", "1ms"}, // at most the duration (1ms in the base)
	"workload.server.cores":              {"1", "4096"},
	"workload.server.cycles_per_request": {"0", "1e10"},
	"workload.server.cycles_per_byte":    {"0", "1000"},
	"calibration.cycles.tcp":             {"0", "1e10"},
	"calibration.cycles.vxlan":           {"0", "1e10"},
	"calibration.cycles.socket_copy":     {"0", "1e10"},
}

// combos are extremes that only matter together (policy rules need a
// plugin with policy).
var combos = [][]string{
	{"cni.plugin=calico", "cni.policy=true", "cni.policy_rules=1000000"},
	{"cni.plugin=calico", "cni.policy=true", "cni.policy_conntrack=true", "cni.policy_rules=1000000"},
	{"cluster.cpu_ghz=0.01", "calibration.cycles.tcp=1e10", "workload.rate_mbps=100000000"},
	{"cluster.link_gbps=0.001", "cluster.mtu=65535", "cluster.qdisc_packets=1"},
	{"cluster.offloads=true", "cluster.mtu=576", "tcp.ack_every=1024"},
	{"tcp.ack_policy=linux", "cluster.offloads=true", "cluster.mtu=576", "tcp.rmem=4096", "workload.read_bytes=1073741824"},
	{"tcp.ack_policy=linux", "tcp.rmem=1073741824", "workload.read_bytes=1", "cluster.link_delay=168h"},
	{"tcp.ack_policy=linux", "workload.kind=tcp_rr", "workload.streams=10000"},
	{"workload.kind=tcp_crr", "workload.target=service", "service.count=1000000", "service.endpoints=100000", "service.conntrack_max=1"},
	{"workload.kind=tcp_crr", "workload.target=service", "service.count=1000000", "service.proxy=nftables", "service.zipf=10"},
	{"workload.kind=nodeport", "cluster.nodes=3", "service.count=1000000", "service.endpoints=100000", "service.conntrack_max=1"},
	{"workload.kind=nodeport", "cluster.nodes=2", "service.count=1", "service.external_traffic_policy=local", "service.proxy=ebpf-socket"},
	{"workload.kind=nodeport", "workload.nodeport_style=rr", "cluster.nodes=10000", "workload.streams=10000", "service.endpoints=100000"},
	{"fabric.kind=switch", "fabric.buffer_bytes=1538", "fabric.per_hop=168h"},
	{"fabric.kind=switch", "fabric.buffer_bytes=1538", "cluster.tbf_burst_frames=16", "cluster.mtu=65535", "cluster.link_gbps=0.001"},
	{"fabric.kind=leaf-spine", "fabric.leaves=2", "cluster.tbf_burst_frames=1", "cluster.mtu=576", "workload.pattern=incast", "workload.streams=10000"},
	{"fabric.kind=switch", "fabric.buffer_bytes=3076", "fabric.buffer_alpha=0.015625"},
	{"fabric.kind=switch", "fabric.buffer=per-port", "fabric.buffer_bytes=1099511627776"},
	{"fabric.kind=switch", "tcp.congestion=dctcp", "fabric.buffer_bytes=1538", "fabric.ecn_threshold_bytes=1"},
	{"fabric.kind=leaf-spine", "fabric.leaves=1", "tcp.congestion=dctcp", "fabric.ecn_threshold_bytes=12000000", "workload.pattern=incast", "workload.streams=10000"},
	{"fabric.kind=leaf-spine", "fabric.leaves=1", "fabric.spines=10000", "fabric.oversubscription=1000"},
	{"fabric.kind=switch", "fabric.buffer_bytes=1538", "fabric.ecn_threshold_bytes=1", "fabric.ecn_max_bytes=2", "fabric.ecn_max_probability=0.0001", "fabric.drop_not_ect=true"},
	{"fabric.kind=leaf-spine", "fabric.leaves=1", "tcp.congestion=dctcp", "fabric.ecn_threshold_bytes=1", "fabric.ecn_max_bytes=12000000", "workload.pattern=incast", "workload.streams=10000"},
	{"fabric.kind=leaf-spine", "fabric.leaves=2", "fabric.spines=1", "fabric.uplink_gbps=0.001", "fabric.buffer_bytes=1538"},
	{"fabric.kind=leaf-spine", "fabric.leaves=2", "fabric.nodes_per_leaf=1", "fabric.oversubscription=0.01", "fabric.per_hop=168h"},
	{"fabric.kind=leaf-spine", "fabric.leaves=2", "fabric.spines=10000", "fabric.failed_spines=9999", "fabric.failed_links=leaf1.spine0"},
	{"fabric.kind=leaf-spine", "fabric.leaves=2", "fabric.spines=10000", "fabric.failed_spines=9999"},
	{"fabric.kind=leaf-spine", "fabric.leaves=2", "fabric.failed_links=leaf0.spine0", "fabric.fail_at=168h"},
	{"fabric.kind=leaf-spine", "fabric.leaves=2", "fabric.failed_links=leaf0.spine0", "fabric.fail_at=1ns", "fabric.convergence=168h"},
	{"fabric.kind=leaf-spine", "fabric.leaves=2", "fabric.failed_links=leaf0.spine0", "fabric.fail_at=1ns", "fabric.recover_at=2ns", "fabric.flap_every=2ns"},
	{"fabric.kind=leaf-spine", "fabric.leaves=2", "fabric.failed_links=leaf0.spine0", "fabric.fail_at=1ns", "fabric.recover_at=2ns", "fabric.flap_every=2ns", "duration=168h"},
	{"cluster.nodes=10000", "workload.pattern=all-to-all", "workload.pods_per_node=1000"},
	{"cluster.nodes=10000", "workload.pattern=permutation", "workload.pods_per_node=1000", "workload.streams=10000"},
	{"cluster.nodes=10000", "workload.pattern=random", "workload.flow_sizes=datamining", "workload.load=1"},
	{"cluster.nodes=10000", "workload.pattern=incast", "workload.flow_sizes=websearch", "workload.load=0.0001", "workload.pods_per_node=1000"},
	{"cluster.nodes=3", "workload.pattern=all-to-all", "workload.flow_sizes=websearch", "workload.load=1", "cluster.link_gbps=100000"},
	{"cluster.nodes=10000", "workload.pattern=none", "workload.query_rate=1e7", "workload.query_bytes=1000000000"},
	{"cluster.nodes=3", "workload.pattern=none", "workload.query_rate=1e7", "workload.query_bytes=1", "fabric.kind=switch"},
	{"cluster.nodes=3", "workload.pattern=none", "workload.query_rate=1e7", "workload.query_from=1ns", "workload.query_until=2ns", "fabric.kind=switch"},
	{"cluster.nodes=3", "workload.pattern=none", "workload.query_rate=1e-9", "workload.query_from=167h", "duration=168h", "fabric.kind=switch"},
	{"cluster.nodes=2", "workload.pattern=random", "workload.flow_sizes=websearch", "workload.query_rate=0.001", "workload.query_fanin=1"},
	{"cluster.nodes=2", "workload.pattern=random", "workload.flow_sizes=websearch", "workload.load=1", "workload.query_rate=1e5", "workload.measure_until=1ns"},
	{"cluster.nodes=4", "fabric.kind=leaf-spine", "fabric.leaves=2", "workload.pattern=random", "workload.flow_sizes=websearch", "workload.rack_local=1", "workload.load=1"},
	{"cluster.nodes=4", "fabric.kind=leaf-spine", "fabric.leaves=2", "workload.pattern=random", "workload.pods_per_node=1000", "workload.rack_local=0"},
	{"cluster.nodes=3", "workload.pattern=matrix", "workload.matrix=testdata/extreme.tm", "workload.flow_sizes=websearch", "workload.matrix_scale=1000"},
	{"cluster.nodes=3", "workload.pattern=matrix", "workload.matrix=testdata/extreme.tm", "workload.flow_sizes=constant:1", "workload.matrix_scale=1e-9"},
}

// TestExtremeValues runs the real simulator on the smallest and largest
// value of every numeric key (issue 19): each run exits 0 with finite
// metrics (valid JSON: encoding/json refuses NaN and Inf) or exits 2 with
// one line; never a stack trace, another exit code or a hang. The short
// form takes one workload kind per value, in turn, less slowExtremes;
// CNISIM_EXTREME=long (for .ci/run) takes every kind and every value.
func TestExtremeValues(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the simulator")
	}
	for _, k := range scenario.NumericKeys() {
		if _, ok := extremes[k]; !ok {
			t.Errorf("numeric key %s has no extremes here: add its bounds to the table", k)
		}
	}
	long := os.Getenv("CNISIM_EXTREME") == "long"
	old := maxWall
	maxWall = 3 * time.Second // refuse (exit 2) what the estimate calls long
	if long {
		maxWall = 30 * time.Second
	}
	t.Cleanup(func() { maxWall = old })
	base := filepath.Join(t.TempDir(), "x.toml")
	os.WriteFile(base, []byte("name = \"x\"\nreplications = 1\nduration = \"1ms\"\nwarmup = \"0s\"\n[workload]\nfile_bytes = 1000000\n"), 0o644)
	n := 0
	seen := map[string]bool{}
	for _, key := range slices.Sorted(func(yield func(string) bool) {
		for k := range extremes {
			if !yield(k) {
				return
			}
		}
	}) {
		for _, v := range extremes[key] {
			n++
			for i, kind := range scenario.Kinds {
				if long || n%len(scenario.Kinds) == i {
					seen[extremeRun(t, base, kind, key+"="+v)] = true
				}
			}
		}
	}
	for _, c := range combos {
		n++
		for i, kind := range scenario.Kinds {
			if long || n%len(scenario.Kinds) == i {
				seen[extremeRun(t, base, kind, c...)] = true
			}
		}
	}
	for name := range slowExtremes {
		if !seen[name] {
			t.Errorf("slowExtremes names %q, which the short form does not run: remove it", name)
		}
	}
}

// slowExtremes are the runs the short form leaves to the long one
// (CNISIM_EXTREME=long, which .ci/run runs), with why: each takes most of
// the default suite's time on its own.
var slowExtremes = map[string]string{
	// (none: the rotation of kinds over values gives the 1 TiB download,
	// 41 s of wall time, to another kind in the short form; the long form
	// runs it.)
}

// hangAfter is how long a run may take before it counts as a hang: the
// longest run of the long form (the 1 TiB download, 41 s alone) took over
// 2 minutes with the other parallel runs and a benchmark sharing the 2-core
// VM; a hang does not answer at all.
const hangAfter = 5 * time.Minute

// extremeRun checks one run as a parallel subtest: the runs are independent
// (each its own temporary output, --parallel 1), and the package globals they
// read (maxWall, the simulator) are set by the parent before and restored
// after all of them.
func extremeRun(t *testing.T, base, kind string, sets ...string) string {
	t.Helper()
	name := kind + " " + strings.Join(sets, " ")
	t.Run(name, func(t *testing.T) {
		if why, ok := slowExtremes[name]; ok && os.Getenv("CNISIM_EXTREME") != "long" {
			t.Skipf("%s: left to the long form (CNISIM_EXTREME=long)", why)
		}
		t.Parallel()
		checkExtreme(t, base, kind, sets...)
	})
	return name
}

func checkExtreme(t *testing.T, base, kind string, sets ...string) {
	t.Helper()
	type res struct {
		code           int
		stdout, stderr string
	}
	done := make(chan res, 1)
	args := []string{"run", base, "--format", "json", "--parallel", "1", "--set", "workload.kind=" + kind}
	for _, s := range sets {
		args = append(args, "--set", s)
		if s == "cluster.nodes=1" {
			args = append(args, "--set", "workload.placement=intra")
		}
	}
	set := strings.Join(sets, " ")
	start := time.Now()
	go func() {
		c, o, e := cli(args...)
		done <- res{c, o, e}
	}()
	var r res
	select {
	case r = <-done:
	case <-time.After(hangAfter):
		t.Fatalf("%s %s: no answer after %v (a hang)", kind, set, hangAfter)
	}
	what := fmt.Sprintf("%s %s (%.1fs)", kind, set, time.Since(start).Seconds())
	switch r.code {
	case 0:
		var v any
		if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
			t.Errorf("%s: exit 0 but output is not JSON: %v", what, err)
		}
	case 2:
		// warnings (keys without effect) are advice printed before the
		// run, not part of the error
		var lines []string
		for _, l := range strings.Split(strings.TrimRight(r.stderr, "\n"), "\n") {
			if !strings.HasPrefix(l, "warning: ") {
				lines = append(lines, l)
			}
		}
		if len(lines) > 2 || (len(lines) == 2 && !strings.HasPrefix(lines[1], "Run 'cnisim")) || strings.Contains(r.stderr, "goroutine") {
			t.Errorf("%s: exit 2 with more than one line:\n%s", what, r.stderr)
		}
	default:
		t.Errorf("%s: exit %d:\n%.2000s", what, r.code, r.stderr)
	}
	if testing.Verbose() {
		t.Logf("%s: exit %d %.200s", what, r.code, strings.SplitN(r.stderr, "\n", 2)[0])
	}
}
