package tcp_test

import (
	"fmt"
	"math"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/datapath/datapathtest"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/sim"
)

// A pod's bulk stream through its node's 100 Mbit/s NIC and 1,000-packet
// FIFO, for 4 s. As modelled by default, TCP small queues hold the
// socket's bytes in the NIC queue to 256 KiB: a short queue, no loss.
// Linux takes the pod's packets from its socket in the node's IP stack
// (network.Config.TSQOrphan), so the stream fills the FIFO (121 ms of
// it); RFC 9438's slow start then runs into the full queue, where Linux's
// CUBIC (Options.LinuxCubic, HyStart) leaves it early and loses little.
func ExampleOptions_linuxCubic() {
	pod := datapathtest.HostPath(1) // a node's IP stack between the pod and the NIC
	pod.Steps = append(pod.Steps[:1:1], append([]datapath.CostedStep{
		datapathtest.Step(datapath.IPRcv, datapath.Src, datapath.Softirq, 400, 0)}, pod.Steps[1:]...)...)
	for _, tc := range []struct {
		name          string
		orphan, linux bool
	}{{"modelled TSQ", false, false}, {"orphaned, RFC 9438", true, false}, {"orphaned, Linux's CUBIC", true, true}} {
		c := network.DefaultConfig()
		c.LinkGbps, c.QdiscLen, c.TSQOrphan = 0.1, 1000, tc.orphan
		e := sim.NewEngine()
		n, _ := network.New(e, c)
		conn, _ := tcp.Dial(n, tcp.Side{Node: 0}, tcp.Side{Node: 1, Core: 1}, pod, pod, 1500, 1, tcp.Options{LinuxCubic: tc.linux})
		conn.Client.Write(0, math.MaxInt64/2)
		conn.Connect(0)
		e.RunUntil(4 * sim.Second)
		fmt.Printf("%s: srtt %.0f ms, %d retransmissions\n", tc.name, conn.Client.SRTT().Seconds()*1000, conn.Client.Stats.Retrans)
	}
	// Output:
	// modelled TSQ: srtt 15 ms, 0 retransmissions
	// orphaned, RFC 9438: srtt 101 ms, 1413 retransmissions
	// orphaned, Linux's CUBIC: srtt 102 ms, 51 retransmissions
}
