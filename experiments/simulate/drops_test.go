package simulate

import (
	"fmt"
	"testing"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/models/workload"
)

// TestDropsByPlace: drops_by_place says where packets were lost and its
// members sum to drops. Three runs, each losing packets in one place
// only: an incast of seven VXLAN senders into a switch with 200 kB of
// buffer (the switch), the same into single-core nodes behind a deep
// buffer (the receiving core cannot keep up: its RX ring), and an
// asynchronous CNI whose client pod sends its SYN before its network is
// ready (exactly that SYN). rx_drops_by_node puts the ring drops at the
// incast's receiver.
func TestDropsByPlace(t *testing.T) {
	t.Parallel()
	incast := `name = "drops"
replications = 1
duration = "30ms"
warmup = "5ms"
[cluster]
nodes = 8
cpu_jitter = 0
cores_per_node = %d
[fabric]
kind = "switch"
buffer_bytes = %d
[cni]
plugin = "flannel"
mode = "vxlan"
[workload]
kind = "tcp_stream"
pattern = "incast"
incast_senders = 7
pods_per_node = 4
`
	async := `name = "async"
seed = 5
replications = 1
duration = "3s"
warmup = "0s"
[cluster]
mtu = 9000
[cni]
plugin = "cilium"
setup_delay = "1800ms"
async_setup = true
[workload]
kind = "http_download"
client = "curl"
file_bytes = 100_000_000
`
	for _, tc := range []struct {
		name, src, place string
		exactly          float64 // 0: any number > 0
	}{
		{"switch buffer", fmt.Sprintf(incast, 2, 200_000), "switch", 0},
		{"rx ring", fmt.Sprintf(incast, 1, 12_000_000), "rx_ring", 0},
		{"async CNI", async, "cni_not_ready", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := loadScenario(t, tc.src)
			s := sample(t, sc, 0)
			by, drops := s.Groups[results.DropsByPlace], s.Scalars[results.Drops]
			if len(by) != len(workload.DropPlaces) {
				t.Fatalf("drops_by_place %v: want the members %v", by, workload.DropPlaces)
			}
			var sum float64
			for _, v := range by {
				sum += v
			}
			if sum != drops || drops == 0 {
				t.Errorf("drops_by_place %v sums to %v, drops %v (want equal, > 0)", by, sum, drops)
			}
			if by[tc.place] != drops || tc.exactly > 0 && drops != tc.exactly {
				t.Errorf("drops_by_place %v: want all %v drops at %s", by, drops, tc.place)
			}
			if nodes, ok := s.Groups[results.RxDropsByNode]; ok {
				// the incast's receiver, node 0, is the one whose rings drop
				var sum float64
				for _, v := range nodes {
					sum += v
				}
				if sum != by["rx_ring"] || nodes["node0"] != sum {
					t.Errorf("rx_drops_by_node %v: want node 0's to be all %v of drops_by_place.rx_ring", nodes, by["rx_ring"])
				}
			} else if tc.place != "cni_not_ready" {
				t.Error("no rx_drops_by_node for cluster traffic")
			}
		})
	}
}
