package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Keys without effect give one stderr line each on validate and run;
// scenarios where every key counts give none.
func TestNoEffectWarnings(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "w.toml")
	cases := []struct {
		name, text string
		want       []string // the warning lines, in order
	}{
		{"defaults", "replications = 10\n", nil},
		{"nodes beyond inter's two", "[cluster]\nnodes = 10\n",
			[]string{"cluster.nodes = 10 has no effect beyond 2: workload tcp_stream with placement inter puts its pods on 2 node(s)"}},
		{"intra with three nodes", "[cluster]\nnodes = 3\n[workload]\nplacement = \"intra\"\n",
			[]string{"cluster.nodes = 3 has no effect beyond 1"}},
		{"intra with the default two: silent", "[workload]\nplacement = \"intra\"\n", nil},
		{"nodeport uses every node", "[cluster]\nnodes = 5\n[workload]\nkind = \"nodeport\"\n[service]\nexternal_traffic_policy = \"local\"\n", nil},
		{"traffic policy without nodeport", "replications = 2\n[service]\ncount = 3\nexternal_traffic_policy = \"local\"\n",
			[]string{"service.external_traffic_policy has no effect with workload.kind = tcp_stream (it applies to [nodeport])"}},
		{"pod_launch uses every node", "[cluster]\nnodes = 10\n[workload]\nkind = \"pod_launch\"\npods = 20\n", nil},
		{"pod MTU over the link after VXLAN", "[cni]\nplugin = \"flannel\"\nmode = \"vxlan\"\npod_mtu = 1500\n",
			[]string{"cni.pod_mtu = 1500: 1500 + 50 bytes of flannel encapsulation = 1550 > cluster.mtu = 1500, so every full-sized packet is fragmented into 2 IP fragments"}},
		{"pod MTU over the link with offloads", "[cluster]\noffloads = true\n[cni]\nplugin = \"flannel\"\nmode = \"vxlan\"\npod_mtu = 1500\n",
			[]string{"fragmented into 2 IP fragments on the wire, which undoes the offloads (GSO cuts every super-packet in software first, GRO merges no fragment)"}},
		{"jumbo pod MTU", "[cni]\nplugin = \"flannel\"\nmode = \"vxlan\"\npod_mtu = 9000\n",
			[]string{"= 9050 > cluster.mtu = 1500, so every full-sized packet is fragmented into 7 IP fragments"}},
		{"pod MTU that fits", "[cni]\nplugin = \"flannel\"\nmode = \"vxlan\"\npod_mtu = 1450\n", nil},
		{"derived pod MTU without room for ESP", "[cni]\nplugin = \"weave\"\nmode = \"fastdp\"\nencrypt = true\n",
			[]string{"cni.pod_mtu = 0 gives 1450 (cluster.mtu 1500 - 50 bytes of vxlan, by weave fastdp's MTU rule \"tunnel\", which leaves out the 37 bytes of esp): 1450 + 87 bytes of weave encapsulation = 1537 > cluster.mtu = 1500, so every full-sized packet is"}},
		{"derived pod MTU that fits", "[cni]\nplugin = \"weave\"\nmode = \"fastdp\"\n", nil},
		{"derived pod MTU with WireGuard's overhead taken off", "[cni]\nplugin = \"cilium\"\nmode = \"vxlan\"\nencrypt = true\n", nil},
		{"keys of other kinds", "[workload]\nkind = \"tcp_rr\"\nthreads = 4\nrate_mbps = 5.0\n[calibration.cycles]\nsyscall = 639.0\n", []string{
			"workload.rate_mbps has no effect with workload.kind = tcp_rr (it applies to [udp_stream tcp_stream mixed])",
			"workload.threads has no effect with workload.kind = tcp_rr (it applies to [http_load])"}},
		{"request-response with unpriced calls", "[workload]\nkind = \"tcp_rr\"\n",
			[]string{"workload.kind = tcp_rr with calibration.profile = paper, which prices the application's calls and wake-ups at 0"}},
		{"datagrams with unpriced calls", "[workload]\nkind = \"udp_stream\"\n",
			[]string{"workload.kind = udp_stream with calibration.profile = paper"}},
		{"request-response with a measured profile", "[workload]\nkind = \"tcp_rr\"\n[calibration]\nprofile = \"testbed-vm-6.18-xeon\"\n", nil},
		{"request-response with calls stated", "[workload]\nkind = \"udp_rr\"\n[calibration.cycles]\nsched = 632.0\n", nil},
		{"one core's ACKs left to the model", "[cluster]\ncores_per_node = 1\n[workload]\nplacement = \"intra\"\n",
			[]string{"cluster.cores_per_node = 1 with placement intra: one core runs the sender, the softirqs and the reader"}},
		{"one core's ACKs stated", "[cluster]\ncores_per_node = 1\n[workload]\nplacement = \"intra\"\n[tcp]\nack_every = 23\n", nil},
		{"one core's reader waiting for the slice", "[cluster]\ncores_per_node = 1\ntimeslice_us = 1817.0\n[workload]\nplacement = \"intra\"\n[tcp]\nack_policy = \"linux\"\n", nil},
		{"one core's slice without Linux's ACKs", "[cluster]\ncores_per_node = 1\ntimeslice_us = 1817.0\n[workload]\nplacement = \"intra\"\n",
			[]string{"cluster.cores_per_node = 1 with placement intra: one core runs the sender, the softirqs and the reader"}},
		{"one core paced", "[cluster]\ncores_per_node = 1\n[workload]\nplacement = \"intra\"\nrate_mbps = 100.0\n", nil},
		{"flow log of long-lived flows", "replications = 2\nflow_log = true\n", []string{"flow_log has no effect without workload.flow_sizes or workload.query_rate (it logs finite cluster flows and queries' responses)"}},
		{"port log without a fabric", "replications = 2\nport_log = true\n", []string{"port_log has no effect without a fabric (fabric.kind switch or leaf-spine): there are no switch ports"}},
		{"rack locality without the random pattern", "[cluster]\nnodes = 4\n[workload]\npattern = \"permutation\"\nrack_local = 0.5\n",
			[]string{"workload.rack_local has no effect with workload.pattern = permutation (it applies to random)"}},
		{"a sweep warns once per distinct line", "[cluster]\nnodes = 4\n[sweep]\n\"cluster.mtu\" = [1500, 9000]\n",
			[]string{"cluster.nodes = 4 has no effect beyond 2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := os.WriteFile(p, []byte(c.text), 0o644); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := cli("validate", p)
			if code != 0 || !strings.Contains(stdout, "valid scenario") {
				t.Fatalf("exit %d: %s%s", code, stdout, stderr)
			}
			lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
			if stderr == "" {
				lines = nil
			}
			if len(lines) != len(c.want) {
				t.Fatalf("stderr %q, want %d warning line(s)", stderr, len(c.want))
			}
			for i, w := range c.want {
				if !strings.HasPrefix(lines[i], "warning: ") || !strings.Contains(lines[i], w) {
					t.Errorf("line %d = %q, want a warning containing %q", i, lines[i], w)
				}
			}
		})
	}
	// run prints the same lines on stderr before simulating.
	os.WriteFile(p, []byte("duration = \"20ms\"\nwarmup = \"5ms\"\nreplications = 1\n[cluster]\nnodes = 10\n"), 0o644)
	code, _, stderr := cli("run", p)
	if code != 0 || strings.Count(stderr, "warning: cluster.nodes = 10 has no effect") != 1 {
		t.Errorf("run: exit %d, stderr %q", code, stderr)
	}
}
