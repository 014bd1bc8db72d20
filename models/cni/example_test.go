package cni_test

import (
	"fmt"
	"strings"

	"github.com/cnisim/cnisim/models/cni"
	"github.com/cnisim/cnisim/models/datapath"
)

// A built-in model: its modes, the default one, the pod MTU it leaves
// under a 1500-byte underlay, and the stages a packet crosses from the
// client pod's socket to the server pod's on another node (the paper's
// stage kinds; the generic kernel stages, netdev to syscall, left out).
// Flannel's VXLAN crosses the host IP stack twice on each node (fib,
// ip_forward, netfilter before and after the tunnel), as the paper found.
func ExampleModel() {
	m, err := cni.Builtin("flannel")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("modes:", strings.Join(m.ModeNames(), ", "), "- default", m.DefaultMode)
	md, _ := m.Mode("vxlan")
	podMTU, _ := m.PodMTU("vxlan", 1500, cni.PathOptions{})
	fmt.Println("vxlan:", md.NetworkModel, "pod MTU", podMTU)
	p, err := m.Graph("vxlan", datapath.Inter, cni.PathOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	var side [2][]string
	for _, s := range p.Steps {
		if s.Kind < datapath.Netdev {
			side[s.Side] = append(side[s.Side], s.Kind.String())
		}
	}
	fmt.Println("client node:", strings.Join(side[datapath.Src], " > "))
	fmt.Println("server node:", strings.Join(side[datapath.Dst], " > "))
	// Output:
	// modes: vxlan, udp, host-gw - default vxlan
	// vxlan: Hybrid+Overlay pod MTU 1450
	// client node: tcp > socket_copy > veth > fib > ip_forward > netfilter > vxlan > fib > ip_forward > netfilter > nic
	// server node: nic > fib > ip_forward > netfilter > vxlan > fib > ip_forward > netfilter > bridge > veth > tcp > socket_copy
}
