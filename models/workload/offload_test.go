package workload

import (
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
)

// TestOffloadsLiftCPUBoundStream: a path whose per-packet cycles bind a
// core well below the link (scale 8: 4000 send-side and 4000 softirq
// cycles, about 4 Gbit/s at 2.4 GHz) reaches the link with GSO/GRO,
// whose super-packets pay those cycles once per many segments, and the
// receiving node's cycles per data packet fall; intra-host, where GSO
// super-packets reach the socket whole, likewise. Conservation holds (run
// checks it).
func TestOffloadsLiftCPUBoundStream(t *testing.T) {
	t.Parallel()
	for _, place := range []datapath.Placement{datapath.Inter, datapath.Intra} {
		var tput, cpp [2]float64
		for i, on := range []bool{false, true} {
			cfg := baseConfig(TCPStream)
			cfg.Placement = place
			path := hostPath(8)
			path.InterHost = place == datapath.Inter
			cfg.Forward, cfg.Reverse = path, path
			cfg.Cluster.Offloads = on
			r := run(t, cfg)
			tput[i], cpp[i] = r.ThroughputMbps, r.CPPTotal
		}
		t.Logf("%v: %.0f -> %.0f Mbit/s, %.0f -> %.0f cycles per packet", place, tput[0], tput[1], cpp[0], cpp[1])
		if tput[1] < 1.5*tput[0] {
			t.Errorf("%v: offloads raise throughput %.0f -> %.0f Mbit/s, want at least 1.5x", place, tput[0], tput[1])
		}
		if place == datapath.Inter && tput[1] > 10000*1448/1538.0*1.001 {
			t.Errorf("%v: %.0f Mbit/s is above the link's goodput", place, tput[1])
		}
		if cpp[1] > 0.7*cpp[0] {
			t.Errorf("%v: cycles per packet %.0f -> %.0f, want a clear fall", place, cpp[0], cpp[1])
		}
	}
}
