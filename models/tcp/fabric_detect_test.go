package tcp

import (
	"math"
	"testing"

	"github.com/cnisim/cnisim/models/datapath/datapathtest"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// TestFabricLossRecovery runs many flows through a leaf-spine with tiny
// port buffers (8 packets per port on a leaf: 6 ports), so recoveries overlap, retransmissions are lost again and
// the scoreboards hold many holes; with the package's referenceDetect hook
// every ACK's detectLostRetx is checked against the whole-log scan.
func TestFabricLossRecovery(t *testing.T) {
	c := network.DefaultConfig()
	c.Nodes = 8
	c.Fabric = network.Fabric{Kind: network.FabricLeafSpine, Leaves: 2, Spines: 2, NodesPerLeaf: 4,
		UplinkGbps: 10, BufferBytes: 6 * 8 * 1500, PerPort: true}
	e := sim.NewEngine()
	n, err := network.New(e, c)
	if err != nil {
		t.Fatal(err)
	}
	path := datapathtest.HostPath(1)
	var conns []*Conn
	for i := range 32 {
		src, dst := i%8, (i%8+3+i/8)%8
		if dst == src {
			dst = (dst + 1) % 8
		}
		conn, err := Dial(n, Side{Node: src, Core: i % c.CoresPerNode}, Side{Node: dst, Core: i % c.CoresPerNode},
			path, path, 1500, uint64(i)*7919+1, Options{})
		if err != nil {
			t.Fatal(err)
		}
		conn.Client.Write(0, math.MaxInt64/2)
		conn.Connect(sim.Time(i) * sim.Microsecond)
		conns = append(conns, conn)
	}
	e.RunUntil(50 * sim.Millisecond)
	var fast, retx, reordered uint64
	for _, conn := range conns {
		fast += conn.Client.Stats.FastRetrans
		retx += conn.Client.Stats.Retrans
		reordered += conn.Client.Stats.Reordered + conn.Server.Stats.Reordered
	}
	if fast < 32 || retx < 1000 {
		t.Fatalf("%d recoveries and %d retransmissions: the test needs many losses", fast, retx)
	}
	// ECMP hashes a flow onto one path and a socket sends in order, so
	// however much is lost nothing may arrive out of order: a segment
	// that does is a reordering the model made itself.
	if reordered != 0 {
		t.Errorf("%d original segments arrived after later ones without a path change", reordered)
	}
	if err := n.Conservation(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d recoveries, %d retransmissions", fast, retx)
}
