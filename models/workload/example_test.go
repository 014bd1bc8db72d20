package workload_test

import (
	"fmt"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/models/cni"
	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/models/workload"
	"github.com/cnisim/cnisim/sim"
)

// One replication of an iperf3-like TCP stream between pods on two nodes
// (10 GbE, MTU 1500) through Calico's native routing without policy, costed
// by the built-in paper profile: the paths come from the CNI model, the
// costs from the profile, and Run returns what iperf3 would report.
// Experiments do the same through experiments/simulate for every sweep
// point and replication.
func ExampleRun() {
	m, err := cni.Builtin("calico")
	if err != nil {
		fmt.Println(err)
		return
	}
	prof, err := calibration.Builtin("paper")
	if err != nil {
		fmt.Println(err)
		return
	}
	var opt cni.PathOptions
	fwd, err := m.Path("native", datapath.Inter, opt, prof)
	if err != nil {
		fmt.Println(err)
		return
	}
	rev, err := m.ReturnPath("native", datapath.Inter, opt, prof)
	if err != nil {
		fmt.Println(err)
		return
	}
	podMTU, _ := m.PodMTU("native", 1500, opt)
	r, err := workload.Run(workload.Config{
		Cluster:   network.DefaultConfig(), // 2 nodes, 10 Gbit/s, MTU 1500
		Placement: datapath.Inter,
		Forward:   fwd,
		Reverse:   rev,
		PodMTU:    podMTU,
		Duration:  200 * sim.Millisecond,
		Warmup:    50 * sim.Millisecond,
		Seed:      1,
		Workload:  workload.Workload{Kind: workload.TCPStream},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The wire's bound: 10 Gbit/s x MSS / (MTU + 38 bytes of framing).
	bound := datapath.Goodput(10e9, podMTU, fwd.EncapBytes, 38) / 1e9
	fmt.Printf("pod MTU %d: %.2f Gbit/s of the wire's %.2f, receiver %.1f cores busy\n", podMTU, r.ThroughputMbps/1000, bound, r.CPUCoresUsed)
	// Output:
	// pod MTU 1500: 9.41 Gbit/s of the wire's 9.41, receiver 1.0 cores busy
}
