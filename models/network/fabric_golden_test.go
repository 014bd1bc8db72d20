package network_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/internal/golden"
	"github.com/cnisim/cnisim/models/datapath/datapathtest"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/sim"
)

// TestFabricGolden pins congested leaf-spine runs (4 leaves x 8 nodes, 2
// spines at 3:1, 4 long-lived TCP flows per pair of a random permutation,
// 1 MB buffers so that queues fill and drop) for each buffer kind: every
// port's statistics, every route's counts, the packet counters and the
// cycles per node. It is the speed work's guard (queues, pipes, the event
// queue and the per-hop state may be rearranged, never the results):
// rerun with -update only for a change of the model.
//
//	go test ./models/network -run '^TestFabricGolden$' [-update]
func TestFabricGolden(t *testing.T) {
	var b strings.Builder
	for _, tc := range []struct {
		name    string
		perPort bool
		alpha   float64
	}{{"shared", false, 0}, {"per-port", true, 0}, {"dynamic-1", false, 1}} {
		fmt.Fprintf(&b, "== %s\n", tc.name)
		c := network.DefaultConfig()
		c.Nodes = 32
		c.Fabric = network.Fabric{Kind: network.FabricLeafSpine, Leaves: 4, Spines: 2, NodesPerLeaf: 8,
			UplinkGbps: 40.0 / 3, BufferBytes: 1_000_000, PerPort: tc.perPort, Alpha: tc.alpha,
			PerHop: 500 * sim.Nanosecond, StatsFrom: sim.Millisecond}
		e := sim.NewEngine()
		n, err := network.New(e, c)
		if err != nil {
			t.Fatal(err)
		}
		path := datapathtest.HostPath(1)
		rng := rand.New(rand.NewPCG(3, 4))
		var conns []*tcp.Conn
		for i, f := range permutation(c.Nodes, 4)(rng) {
			conn, err := tcp.Dial(n, tcp.Side{Node: f[0], Core: i % c.CoresPerNode}, tcp.Side{Node: f[1], Core: i % c.CoresPerNode},
				path, path, 1500, rng.Uint64(), tcp.Options{})
			if err != nil {
				t.Fatal(err)
			}
			conn.Client.Write(0, math.MaxInt64/2)
			conn.Connect(sim.Time(rng.Int64N(int64(10 * sim.Microsecond))))
			conns = append(conns, conn)
		}
		e.RunUntil(4 * sim.Millisecond)
		if err := n.Conservation(); err != nil {
			t.Fatal(err)
		}
		s := n.Stats()
		fmt.Fprintf(&b, "sent %d delivered %d in flight %d drops qdisc %d rx %d port %d\n",
			s.Sent, s.Delivered, s.InFlight, s.DropQdisc, s.DropRx, s.DropPort)
		for _, p := range s.Ports {
			fmt.Fprintf(&b, "%-14s drops %5d frames %6d bytes %9d max %8d mean %.6g util %.6g\n",
				p.Name, p.Drops, p.Frames, p.Bytes, p.MaxQueueBytes, p.MeanQueueBytes, p.Utilisation)
		}
		for i, conn := range conns {
			for _, ep := range []*tcp.Endpoint{conn.Client, conn.Server} {
				sent, del, drop := ep.Route().Counts()
				fmt.Fprintf(&b, "flow %3d %d->%d sent %d delivered %d dropped %d\n", i, ep.Route().Src(), ep.Route().Dst(), sent, del, drop)
			}
		}
		a := n.Accounting()
		for i := range a.Busy {
			var cyc float64
			for _, v := range a.Cycles[i] {
				cyc += v
			}
			fmt.Fprintf(&b, "node %2d cycles %.6g busy %d\n", i, cyc, a.Busy[i])
		}
	}
	golden.Check(t, "testdata/fabric.golden", []byte(b.String()))
}
