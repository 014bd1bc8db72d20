package tcp

import (
	"math"
	"runtime"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// overlayPath is a VXLAN pod-to-pod path with the paper's inter-host costs
// (veth ~45, vxlan ~900, FIB+forwarding ~800, netfilter ~1470 CPP: Sec.
// IV-B, Fig. 5) split between the two nodes: many more steps per packet.
func overlayPath() datapath.CostedPath {
	S, D := datapath.Src, datapath.Dst
	return datapath.CostedPath{InterHost: true, EncapBytes: 50, Steps: []datapath.CostedStep{
		step(datapath.TCP, S, datapath.Send, 300, 0),
		step(datapath.Veth, S, datapath.Send, 45, 0),
		step(datapath.Bridge, S, datapath.Send, 250, 0),
		step(datapath.FIB, S, datapath.Send, 200, 0),
		step(datapath.IPForward, S, datapath.Send, 240, 0),
		step(datapath.Netfilter, S, datapath.Send, 700, 0),
		step(datapath.VXLAN, S, datapath.Send, 450, 0),
		step(datapath.FIB, S, datapath.Send, 200, 0),
		step(datapath.NIC, S, datapath.Send, 200, 0),
		step(datapath.NIC, D, datapath.Softirq, 200, 0),
		step(datapath.VXLAN, D, datapath.Softirq, 450, 0),
		step(datapath.Bridge, D, datapath.Softirq, 250, 0),
		step(datapath.Netfilter, D, datapath.Softirq, 700, 0),
		step(datapath.Veth, D, datapath.Softirq, 45, 0),
		step(datapath.TCP, D, datapath.Softirq, 300, 0),
		step(datapath.SocketCopy, D, datapath.Recv, 100, 0.1),
	}}
}

// BenchmarkBulkTCP: one stream, two nodes, 10 Gbit/s, MTU 1500, 1 s
// simulated per iteration; reports data segments and all simulated
// packets (data + ACKs) per wall second, wall time per data segment, and
// heap allocations per simulated packet during the run (only the rings'
// growth to their steady size: zero per packet amortised).
//
//	go test ./models/tcp -run '^$' -bench BulkTCP -benchtime 3x -benchmem
func BenchmarkBulkTCP(b *testing.B) {
	for _, tc := range []struct {
		name string
		path datapath.CostedPath
		mtu  int
	}{{"host", hostPath(1), 1500}, {"vxlan", overlayPath(), 1450}} {
		b.Run(tc.name, func(b *testing.B) {
			var pkts, segs, mallocs float64
			var ms0, ms1 runtime.MemStats
			var cpu float64
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			b.ReportAllocs()
			for b.Loop() {
				r := newRig(b, network.DefaultConfig(), tc.path, tc.mtu, Options{})
				r.c.Connect(0)
				r.c.Client.Write(0, math.MaxInt64/2)
				runtime.ReadMemStats(&ms0)
				c0, _ := threadCPU()
				r.e.RunUntil(sim.Second)
				c1, _ := threadCPU()
				runtime.ReadMemStats(&ms1)
				cpu += c1 - c0
				pkts += float64(r.n.Stats().Sent)
				segs += float64(r.c.Client.Stats.SegsSent)
				mallocs += float64(ms1.Mallocs - ms0.Mallocs)
			}
			b.ReportMetric(pkts/b.Elapsed().Seconds(), "pkts/s")
			b.ReportMetric(segs/b.Elapsed().Seconds(), "segs/s")
			b.ReportMetric(b.Elapsed().Seconds()/segs*1e9, "ns/seg")
			b.ReportMetric(mallocs/pkts, "allocs/pkt")
			if cpu > 0 {
				b.ReportMetric(segs/cpu, "segs/cpu-s")
				b.ReportMetric(pkts/cpu, "pkts/cpu-s")
			}
		})
	}
}
