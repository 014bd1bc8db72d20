package service

// Walk is the work one packet does in a proxy's Service rules: rules
// evaluated one after the other (iptables or nftables rules, each priced
// by the engine's per-rule cost), chains entered (each priced by the
// engine's base cost), and hash or map lookups (lookup cost).
type Walk struct {
	// Rules evaluated in the DNAT hook (PREROUTING/OUTPUT): the closed
	// form the tests check.
	Rules float64
	// PostRules evaluated at POSTROUTING (the masquerade check).
	PostRules float64
	Chains    int // chains entered (iptables/nftables jumps)
	Lookups   int // hash-table or map lookups (ipset, IPVS, nftables maps, eBPF maps)
}

// Add returns w + o.
func (w Walk) Add(o Walk) Walk {
	return Walk{Rules: w.Rules + o.Rules, PostRules: w.PostRules + o.PostRules, Chains: w.Chains + o.Chains, Lookups: w.Lookups + o.Lookups}
}

// Structure is the rule structure of one proxy mode as data: what the
// first packet of a connection to a Service walks, what every later packet
// of the connection does in each direction, and the source of the
// structure. Position and endpoint enter through FirstPacket.
type Structure struct {
	Proxy Proxy
	// Engine prices the linear rules and chains (calibration rule_cost):
	// "" when the mode has none.
	Engine string
	// LookupEngine names the lookup cost entry (costs.toml).
	LookupEngine string
	// AtConnect: the translation runs once in connect() (socket layer),
	// not on a packet.
	AtConnect bool
	// Conntrack: the kind of connection entry a new connection creates
	// ("netfilter" nf_conntrack with a NAT binding, "ebpf" a CT map entry
	// with its reverse-NAT index, "" none charged to the Service).
	Conntrack string
	// Established is the Service's work per later packet toward the
	// Service (forward) and per packet back (reverse, the reverse NAT).
	Established, Reverse Walk
	Source               string
}

// Structures holds every proxy mode's structure.
var Structures = map[Proxy]Structure{
	IPTables: {Proxy: IPTables, Engine: "iptables", Conntrack: "netfilter",
		Source: "kube-proxy iptables mode (kubernetes pkg/proxy/iptables/proxier.go; kubernetes.io/blog/2025/02/28/nftables-kube-proxy): " +
			"nat KUBE-SERVICES holds one rule per Service port (-d ClusterIP -p tcp --dport P -j KUBE-SVC-*), walked in order until the match, " +
			"all of it (+1 rule, KUBE-NODEPORTS) for a non-Service address; KUBE-SVC-* one rule per endpoint j = 0..n-1, " +
			"-m statistic --mode random --probability 1/(n-j), the last unconditional; KUBE-SEP-* two rules (-s endpoint -j KUBE-MARK-MASQ, -j DNAT); " +
			"KUBE-POSTROUTING one rule (mark ! 0x4000 -j RETURN) for unmasqueraded traffic. NAT chains see only a connection's first packet: " +
			"later packets follow the conntrack entry's NAT binding (no rules)."},
	IPVS: {Proxy: IPVS, Engine: "iptables", LookupEngine: "ipvs", Conntrack: "netfilter",
		Established: Walk{Lookups: 1}, Reverse: Walk{Lookups: 1},
		Source: "kube-proxy IPVS mode (kubernetes pkg/proxy/ipvs/README.md; net/netfilter/ipvs/ip_vs_core.c): KUBE-SERVICES has a fixed few rules " +
			"(KUBE-MARK-MASQ for traffic from outside the cluster CIDR, then -m set --match-set KUBE-CLUSTER-IP dst,dst), one ipset hash:ip,port lookup, " +
			"then ip_vs_in looks the virtual service up in a hash table, the scheduler (rr) picks in O(1) and ip_vs_conn_new adds an IPVS connection: " +
			"2 rules, 1 chain, 3 lookups; every later packet looks its IPVS connection up (ip_vs_in / ip_vs_out), 1 lookup each way."},
	NFTables: {Proxy: NFTables, Engine: "nftables", LookupEngine: "nftables", Conntrack: "netfilter",
		Source: "kube-proxy nftables mode (kubernetes pkg/proxy/nftables/README.md; kubernetes.io/blog/2025/02/28/nftables-kube-proxy): " +
			"the services chain is one rule with a verdict map keyed by daddr . proto . dport (1 lookup, a miss for a non-Service address then " +
			"one nodeport rule), the service chain marks traffic from outside the cluster CIDR (1 rule) and picks the endpoint with " +
			"numgen random mod n vmap (1 lookup), the endpoint chain two rules (saddr masquerade mark, dnat); nat-postrouting one rule " +
			"(mark check). Flat in the number of Services and endpoints; later packets follow conntrack."},
	EBPFTC: {Proxy: EBPFTC, LookupEngine: "ebpf", Conntrack: "ebpf",
		Established: Walk{Lookups: 3}, Reverse: Walk{Lookups: 2},
		Source: "Cilium per-packet load balancing at tc (cilium bpf/bpf_lxc.c handle_ipv4_from_lxc, bpf/lib/lb.h): every packet from the pod " +
			"looks the Service up (lb4_lookup_service) and its CT entry (ct_lazy_lookup4), then the backend (lb4_lookup_backend): 3 lookups; " +
			"a new connection selects the backend slot (lb4_select_backend_id) instead of the CT hit and creates the CT entry; replies look up " +
			"CT and the reverse-NAT map (2 lookups)."},
	EBPFSocket: {Proxy: EBPFSocket, LookupEngine: "ebpf", AtConnect: true,
		Source: "Cilium socket LB (cilium bpf/bpf_sock.c __sock4_xlate_fwd) and Calico eBPF connect-time load balancing: connect() looks the " +
			"Service up, selects the backend slot, reads the backend and records the reverse translation for getpeername (4 map operations), " +
			"once per connection; the socket is then connected to the endpoint, so no packet is translated (per-packet cost 0)."},
	None: {Proxy: None, Source: "no Service translation: the client connects to the endpoint's address; nothing is charged"},
}

// FirstPacket is the walk of the packet that opens a connection to the
// Service at position pos (1-based among count x ports Service ports in
// rule order; 0 for a non-Service address) choosing endpoint ep (0-based)
// of n, with ports = count x port_count Service ports in all.
// For ebpf-socket it is the connect()-time translation.
func (s Structure) FirstPacket(pos, ports, ep, n int) Walk {
	switch s.Proxy {
	case IPTables:
		if pos == 0 {
			return Walk{Rules: float64(ports) + 1, Chains: 2} // KUBE-SERVICES then KUBE-NODEPORTS
		}
		svc := ep + 1 // statistic rules evaluated to reach endpoint ep
		if ep == n-1 {
			svc = n // the last rule is unconditional but still evaluated
		}
		return Walk{Rules: float64(pos + svc + 2), PostRules: 1, Chains: 4}
	case IPVS:
		return Walk{Rules: 2, Chains: 1, Lookups: 3}
	case NFTables:
		if pos == 0 {
			return Walk{Rules: 1, Chains: 1, Lookups: 1}
		}
		return Walk{Rules: 3, PostRules: 1, Chains: 4, Lookups: 2}
	case EBPFTC:
		if pos == 0 {
			return Walk{Lookups: 1}
		}
		return Walk{Lookups: 3}
	case EBPFSocket:
		if pos == 0 {
			return Walk{Lookups: 1}
		}
		return Walk{Lookups: 4}
	}
	return Walk{}
}
