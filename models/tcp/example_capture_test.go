package tcp_test

import (
	"bytes"
	"fmt"
	"net/netip"

	"github.com/cnisim/cnisim/internal/pcap"
	"github.com/cnisim/cnisim/internal/wire"
	"github.com/cnisim/cnisim/models/datapath/datapathtest"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"

	"github.com/cnisim/cnisim/models/tcp"
)

// A connection captured on the server's node: the handshake and the
// first data segments, as tcpdump in the server's pod would list them.
func ExampleCapture() {
	e := sim.NewEngine()
	n, _ := network.New(e, network.DefaultConfig())
	capture := tcp.NewCapture([]int{1}, 1<<20, 5201)
	path := datapathtest.HostPath(1)
	conn, _ := tcp.Dial(n, tcp.Side{Node: 0}, tcp.Side{Node: 1, Core: 1}, path, path, 1500, 1, tcp.Options{Capture: capture})
	conn.Connect(0)
	conn.Client.Write(0, 3*1448)
	e.RunUntil(sim.Second)
	r, _ := pcap.NewReader(bytes.NewReader(capture.Files()[1]))
	for range 6 {
		rec, _ := r.Next()
		p, _ := wire.Decode(rec.Data)
		fmt.Printf("%6d ns  %v.%d > %v.%d  flags %#02x  payload %d\n", rec.TS, netip.AddrFrom4(p.IP.Src), p.TCP.SrcPort, netip.AddrFrom4(p.IP.Dst), p.TCP.DstPort, p.TCP.Flags, p.Payload)
	}
	// Output:
	//   5488 ns  10.0.0.2.1024 > 10.0.1.3.5201  flags 0x02  payload 0
	//   5488 ns  10.0.1.3.5201 > 10.0.0.2.1024  flags 0x12  payload 0
	//  16465 ns  10.0.0.2.1024 > 10.0.1.3.5201  flags 0x10  payload 0
	//  17696 ns  10.0.0.2.1024 > 10.0.1.3.5201  flags 0x10  payload 1448
	//  17696 ns  10.0.1.3.5201 > 10.0.0.2.1024  flags 0x10  payload 0
	//  18926 ns  10.0.0.2.1024 > 10.0.1.3.5201  flags 0x10  payload 1448
}
