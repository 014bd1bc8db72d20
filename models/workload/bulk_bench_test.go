package workload

import (
	"runtime"
	"testing"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/models/cni"
	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// bulkConfig is bench/bulk.toml as a Config: one TCP stream between two
// nodes, 10 Gbit/s, 50 us, MTU 1500, a 100-packet queue, PPP framing,
// through plugin/mode with the paper profile; zero costs per packet for
// every stage when free (the scenario's [calibration.cycles] overrides).
func bulkConfig(b *testing.B, plugin, mode string, free bool, d sim.Time) Config {
	b.Helper()
	m, err := cni.Load(plugin)
	if err != nil {
		b.Fatal(err)
	}
	prof, err := calibration.Load("paper")
	if err != nil {
		b.Fatal(err)
	}
	if free {
		prof = prof.Clone()
		zero := map[string]float64{}
		for _, k := range datapath.Kinds() {
			zero[k.String()] = 0
		}
		if err := prof.OverrideAll(zero); err != nil {
			b.Fatal(err)
		}
	}
	path, err := m.Path(mode, datapath.Inter, cni.PathOptions{}, prof)
	if err != nil {
		b.Fatal(err)
	}
	podMTU, err := m.PodMTU(mode, 1500, cni.PathOptions{})
	if err != nil {
		b.Fatal(err)
	}
	cl := network.DefaultConfig()
	cl.LinkDelay, cl.FrameOverhead, cl.QdiscLen = 50*sim.Microsecond, 2, 100
	return Config{Cluster: cl, Placement: datapath.Inter, Forward: path, Reverse: path, PodMTU: podMTU,
		Duration: d, Warmup: 10 * sim.Millisecond, Seed: 1, Workload: Workload{Kind: TCPStream}}
}

// BenchmarkBulk runs bench/bulk.toml's transfer through workload.Run, 1 s
// simulated per iteration: on the host path with free stages, and through
// Flannel VXLAN with the paper's costs (CPU-bound at ~4.4 Gbit/s). It
// reports data segments and all packets per wall second, wall time per
// data segment, and heap allocations per packet (the setup's only: zero
// per packet).
//
//	go test ./models/workload -run '^$' -bench Bulk -benchtime 3x
func BenchmarkBulk(b *testing.B) {
	for _, tc := range []struct {
		name, plugin, mode string
		free               bool
	}{{"host", "host", "host", true}, {"flannel-vxlan", "flannel", "vxlan", false}} {
		b.Run(tc.name, func(b *testing.B) {
			cfg := bulkConfig(b, tc.plugin, tc.mode, tc.free, sim.Second)
			var pkts, segs, mallocs float64
			var ms0, ms1 runtime.MemStats
			var cpu float64
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for b.Loop() {
				runtime.ReadMemStats(&ms0)
				c0, _ := threadCPU()
				r, err := Run(cfg)
				c1, _ := threadCPU()
				runtime.ReadMemStats(&ms1)
				cpu += c1 - c0
				if err != nil {
					b.Fatal(err)
				}
				pkts += float64(r.Packets.Sent)
				segs += float64(r.DataPackets)
				mallocs += float64(ms1.Mallocs - ms0.Mallocs)
			}
			s := b.Elapsed().Seconds()
			b.ReportMetric(segs/s, "segs/s")
			b.ReportMetric(pkts/s, "pkts/s")
			b.ReportMetric(s/segs*1e9, "ns/seg")
			b.ReportMetric(mallocs/pkts, "allocs/pkt")
			if cpu > 0 {
				b.ReportMetric(segs/cpu, "segs/cpu-s")
				b.ReportMetric(pkts/cpu, "pkts/cpu-s")
			}
		})
	}
}
