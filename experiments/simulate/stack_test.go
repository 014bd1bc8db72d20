package simulate

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
)

// stackSrc is calibration/tsq/rtt-under-load.toml, shortened: a pod's
// CUBIC stream into a 1,000-packet FIFO with a request-response probe
// beside it, where every Linux behaviour changes the run.
const stackSrc = `name = "stack"
replications = 1
duration = "3s"
warmup = "1s"
[cluster]
link_gbps = 0.1
link_delay = "1us"
frame_overhead = 14
tbf_burst_frames = 10
cpu_jitter = 0.0
%s
[cni]
plugin = "calico"
mode = "native"
[workload]
kind = "mixed"
streams = 1
bulk_streams = 1
[tcp]
%s
`

// TestLinuxStack: tcp.stack = "linux" is the run its keys give one by
// one, model options and results alike, and not the default's.
func TestLinuxStack(t *testing.T) {
	t.Parallel()
	stack := loadScenario(t, fmt.Sprintf(stackSrc, "", `stack = "linux"`))
	keys := loadScenario(t, fmt.Sprintf(stackSrc, "tsq_orphan = true", `hz = 250
ack_policy = "linux"
rto_from_head = true
linux_tsq = true
linux_cubic = true`))
	rfc := loadScenario(t, fmt.Sprintf(stackSrc, "", ""))
	a, err := Config(stack, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Config(keys, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if a.TCP != b.TCP || !reflect.DeepEqual(a.Cluster, b.Cluster) {
		t.Fatalf("tcp.stack = linux: TCP %+v, cluster TSQOrphan %v; the keys: %+v, %v", a.TCP, a.Cluster.TSQOrphan, b.TCP, b.Cluster.TSQOrphan)
	}
	var got []run.Sample
	for _, sc := range []*scenario.Scenario{stack, keys, rfc} {
		s, err := Run(context.Background(), sc, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	if !reflect.DeepEqual(got[0], got[1]) {
		t.Errorf("tcp.stack = linux ran %v Mbit/s, %v retransmissions; its keys %v, %v",
			got[0].Scalars[results.ThroughputMbps], got[0].Scalars[results.Retransmissions],
			got[1].Scalars[results.ThroughputMbps], got[1].Scalars[results.Retransmissions])
	}
	// the probe waits behind the stream's queue only when the node's IP
	// stack orphans the pod's packets: a tenth of a second against a hundredth
	lx, df := median(got[0].Dists[results.RTTMicros]), median(got[2].Dists[results.RTTMicros])
	t.Logf("probe RTT median: linux %.0f us, rfc %.0f us", lx, df)
	if df <= 0 || lx < 3*df {
		t.Errorf("probe RTT: linux %.0f us, rfc %.0f us: want the linux stack's queue", lx, df)
	}
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
