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

// fabricCase is one fabric the benchmarks run: nodes, switches, the
// flows' node pairs and the simulated time.
type fabricCase struct {
	name  string
	nodes int
	fab   network.Fabric
	flows func(rng *rand.Rand) [][2]int
	dur   sim.Time
}

// fabricCases are BenchmarkFabric's, and the first three
// BenchmarkFabricWindow's.
var fabricCases = []fabricCase{
	{"none-2node-1flow", 2, network.Fabric{}, pair, 100 * sim.Millisecond},
	{"switch-2node-1flow", 2, network.Fabric{Kind: network.FabricSwitch, BufferBytes: 12_000_000}, pair, 100 * sim.Millisecond},
	{"leafspine-128node-128flow", 128, network.Fabric{Kind: network.FabricLeafSpine, Leaves: 8, Spines: 4, NodesPerLeaf: 16,
		UplinkGbps: 40, BufferBytes: 12_000_000}, permutation(128, 1), 10 * sim.Millisecond},
	{"leafspine-128node-1024flow", 128, network.Fabric{Kind: network.FabricLeafSpine, Leaves: 8, Spines: 4, NodesPerLeaf: 16,
		UplinkGbps: 40, BufferBytes: 12_000_000}, permutation(128, 8), 10 * sim.Millisecond},
}

// BenchmarkFabric: long-lived TCP flows over the fabric kinds, with the
// CPU stage costs of datapathtest.HostPath (500 cycles per packet each
// side, 100 + 0.1/byte for the copy), 10 Gbit/s hosts, 5 us links, MTU
// 1500:
//   - none-2node-1flow: today's direct link, one stream;
//   - switch-2node-1flow: the same through a ToR;
//   - leafspine-128node-1024flow: 8 leaves x 16 nodes, 4 spines at 40
//     Gbit/s (1:1), a random permutation of the nodes (no node to
//     itself) with 8 flows per pair: 1,024 flows (and 1 per pair: 128).
//
// A packet-hop is one link crossed by one delivered packet (data or ACK):
// 1 per packet without a fabric, 2 through a ToR, 4 across spines.
// cpu-ns/hop is the benchmark thread's CPU time per packet-hop (steadier
// than wall time on a shared machine; Linux only), ns/hop the wall time;
// MB the heap in use after the run; events/hop the engine events run
// (each link's head arrival is one, unless it runs inline: the ports
// have none of their own).
//
//	go test ./models/network -run '^$' -bench Fabric -benchtime 3x
func BenchmarkFabric(b *testing.B) {
	for _, tc := range fabricCases {
		b.Run(tc.name, func(b *testing.B) {
			var hops, wall, cpu, events float64
			var heap uint64
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for b.Loop() {
				c0, _ := threadCPU()
				c := network.DefaultConfig()
				c.Nodes, c.Fabric = tc.nodes, tc.fab
				e := sim.NewEngine()
				n, err := network.New(e, c)
				if err != nil {
					b.Fatal(err)
				}
				rng := rand.New(rand.NewPCG(1, 2))
				conns := dialStreams(b, n, c.CoresPerNode, tc.flows(rng), rng)
				e.RunUntil(tc.dur)
				c1, _ := threadCPU()
				cpu += c1 - c0
				events += float64(e.Executed())
				for _, conn := range conns {
					for _, ep := range []*tcp.Endpoint{conn.Client, conn.Server} {
						r := ep.Route()
						_, d, _ := r.Counts()
						hops += float64(d) * float64(r.Hops())
					}
				}
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				heap = max(heap, ms.HeapInuse)
				if err := n.Conservation(); err != nil {
					b.Fatal(err)
				}
			}
			wall = float64(b.Elapsed().Nanoseconds())
			b.ReportMetric(wall/hops, "ns/hop")
			if cpu > 0 {
				b.ReportMetric(cpu*1e9/hops, "cpu-ns/hop")
			}
			b.ReportMetric(hops/float64(b.N), "hops/op")
			b.ReportMetric(events/hops, "events/hop")
			b.ReportMetric(float64(heap)/1e6, "MB")
		})
	}
}

func pair(*rand.Rand) [][2]int { return [][2]int{{0, 1}} }

// dialStreams opens a long-lived TCP stream over datapathtest.HostPath(1)
// for each node pair, flow i on core i (mod cores) of both nodes, each
// started within the first 10 us.
func dialStreams(b *testing.B, n *network.Network, cores int, flows [][2]int, rng *rand.Rand) []*tcp.Conn {
	path := datapathtest.HostPath(1)
	var conns []*tcp.Conn
	for i, f := range flows {
		conn, err := tcp.Dial(n, tcp.Side{Node: f[0], Core: i % cores}, tcp.Side{Node: f[1], Core: i % cores},
			path, path, 1500, rng.Uint64(), tcp.Options{})
		if err != nil {
			b.Fatal(err)
		}
		conn.Client.Write(0, math.MaxInt64/2)
		conn.Connect(sim.Time(rng.Int64N(int64(10 * sim.Microsecond))))
		conns = append(conns, conn)
	}
	return conns
}

// permutation returns k flows from every node to its image under a random
// permutation without fixed points.
func permutation(nodes, k int) func(rng *rand.Rand) [][2]int {
	return func(rng *rand.Rand) [][2]int {
		var p []int
		for {
			p = rng.Perm(nodes)
			ok := true
			for i, j := range p {
				ok = ok && i != j
			}
			if ok {
				break
			}
		}
		var fl [][2]int
		for i, j := range p {
			for range k {
				fl = append(fl, [2]int{i, j})
			}
		}
		return fl
	}
}

// looper is a fixed-window flow without a transport: each packet
// delivered sends the next one on the same route at once, so W packets
// stay in flight (no ACKs, no losses with the buffers used here).
type looper struct {
	n         *network.Network
	r         *network.Route
	delivered uint64
}

func (l *looper) Deliver(p *network.Packet, at sim.Time) {
	l.n.Free(p)
	l.delivered++
	q := l.n.Alloc()
	q.IPBytes = 1500
	l.n.Send(l.r, q, 0, at)
}

// BenchmarkFabricWindow is BenchmarkFabric without TCP: fixed windows of
// 64 packets per flow (more than the bandwidth-delay product: the links
// stay busy, the switch buffers hold the excess), so it measures the
// network and the fabric alone: one flow between two nodes directly and
// through a ToR, and 128 flows on the 128-node leaf-spine (a random
// permutation).
//
//	go test ./models/network -run '^$' -bench FabricWindow -benchtime 3x
func BenchmarkFabricWindow(b *testing.B) {
	const W = 64
	for _, tc := range fabricCases[:3] { // as it always ran: without the 1,024-flow case
		b.Run(tc.name, func(b *testing.B) {
			var hops, cpu, events float64
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for b.Loop() {
				c0, _ := threadCPU()
				c := network.DefaultConfig()
				c.Nodes, c.Fabric = tc.nodes, tc.fab
				e := sim.NewEngine()
				n, err := network.New(e, c)
				if err != nil {
					b.Fatal(err)
				}
				rng := rand.New(rand.NewPCG(1, 2))
				var ls []*looper
				for i, f := range tc.flows(rng) {
					l := &looper{n: n}
					l.r, err = n.NewRoute(network.RouteSpec{Path: datapathtest.HostPath(1), Src: f[0], Dst: f[1], FlowKey: rng.Uint64(), RecvCore: i % c.CoresPerNode, To: l})
					if err != nil {
						b.Fatal(err)
					}
					for range W {
						p := n.Alloc()
						p.IPBytes = 1500
						n.Send(l.r, p, 0, 0)
					}
					ls = append(ls, l)
				}
				e.RunUntil(tc.dur)
				c1, _ := threadCPU()
				cpu += c1 - c0
				events += float64(e.Executed())
				for _, l := range ls {
					hops += float64(l.delivered) * float64(l.r.Hops())
				}
				if st := n.Stats(); st.Drops != 0 {
					b.Fatalf("%d drops", st.Drops)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/hops, "ns/hop")
			if cpu > 0 {
				b.ReportMetric(cpu*1e9/hops, "cpu-ns/hop")
			}
			b.ReportMetric(events/hops, "events/hop")
		})
	}
}
