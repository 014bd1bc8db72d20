package simulate

import (
	"context"
	"fmt"
	"testing"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
)

// qdiscSrc: a pod's bulk CUBIC stream through its node's 100 Mbit/s NIC,
// a back-to-back 1-byte request-response probe beside it, Linux's TCP.
const qdiscSrc = `name = "qdisc"
replications = 1
duration = "3s"
warmup = "1s"
[cluster]
link_gbps = 0.1
link_delay = "1us"
cpu_jitter = 0.0
qdisc = "%s"
offloads = %v
[cni]
plugin = "calico"
mode = "native"
[workload]
kind = "mixed"
streams = 1
bulk_streams = 1
[tcp]
stack = "linux"
ecn = %v
`

// TestFQCodelScenario: behind a FIFO the probe waits for the stream's
// queue (1,000 packets, a tenth of a second); behind fq_codel its packets
// go first (a new flow each time) and the stream's queue is held by
// CoDel's drops, or by CE marks and no drop at all when it is
// ECN-capable, and with offloads too; the link stays busy either way.
func TestFQCodelScenario(t *testing.T) {
	t.Parallel()
	runOne := func(qdisc string, ecn bool, offloads ...bool) (run.Sample, float64) {
		s, err := Run(context.Background(), loadScenario(t, fmt.Sprintf(qdiscSrc, qdisc, len(offloads) > 0, ecn)), 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		rtt := median(s.Dists[results.RTTMicros])
		t.Logf("%s ecn=%v: probe RTT median %.0f us, throughput %.1f Mbit/s, drops %v, retransmissions %v",
			qdisc, ecn, rtt, s.Scalars[results.ThroughputMbps], s.Scalars[results.Drops], s.Scalars[results.Retransmissions])
		return s, rtt
	}
	fifo, fifoRTT := runOne("pfifo", false)
	fq, fqRTT := runOne("fq_codel", false)
	mk, _ := runOne("fq_codel", true)
	tso, tsoRTT := runOne("fq_codel", false, true) // GSO/TSO super-packets in the flow queues
	if fifoRTT < 50_000 || fqRTT <= 0 || fqRTT > 1_000 || tsoRTT <= 0 || tsoRTT > 1_000 {
		t.Errorf("probe RTT median: %.0f us behind the FIFO, %.0f behind fq_codel, %.0f with offloads: want a tenth of a second, and under a millisecond",
			fifoRTT, fqRTT, tsoRTT)
	}
	if fq.Scalars[results.Drops] == 0 || fq.Scalars[results.NICECNMarks] != 0 ||
		mk.Scalars[results.Drops] != 0 || mk.Scalars[results.Retransmissions] != 0 || mk.Scalars[results.NICECNMarks] == 0 {
		t.Errorf("drops and marks: %v and %v without ECN, %v and %v (retransmissions %v) with it: want CoDel's drops, then marks instead",
			fq.Scalars[results.Drops], fq.Scalars[results.NICECNMarks], mk.Scalars[results.Drops], mk.Scalars[results.NICECNMarks],
			mk.Scalars[results.Retransmissions])
	}
	if _, ok := fifo.Scalars[results.NICECNMarks]; ok {
		t.Error("nic_ecn_marks reported behind a FIFO")
	}
	for name, s := range map[string]run.Sample{"pfifo": fifo, "fq_codel": fq, "fq_codel with ECN": mk, "fq_codel with offloads": tso} {
		// the probe's packets take their share of the link behind fq_codel
		if got := s.Scalars[results.ThroughputMbps]; got < 85 {
			t.Errorf("%s: %.1f Mbit/s of 100", name, got)
		}
	}
}
