package tcp

import (
	"math"
	"runtime"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// BenchmarkCapture is a VXLAN bulk transfer of 100 ms simulated without a
// capture, with one at the pods and one at the NICs (both nodes): the CPU
// time per simulated packet (a capture's Files, sorting and encoding,
// included) and the capture's bytes per packet.
//
//	go test ./models/tcp -run '^$' -bench Capture -benchtime 5x
func BenchmarkCapture(b *testing.B) {
	path := overlayPath()
	path.Encap = datapath.EncapVXLAN
	for _, mode := range []string{"off", "pod", "nic"} {
		b.Run(mode, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var pkts, bytes, cpu float64
			for b.Loop() {
				var cp *Capture
				if mode != "off" {
					cp = NewCapture(nil, 1<<32, 5201)
					cp.NIC = mode == "nic"
				}
				r := newRig(b, network.DefaultConfig(), path, 1450, Options{Capture: cp})
				r.c.Connect(0)
				r.c.Client.Write(0, math.MaxInt64/2)
				c0, _ := threadCPU()
				r.e.RunUntil(100 * sim.Millisecond)
				if cp != nil {
					for _, f := range cp.Files() {
						bytes += float64(len(f))
					}
				}
				c1, _ := threadCPU()
				cpu += c1 - c0
				pkts += float64(r.n.Stats().Sent)
			}
			if cpu > 0 {
				b.ReportMetric(cpu/pkts*1e9, "cpu-ns/pkt")
			}
			b.ReportMetric(bytes/pkts, "capture-bytes/pkt")
		})
	}
}
