package workload

import (
	"runtime"
	"testing"

	"github.com/cnisim/cnisim/sim"
)

// BenchmarkLossyCluster is a loss-heavy cluster run: 100 nodes of
// 25 GbE, 40 pods each, web-search flows to random nodes at 30% load
// through Flannel VXLAN with the paper's costs, 20 ms simulated: the
// receive cores that RSS picks saturate and drop at the ring, so TCP
// spends its time in SACK recovery. cpu-ns/pkt is the thread's CPU time
// per packet sent.
//
//	go test ./models/workload -run '^$' -bench LossyCluster -benchtime 1x
func BenchmarkLossyCluster(b *testing.B) {
	cfg := bulkConfig(b, "flannel", "vxlan", false, 20*sim.Millisecond)
	cfg.Warmup = 0
	cfg.Cluster.Nodes, cfg.Cluster.LinkGbps, cfg.Cluster.LinkDelay = 100, 25, 5*sim.Microsecond
	cfg.Cluster.FrameOverhead, cfg.Cluster.QdiscLen = 38, 1000
	cfg.Workload.Pattern, cfg.Workload.PodsPerNode, cfg.Workload.Load = PatternRandom, 40, 0.3
	var err error
	if cfg.Workload.FlowSizes, err = LoadFlowSizes(FlowSizesWebSearch); err != nil {
		b.Fatal(err)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var pkts, cpu float64
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
	if cpu > 0 {
		b.ReportMetric(cpu/pkts*1e9, "cpu-ns/pkt")
	}
	b.ReportMetric(pkts/float64(b.N), "pkts/op")
}
