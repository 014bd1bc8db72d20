package network_test

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/cnisim/cnisim/models/datapath/datapathtest"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/models/tcp"
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
				path := datapathtest.HostPath(1)
				rng := rand.New(rand.NewPCG(1, 2))
				for i := range 16 {
					conn, err := tcp.Dial(n, tcp.Side{Node: 0, Core: i % c.CoresPerNode}, tcp.Side{Node: 1, Core: i % c.CoresPerNode},
						path, path, 1500, rng.Uint64(), tcp.Options{})
					if err != nil {
						b.Fatal(err)
					}
					conn.Client.Write(0, math.MaxInt64/2)
					conn.Connect(sim.Time(rng.Int64N(int64(10 * sim.Microsecond))))
				}
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
