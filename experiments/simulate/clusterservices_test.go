package simulate

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/cnisim/cnisim/experiments/results"
)

// TestServicesWithClusterTraffic: cluster flows to Services pay the
// proxy's first-packet walk on the client node. With iptables the walk
// grows with the Services before the one a flow picks, so 10,000 Services
// slow the median flow (web-search sizes: most are short, the walk a
// visible part of them) against 10 (the mean FCT of flows under 100 kB); nftables' verdict map does not grow,
// so its flows finish as with 10. No conntrack table is kept for cluster
// traffic: its metrics are absent. cpu_cores_used_mean is the nodes'
// mean.
func TestServicesWithClusterTraffic(t *testing.T) {
	t.Parallel()
	src := `name = "svc-cluster"
seed = 1
replications = 1
duration = "20ms"
warmup = "5ms"
[cluster]
nodes = 16
cpu_jitter = 0
[fabric]
kind = "switch"
[cni]
plugin = "calico"
mode = "native"
[service]
count = %d
proxy = "%s"
[workload]
kind = "tcp_stream"
target = "service"
pods_per_node = 4
pattern = "random"
flow_sizes = "websearch"
load = 0.3
`
	small := map[string]float64{}
	for _, proxy := range []string{"iptables", "nftables"} {
		for _, count := range []int{10, 10_000} {
			s, err := Run(context.Background(), loadScenario(t, fmt.Sprintf(src, count, proxy)), 0, 1)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := s.Scalars[results.FlowsCompleted]; !ok || s.Scalars[results.FlowsCompleted] < 20 {
				t.Fatalf("%s, %d Services: %v flows completed", proxy, count, s.Scalars[results.FlowsCompleted])
			}
			var sum float64
			for i := range 16 {
				sum += s.Groups[results.CPUCoresUsedByNode][fmt.Sprintf("node%d", i)]
			}
			if mean := s.Scalars[results.CPUCoresUsedMean]; math.Abs(mean-sum/16) > 1e-12 || mean > s.Scalars[results.CPUCoresUsedBusiest] || mean <= 0 {
				t.Errorf("cpu_cores_used_mean %v: want the mean of the 16 nodes' %v, at most the busiest's %v", mean, sum/16, s.Scalars[results.CPUCoresUsedBusiest])
			}
			// the per-node distribution: each node's cores once, the busiest its largest
			per := slices.Sorted(slices.Values(s.Dists[results.CPUCoresUsedPerNode]))
			if len(per) != 16 || per[15] != s.Scalars[results.CPUCoresUsedBusiest] || per[0] < 0 {
				t.Errorf("cpu_cores_used_per_node %v: want the 16 nodes' cores, the largest the busiest's %v", per, s.Scalars[results.CPUCoresUsedBusiest])
			}
			for i := range 16 {
				if c := s.Groups[results.CPUCoresUsedByNode][fmt.Sprintf("node%d", i)]; !slices.Contains(per, c) {
					t.Errorf("node%d's %v cores not among cpu_cores_used_per_node %v", i, c, per)
				}
			}
			for name := range s.Scalars {
				if name == "conntrack_entries" || name == "conntrack_drops" {
					t.Errorf("%s, %d Services: %s reported with cluster traffic", proxy, count, name)
				}
			}
			small[fmt.Sprint(proxy, count)] = s.Groups[results.FCTMicrosBySize]["0-100KB_mean"]
		}
	}
	t.Logf("mean FCT of flows under 100 kB (us): %v", small)
	// the walk to a uniformly picked Service passes half of 10,000 rules
	// at the paper profile's 48 cycles (2.4 GHz): about 100 us more
	if d := small["iptables10000"] - small["iptables10"]; d < 50 || d > 200 {
		t.Errorf("iptables: flows under 100 kB take %.0f us with 10,000 Services, %.0f with 10: want about 100 more (the walk)", small["iptables10000"], small["iptables10"])
	}
	if r := small["nftables10000"] / small["nftables10"]; math.Abs(r-1) > 0.05 {
		t.Errorf("nftables: flows under 100 kB take %.0f us with 10,000 Services, %.0f with 10: want equal within 5%%", small["nftables10000"], small["nftables10"])
	}
}
