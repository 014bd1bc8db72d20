package simulate

import (
	"math"
	"testing"

	"github.com/cnisim/cnisim/experiments/results"
)

// The host's CPU in the results (issue 20): per node and context, cycles
// per byte, and udp_stream's sender rate and loss; workload.write_bytes
// and cluster.nic_offloads reach the model.
func TestHostCostMetrics(t *testing.T) {
	t.Parallel()
	sc := scenarioFor("udp_stream")
	sc.Cluster.CPUJitter = 0
	s := sample(t, sc, 0)
	if _, ok := s.Scalars[results.UDPLoss]; !ok || s.Scalars[results.UDPSentPerSec] <= 0 {
		t.Errorf("udp_stream: scalars %v, want udp_loss and udp_sent_per_s > 0", s.Scalars)
	}
	by := s.Groups[results.CPUCoresUsedByNode]
	for _, node := range []string{"node0", "node1"} {
		// the accounting's cycles vs the cores' busy time: equal up to
		// the picosecond rounding of each job
		parts := by[node+"_softirq"] + by[node+"_process"] + by[node+"_daemon"]
		if by[node] <= 0 || parts <= 0 || parts > by[node]*(1+1e-5) {
			t.Errorf("%s: %v cores busy, %v by context (softirq + process + daemon)", node, by[node], parts)
		}
		if s.Groups[results.CyclesPerByte][node] <= 0 {
			t.Errorf("cycles_per_byte[%s] = %v", node, s.Groups[results.CyclesPerByte][node])
		}
	}
	// with the paper profile (syscall 0) the call size changes nothing
	tput := map[int]float64{}
	for _, w := range []int{16 << 10, 128 << 10} {
		sc := scenarioFor("tcp_stream")
		sc.Cluster.CPUJitter = 0
		sc.Workload.WriteBytes = w
		tput[w] = sample(t, sc, 0).Scalars[results.ThroughputMbps]
	}
	if tput[16<<10] != tput[128<<10] {
		t.Errorf("paper profile: throughput by write_bytes %v, want equal (it prices no call)", tput)
	}
	// a NIC without GRO or tunnel segmentation never helps (beyond the
	// last digits of a wire-bound run, where when ACKs fall moves it)
	var prev = math.Inf(1)
	for _, nic := range []string{"all", "tso,gro", "none"} {
		sc := scenarioFor("tcp_stream")
		sc.Cluster.CPUJitter = 0
		sc.Cluster.Offloads = true
		sc.Cluster.NICOffloads = nic
		got := sample(t, sc, 0).Scalars[results.ThroughputMbps]
		if got > prev*(1+1e-4) {
			t.Errorf("nic_offloads %q: %.1f Mbit/s, more than %.1f with more offloads", nic, got, prev)
		}
		prev = got
	}
}
