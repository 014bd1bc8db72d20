package scenario_test

import (
	"fmt"
	"strings"

	"github.com/cnisim/cnisim/experiments/scenario"
)

// Load decodes a scenario, fills every key the file leaves out with its
// default, applies --set overrides and expands the sweep: here 2 MTUs x 2
// modes, with --set pinning the replications. A mistake (an unknown key, a
// value out of range) is an error naming the file, the line and the key.
func ExampleLoad() {
	file := []byte(`
name = "flannel-mtu"
[cni]
plugin = "flannel"
[sweep]
"cluster.mtu" = [1500, 9000]
"cni.mode" = ["vxlan", "host-gw"]
`)
	set, err := scenario.ParseSet("replications=3")
	if err != nil {
		fmt.Println(err)
		return
	}
	plan, err := scenario.Load("flannel-mtu.toml", file, scenario.Options{Overrides: []scenario.Override{set}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(plan.Len(), "points x", plan.Base.Replications, "replications of", plan.Base.Workload.Kind, plan.Base.Duration)
	for i := range plan.Len() {
		pt := plan.Point(i)
		sc := pt.Scenario // the base with the point's values set
		fmt.Println(scenario.FormatParams(pt.Params), "->", sc.CNI.Plugin, sc.CNI.Mode, sc.Cluster.MTU, "on", sc.Cluster.LinkGbps, "Gbit/s")
	}
	_, err = scenario.Load("bad.toml", []byte("[cluster]\nmtu = 1500\nmtus = 9000\n"), scenario.Options{})
	msg, _, _ := strings.Cut(err.Error(), " (") // then the allowed keys
	fmt.Println(msg)
	// Output:
	// 4 points x 3 replications of tcp_stream 10s
	// {cluster.mtu=1500, cni.mode="vxlan"} -> flannel vxlan 1500 on 10 Gbit/s
	// {cluster.mtu=1500, cni.mode="host-gw"} -> flannel host-gw 1500 on 10 Gbit/s
	// {cluster.mtu=9000, cni.mode="vxlan"} -> flannel vxlan 9000 on 10 Gbit/s
	// {cluster.mtu=9000, cni.mode="host-gw"} -> flannel host-gw 9000 on 10 Gbit/s
	// bad.toml:3: cluster.mtus: unknown key
}
