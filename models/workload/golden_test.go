package workload

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/internal/golden"
	"github.com/cnisim/cnisim/sim"
)

// TestClusterGolden pins a small cluster run (4 nodes, permutation, web
// search flows at 30% load on HostPath(1), 30 ms): flow counts, FCT and
// slowdown summaries per bucket, every node's cores and the packet
// counters. A change to any of them is a change of the model: rerun with
// -update only when it is meant.
func TestClusterGolden(t *testing.T) {
	web, _ := LoadFlowSizes(FlowSizesWebSearch)
	cfg := flowConfig(t, PatternPermutation, 4, web, 0.3, 30*sim.Millisecond)
	cfg.Forward, cfg.Reverse = hostPath(1), hostPath(1)
	cfg.Warmup = 3 * sim.Millisecond
	r, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "flows started %d completed %d unfinished %d recorded %d\n", r.FlowsStarted, r.FlowsCompleted, r.FlowsUnfinished, len(r.FCTus))
	all := summarise(r.FCTus)
	fmt.Fprintf(&b, "fct_us mean %.3f p50 %.3f p99 %.3f\n", all.Mean, all.P50, all.P99)
	for i, name := range SizeBuckets {
		f, s := r.FCTByBucket[i], r.SlowdownByBucket[i]
		fmt.Fprintf(&b, "%-10s n %3d fct_us p50 %.3f p99 %.3f slowdown p50 %.4f p99 %.4f\n", name, f.N, f.P50, f.P99, s.P50, s.P99)
	}
	for i, c := range r.CPUCoresUsedByNode {
		fmt.Fprintf(&b, "node%d cores %.6f\n", i, c)
	}
	fmt.Fprintf(&b, "busiest node%d %.6f\n", r.BusiestNode, r.BusiestCores)
	fmt.Fprintf(&b, "throughput_mbps %.3f retransmissions %d packets %+v\n", r.ThroughputMbps, r.Retransmissions, r.Packets)
	golden.Check(t, "testdata/cluster.golden", []byte(b.String()))
}
