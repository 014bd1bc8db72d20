package service

import "math/rand/v2"

// NodePort traffic (externalTrafficPolicy=Cluster): a client outside the
// cluster connects to a node's address at a Service's node port. The node
// that receives the connection's first packet (the ingress node) walks its
// proxy's node-port rules, picks an endpoint among all of the Service's,
// DNATs to it and, because the endpoint may be on another node, SNATs
// (masquerades) the packet to its own address so the reply comes back
// through it; when the endpoint is elsewhere the packet takes a second hop
// to the endpoint's node over the CNI's inter-node path.
//
// Every Service is taken to be of type NodePort (KUBE-NODEPORTS holds one
// rule per Service port, in KUBE-SERVICES' order), so Plan.Pick's position
// is also the node port's position. With externalTrafficPolicy=Local the
// ingress node picks among its own endpoints only and does not SNAT
// (NodePortLocalFirstPacket, PickNodePortLocal).

// NodePortStructures is the node-port part of each proxy's rule structure
// as data, with its source.
var NodePortStructures = map[Proxy]string{
	IPTables: "kube-proxy iptables mode (kubernetes pkg/proxy/iptables/proxier.go, the externalTrafficChain block: " +
		"'masquerade traffic for %s external destinations' -j KUBE-MARK-MASQ, then the jump to the policy chain): a packet to a node " +
		"address misses every KUBE-SERVICES ClusterIP rule and matches its last (-m addrtype --dst-type LOCAL -j KUBE-NODEPORTS: " +
		"ports + 1 rules), walks KUBE-NODEPORTS (one --dport rule per node port) to its port, enters KUBE-EXT-* (2 rules: the " +
		"KUBE-MARK-MASQ jump and the KUBE-SVC-* jump), KUBE-MARK-MASQ (1 rule: --or-mark 0x4000), KUBE-SVC-* (the statistic " +
		"rules, as for a ClusterIP) and KUBE-SEP-* (2 rules); at POSTROUTING KUBE-POSTROUTING evaluates 3 rules for a marked " +
		"packet (the unmarked RETURN test, --xor-mark, MASQUERADE). 7 chains.",
	NFTables: "kube-proxy nftables mode (kubernetes pkg/proxy/nftables/proxier.go, as recalled, not re-read here): the services " +
		"chain's service-ips vmap misses (1 rule, 1 lookup), its nodeport rule tests the local address (1 rule, 1 lookup) and " +
		"looks the port up in the service-nodeports vmap (1 rule, 1 lookup); the external chain jumps to mark-for-masquerade " +
		"(1 rule, whose 1 rule sets the mark) and goes to the service chain (1 rule); the service chain's numgen vmap (1 rule, " +
		"1 lookup) and the endpoint chain (2 rules); masquerading evaluates 3 rules for a marked packet. Flat in the Services.",
	IPVS: "kube-proxy IPVS mode (kubernetes pkg/proxy/ipvs/README.md, as recalled): KUBE-SERVICES' fixed rules miss the " +
		"KUBE-CLUSTER-IP set (2 rules, 1 lookup), its addrtype LOCAL rule jumps to KUBE-NODE-PORT (1 rule), whose " +
		"KUBE-NODE-PORT-TCP set match marks for masquerade (1 rule, 1 lookup; KUBE-MARK-MASQ 1 rule); ip_vs_in looks the " +
		"virtual service up and ip_vs_conn_new adds the connection (2 lookups); KUBE-POSTROUTING 3 rules. 4 chains.",
	EBPFTC: "Cilium's node-port load balancer at the ingress node's tc/XDP hook (cilium bpf/bpf_host.c, bpf/lib/nodeport.h " +
		"nodeport_lb4, as recalled): the Service, backend slot and backend lookups (3); a remote backend adds the SNAT " +
		"(snat_v4_nat: a lookup of the flow's SNAT entry and its insert, 2); a local backend is not SNATed. Socket LB " +
		"(ebpf-socket) translates only local connect() calls, so external traffic takes this path in both eBPF modes.",
}

// nodePortStructure is the structure that translates node-port traffic
// under proxy p (eBPF socket LB does not see it).
func nodePortStructure(p Proxy) Proxy {
	if p == EBPFSocket {
		return EBPFTC
	}
	return p
}

// NodePortFirstPacket is the walk, on the ingress node, of the packet
// opening a connection to the node port at pos (1-based among ports
// Service ports, every Service being a NodePort one) choosing endpoint ep
// (0-based) of n; remote says the endpoint is on another node (only eBPF's
// SNAT depends on it: kube-proxy marks for masquerade before it picks).
func (s Structure) NodePortFirstPacket(pos, ports, ep, n int, remote bool) Walk {
	svc := ep + 1 // KUBE-SVC-* statistic rules evaluated, as FirstPacket
	if ep == n-1 {
		svc = n
	}
	switch nodePortStructure(s.Proxy) {
	case IPTables:
		return Walk{Rules: float64(ports+1) + float64(pos) + 2 + 1 + float64(svc) + 2, PostRules: 3, Chains: 7}
	case NFTables:
		return Walk{Rules: 9, PostRules: 3, Chains: 7, Lookups: 4}
	case IPVS:
		return Walk{Rules: 5, PostRules: 3, Chains: 4, Lookups: 4}
	case EBPFTC:
		if remote {
			return Walk{Lookups: 5}
		}
		return Walk{Lookups: 3}
	}
	return Walk{}
}

// NodePortMeanRules is the closed form of the iptables node-port walk's
// mean rule count over uniform node ports and the statistic endpoint
// choice: all ports ClusterIP rules and the KUBE-NODEPORTS jump, (ports+1)/2
// node-port rules, 3 in KUBE-EXT-* and KUBE-MARK-MASQ, (n+1)/2 statistic
// rules, 2 in KUBE-SEP-* (and 3 at POSTROUTING, in PostRules).
func NodePortMeanRules(ports, n int) float64 {
	return float64(ports) + 1 + float64(ports+1)/2 + 3 + float64(n+1)/2 + 2
}

// Masquerades reports whether node-port traffic to an endpoint is SNATed
// at the ingress node: always under kube-proxy with
// externalTrafficPolicy=Cluster, only toward a remote endpoint under eBPF,
// never with externalTrafficPolicy=Local.
func (p *Plan) Masquerades(remote bool) bool {
	if p.Local() {
		return false
	}
	switch nodePortStructure(p.Structure.Proxy) {
	case EBPFTC:
		return remote
	case None:
		return false
	}
	return true
}

// NodePortFirstCycles is what the ingress node pays for the first packet
// of a node-port connection: the walk and the connection's entry.
func (p *Plan) NodePortFirstCycles(pos, ep int, remote bool) float64 {
	if p.Structure.Proxy == None {
		return 0
	}
	st := Structures[nodePortStructure(p.Structure.Proxy)]
	return p.Cycles(st.NodePortFirstPacket(pos, p.Ports(), ep, p.Config.Endpoints, remote)) + nodePortCT(p).NewCycles
}

// NodePortLocalFirstCycles is NodePortFirstCycles with
// externalTrafficPolicy=Local: endpoint j of the ingress node's n.
func (p *Plan) NodePortLocalFirstCycles(pos, j, n int) float64 {
	if p.Structure.Proxy == None {
		return 0
	}
	st := Structures[nodePortStructure(p.Structure.Proxy)]
	return p.Cycles(st.NodePortLocalFirstPacket(pos, p.Ports(), j, n)) + nodePortCT(p).NewCycles
}

// Local reports externalTrafficPolicy=Local.
func (p *Plan) Local() bool { return p.Config.ExternalTrafficPolicy == PolicyLocal }

// NodePortLocalFirstPacket is NodePortFirstPacket with
// externalTrafficPolicy=Local: ep is the index among the ingress node's n
// local endpoints. As recalled from kube-proxy (pkg/proxy/iptables/
// proxier.go, the external chain of a Local Service; not re-read here):
// KUBE-EXT-* tests the pod-CIDR source, masquerades and routes
// LOCAL-source traffic (3 rules that external traffic misses) and jumps
// to KUBE-SVL-* (1), whose statistic rules pick among the local
// endpoints; no KUBE-MARK-MASQ, so POSTROUTING evaluates only its first
// rule (RETURN for unmarked packets). nftables: the same 4 external-chain
// rules instead of 2 + the mark-for-masquerade rule, 1 rule at
// masquerading. IPVS: KUBE-NODE-PORT's local set returns (1 rule, 1
// lookup) instead of marking; 1 POSTROUTING rule. eBPF: the service,
// backend slot and backend lookups, no SNAT.
func (s Structure) NodePortLocalFirstPacket(pos, ports, ep, n int) Walk {
	svc := ep + 1
	if ep == n-1 {
		svc = n
	}
	switch nodePortStructure(s.Proxy) {
	case IPTables:
		return Walk{Rules: float64(ports+1) + float64(pos) + 4 + float64(svc) + 2, PostRules: 1, Chains: 6}
	case NFTables:
		return Walk{Rules: 10, PostRules: 1, Chains: 6, Lookups: 4}
	case IPVS:
		return Walk{Rules: 4, PostRules: 1, Chains: 3, Lookups: 4}
	case EBPFTC:
		return Walk{Lookups: 3}
	}
	return Walk{}
}

// nodePortCT is the connection entry node-port traffic creates: the
// node-port structure's (eBPF socket LB's external traffic gets the tc
// path's CT entry).
func nodePortCT(p *Plan) ConntrackCost {
	return ConntrackCosts[Structures[nodePortStructure(p.Structure.Proxy)].Conntrack]
}

// NodePortPacketCycles is the ingress node's per-packet cost of an
// established node-port connection toward the endpoint (forward) and back
// (reverse): the mode's established work (eBPF socket LB's tc path) and
// one NAT rewrite per translation: DNAT, plus SNAT when masqueraded
// (netfilter rewrites at PREROUTING and at POSTROUTING, each a
// nf_nat_manip_pkt).
func (p *Plan) NodePortPacketCycles(remote bool) (forward, reverse float64) {
	if p.Structure.Proxy == None {
		return 0, 0
	}
	st := Structures[nodePortStructure(p.Structure.Proxy)]
	nat := nodePortCT(p).NATCycles
	rewrites := 1.0
	if p.Masquerades(remote) {
		rewrites = 2
	}
	return p.Cycles(st.Established) + rewrites*nat, p.Cycles(st.Reverse) + rewrites*nat
}

// EndpointNode is the node endpoint ep runs on when a Service's endpoints
// are spread round-robin over nodes (the scheduler's spreading of a
// Deployment's replicas, one per node while there are nodes left).
func EndpointNode(ep, nodes int) int { return ep % nodes }

// PickNodePort draws a node-port connection entering at ingress (0-based
// among nodes nodes): the Service port and endpoint as Pick, and whether
// the endpoint is on another node (the second hop). With n endpoints one
// per node and n nodes that is (n-1)/n of the connections; with ingress
// nodes drawn uniformly it is 1 - 1/nodes whatever the placement.
func (p *Plan) PickNodePort(rng *rand.Rand, ingress, nodes int) (pos, ep int, remote bool) {
	pos, ep = p.Pick(rng)
	return pos, ep, EndpointNode(ep, nodes) != ingress
}

// LocalEndpoints is how many of a Service's endpoints run on node ingress
// (0-based among nodes; endpoints spread as EndpointNode).
func LocalEndpoints(endpoints, ingress, nodes int) int {
	if ingress >= endpoints {
		return 0
	}
	return (endpoints-ingress-1)/nodes + 1
}

// PickNodePortLocal draws a node-port connection entering at ingress with
// externalTrafficPolicy=Local: the Service port as Pick, and an endpoint
// among the ingress node's own (j of LocalEndpoints, uniformly, as the
// KUBE-SVL-* statistic rules do); false when the node has none
// (kube-proxy drops the traffic: KUBE-EXT-* ends in a DROP rule).
func (p *Plan) PickNodePortLocal(rng *rand.Rand, ingress, nodes int) (pos, j, n int, ok bool) {
	pos, _ = p.Pick(rng)
	n = LocalEndpoints(p.Config.Endpoints, ingress, nodes)
	if n == 0 {
		return pos, 0, 0, false
	}
	return pos, rng.IntN(n), n, true
}
