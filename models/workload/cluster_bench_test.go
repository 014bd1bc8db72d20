package workload

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/cnisim/cnisim/sim"
)

// BenchmarkFlows measures the cost per simulated packet as long-lived
// flows grow: 1 flow between two nodes, then a permutation with 8 pods per
// node on 64 and 128 nodes (512 and 1,024 flows), bench/bulk.toml's host
// path with free stages (10 Gbit/s, 50 us, 100-packet queue) on the
// crossbar, 20 ms simulated. ns/pkt is wall time per packet sent (data
// and ACKs), cpu-ns/pkt the thread's CPU time per packet (on a shared
// machine the one to compare; Go's GC threads are not counted).
//
//	go test ./models/workload -run '^$' -bench Flows -benchtime 3x
func BenchmarkFlows(b *testing.B) {
	for _, tc := range []struct{ nodes, pods int }{{2, 1}, {64, 8}, {128, 8}} {
		flows := tc.nodes * tc.pods
		pattern := PatternPermutation
		if tc.nodes == 2 {
			flows, pattern = 1, PatternPairs
		}
		b.Run(fmt.Sprintf("flows=%d", flows), func(b *testing.B) {
			cfg := bulkConfig(b, "host", "host", true, 20*sim.Millisecond)
			cfg.Warmup = 0
			cfg.Cluster.Nodes = tc.nodes
			cfg.Workload.Pattern = pattern
			cfg.Workload.PodsPerNode = tc.pods
			var pkts, cpu float64
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for b.Loop() {
				c0, _ := threadCPU()
				r, err := Run(cfg)
				c1, _ := threadCPU()
				if err != nil {
					b.Fatal(err)
				}
				cpu += c1 - c0
				pkts += float64(r.Packets.Sent)
			}
			b.ReportMetric(b.Elapsed().Seconds()/pkts*1e9, "ns/pkt")
			if cpu > 0 { // the machine is shared: CPU time is the figure to compare
				b.ReportMetric(cpu/pkts*1e9, "cpu-ns/pkt")
			}
			b.ReportMetric(pkts/float64(b.N), "pkts/op")
		})
	}
}
