package simulate

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/models/datapath"
)

// clockProfile writes a profile at 2.4 GHz in which every stage kind costs
// nothing except socket_copy (one crossing on the sender, one on the
// receiver of the host plugin's path), which costs perPacket cycles per
// crossing and perByte cycles per byte, scaling as scaling says.
func clockProfile(t *testing.T, perPacket, perByte float64, scaling calibration.Scaling) string {
	t.Helper()
	p := &calibration.Profile{Name: "clocktest", GHz: 2.4, PerByteScaling: scaling}
	for _, k := range datapath.Kinds() {
		e := calibration.Entry{Stage: k.String(), Provenance: calibration.Assumed, Source: "test: free"}
		if k == datapath.SocketCopy {
			e.Cycles, e.CyclesPerByte, e.Source = perPacket, perByte, "test: the one priced stage"
		}
		p.Costs = append(p.Costs, e)
	}
	path := filepath.Join(t.TempDir(), "clock.toml")
	if err := p.Save(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// udpRate runs a sender-bound udp_stream on the host plugin with jitter 0
// and returns the datagrams sent per second.
func udpRate(t *testing.T, profile string, ghz float64) float64 {
	t.Helper()
	sc := scenarioFor("udp_stream")
	sc.CNI.Plugin, sc.CNI.Mode = "host", ""
	sc.Cluster.CPUJitter = 0
	sc.Cluster.CPUGHz = ghz
	sc.Cluster.LinkGbps = 100 // far above what the priced stage lets through
	sc.Calibration.Profile = profile
	sc.Workload.Placement = "inter"
	sc.Workload.RateMbps = 0 // as fast as the sender can
	return sample(t, sc, 0).Scalars[results.UDPSentPerSec]
}

// The clock model end to end (issue 20, item 4), in closed form with
// jitter 0. A sender bound by socket_copy sends GHz x 1e9 / (cycles per
// datagram) datagrams per second, the cycles per datagram being c + b x n
// for n bytes at the cluster's clock (1% tolerance: the window counts
// whole datagrams):
//   - per-crossing cycles only: the rate doubles with cpu_ghz;
//   - per-byte cycles, "clock": it doubles too (cycles are cycles);
//   - per-byte cycles, "fixed": it does not change (b / 2.4 ns per byte on
//     any cluster: a memory-bound copy).
//
// A model that scales everything with the clock fails the fixed case; one
// that scales nothing fails the other two.
func TestClockModelClosedForm(t *testing.T) {
	t.Parallel()
	// c: 100 us per datagram at 2.4 GHz; b: 83 ns per byte at 2.4 GHz, on
	// n = 1500 bytes, the IP packet of a datagram filling the pod MTU
	// (host plugin, no encapsulation; per-byte costs are per IP byte).
	const c, b, n = 240_000.0, 200.0, 1500.0
	for _, tc := range []struct {
		name        string
		perPacket   float64
		perByte     float64
		scaling     calibration.Scaling
		wantRatio   float64 // rate at 4.8 GHz / rate at 2.4 GHz
		closedAt2_4 float64 // datagrams/s at 2.4 GHz
	}{
		{"per packet", c, 0, "", 2, 2.4e9 / c},
		{"per packet fixed says nothing of packets", c, 0, calibration.ScaleFixed, 2, 2.4e9 / c},
		{"per byte clock", 0, b, calibration.ScaleClock, 2, 2.4e9 / (b * n)},
		{"per byte default is clock", 0, b, "", 2, 2.4e9 / (b * n)},
		{"per byte fixed", 0, b, calibration.ScaleFixed, 1, 2.4e9 / (b * n)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			prof := clockProfile(t, tc.perPacket, tc.perByte, tc.scaling)
			slow, fast := udpRate(t, prof, 2.4), udpRate(t, prof, 4.8)
			t.Logf("%.1f datagrams/s at 2.4 GHz, %.1f at 4.8 GHz", slow, fast)
			if slow <= 0 {
				t.Fatalf("rate %v at 2.4 GHz", slow)
			}
			if r := fast / slow; math.Abs(r-tc.wantRatio) > 0.01*tc.wantRatio {
				t.Errorf("rate %.1f/s at 2.4 GHz, %.1f/s at 4.8 GHz: ratio %.4f, want %g", slow, fast, r, tc.wantRatio)
			}
			if math.Abs(slow-tc.closedAt2_4) > 0.01*tc.closedAt2_4 {
				t.Errorf("rate %.1f/s at 2.4 GHz, want 2.4e9 / (c + b x n) = %.1f", slow, tc.closedAt2_4)
			}
		})
	}
}
