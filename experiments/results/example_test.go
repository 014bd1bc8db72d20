package results_test

import (
	"fmt"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/scenario"
)

// A port log (scenario key port_log) as ports.csv holds it: a row per
// switch port of every replication, after the swept keys, the replication
// and its seed, the port's name and tier.
func ExampleNewPorts() {
	axes := []scenario.Axis{{Key: "cni.mode"}}
	t := results.NewPorts(axes)
	t.AddLabelled([]scenario.Param{{Key: "cni.mode", Value: "vxlan"}}, 0, 42,
		[][]string{{"leaf0.node0", "leaf0.spine1"}, {"to_node", "to_spine"}},
		map[string][]float64{
			"drops": {0, 12}, "early_drops": {0, 0}, "frames": {9000, 31000}, "bytes": {13842000, 47678000}, "ecn_marks": {0, 0},
			"queue_max_bytes": {3076, 1200000}, "queue_mean_bytes": {120.5, 402000}, "utilisation": {0.28, 0.97}, "failed": {0, 0},
		})
	fmt.Print(string(t.Bytes()))
	// Output:
	// param.cni.mode,replication,seed,port,tier,drops,early_drops,frames,bytes,ecn_marks,queue_max_bytes,queue_mean_bytes,utilisation,failed
	// vxlan,0,42,leaf0.node0,to_node,0,0,9000,13842000,0,3076,120.5,0.28,0
	// vxlan,0,42,leaf0.spine1,to_spine,12,0,31000,47678000,0,1200000,402000,0.97,0
}
