package network_test

import (
	"fmt"
	"math"

	"github.com/cnisim/cnisim/models/datapath/datapathtest"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/sim"
)

// Two DCTCP flows from two nodes into a third through a ToR whose ports
// mark ECN above 30 frames: once slow start is over, the queue toward the
// receiver stays near the threshold, and nothing is dropped; CUBIC through the same switch is not
// ECN-capable, fills the 2 MB buffer and loses packets.
func ExampleFabric_ecn() {
	for _, cc := range []string{tcp.DCTCP, tcp.Cubic} {
		c := network.DefaultConfig()
		c.Nodes = 3
		c.Fabric = network.Fabric{Kind: network.FabricSwitch, BufferBytes: 2_000_000, ECNThreshold: 30 * 1538,
			StatsFrom: 20 * sim.Millisecond} // after slow start's overshoot
		e := sim.NewEngine()
		n, _ := network.New(e, c)
		path := datapathtest.HostPath(1)
		for i := 1; i <= 2; i++ {
			conn, _ := tcp.Dial(n, tcp.Side{Node: i}, tcp.Side{Node: 0, Core: i}, path, path, 1500, uint64(i), tcp.Options{Congestion: cc})
			conn.Client.Write(0, math.MaxInt64/2)
			conn.Connect(0)
		}
		e.RunUntil(100 * sim.Millisecond)
		st := n.Stats()
		p := st.Ports[0] // toward node 0
		fmt.Printf("%s: queue peak %d frames, %d marked, %d dropped\n", cc, p.MaxQueueBytes/1538, p.ECNMarks, st.DropPort)
	}
	// Output:
	// dctcp: queue peak 34 frames, 11566 marked, 0 dropped
	// cubic: queue peak 1300 frames, 0 marked, 1321 dropped
}
