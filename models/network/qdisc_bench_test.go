package network_test

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// BenchmarkQdisc: what fq_codel costs beside the FIFO (Config.Qdisc):
// 16 long-lived TCP flows from one node to another on 10 Gbit/s with the
// CPU stage costs of datapathtest.HostPath, 100 ms, the sender's NIC the
// bottleneck, so that its queue holds packets. cpu-ns/pkt is the
// benchmark thread's CPU time per packet sent (Linux only); events/pkt
// the engine events (fq_codel's NIC takes each packet in an event).
//
//	go test ./models/network -run '^$' -bench Qdisc -benchtime 5x
func BenchmarkQdisc(b *testing.B) {
	for _, qdisc := range []string{network.QdiscPFIFO, network.QdiscFQCoDel} {
		b.Run(qdisc, func(b *testing.B) {
			var pkts, cpu, events float64
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for b.Loop() {
				c0, _ := threadCPU()
				c := network.DefaultConfig()
				c.Qdisc = qdisc
				e := sim.NewEngine()
				n, err := network.New(e, c)
				if err != nil {
					b.Fatal(err)
				}
				flows := make([][2]int, 16)
				for i := range flows {
					flows[i] = [2]int{0, 1}
				}
				dialStreams(b, n, c.CoresPerNode, flows, rand.New(rand.NewPCG(1, 2)))
				e.RunUntil(100 * sim.Millisecond)
				c1, _ := threadCPU()
				cpu += c1 - c0
				events += float64(e.Executed())
				pkts += float64(n.Stats().Sent)
				if err := n.Conservation(); err != nil {
					b.Fatal(err)
				}
			}
			if cpu > 0 {
				b.ReportMetric(cpu*1e9/pkts, "cpu-ns/pkt")
			}
			b.ReportMetric(events/pkts, "events/pkt")
			b.ReportMetric(pkts/float64(b.N), "pkts/op")
		})
	}
}
