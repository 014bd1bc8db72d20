package testbed

import (
	"fmt"
	"strconv"
	"strings"
)

// Config is one configuration of the testbed: a topology family, its
// policy rules, and the built-in model graph it is calibrated against.
type Config struct {
	Name   string `json:"name"`
	Family string `json:"family"` // routed | bridge | bridge-nf0 | ebpf-peer | ebpf-egress | vxlan | routed-inter | ipip | gre | geneve | vxlan-inter
	Engine string `json:"engine"` // none | br_netfilter | iptables-legacy | iptables-nft | nftables
	Rules  int    `json:"rules"`  // non-matching rules in the server pod's chain (PolicyChain)
	// Offload is "" (the devices' defaults), nogso (TSO and GSO off on
	// every device) or nogro (GRO off on every device), set with the
	// ethtool ioctl; gso_max_segs is 1 in every case.
	Offload string `json:"offload,omitempty"`
	// MTU is the tunnel device's MTU of esp-N (0: the family's default).
	MTU int `json:"mtu,omitempty"`
	// CPUs is 2 for a -2cpu configuration: the client thread on another
	// CPU than the server's, both CPUs recorded (0: everything on one).
	CPUs int `json:"cpus,omitempty"`
	// Plugin, Mode and Placement name the built-in model graph whose
	// crossings the measurement is calibrated with. Inter-host graphs are
	// measured with both "nodes" on the one recorded CPU: the crossings of
	// the source and destination nodes are summed (model.go). A family no
	// built-in graph fits has no plugin, and Unmodelled says why: it is
	// measured but neither calibrated nor predicted.
	Unmodelled string `json:"unmodelled,omitempty"`
	Plugin     string `json:"plugin"`
	Mode       string `json:"mode"`
	Placement  string `json:"placement"`
}

// families lists the topology families with their model graphs
// (plugin, mode, placement), in the order help and errors name them.
//
// The engine of a family without rules says what its netfilter hooks run:
// "none" when no table is loaded (the hooks cost next to nothing). The
// bridge's br_netfilter (bridge-nf-call-iptables=1, built into this kernel:
// every bridged family runs it) is a stage of its own, br_netfilter, which
// the graphs cross once per frame a bridge port receives (bridged between
// two pods, or passed up to the host stack) and which is pooled as the
// other stages are. Until it was (run9 and
// before), its work was netfilter's, the bridge had an engine of its own
// (br_netfilter) and the other bridged families' pre-routing inflated the
// rule-free netfilter pool (legacyBrNetfilter).
var families = []struct{ name, engine, plugin, mode, placement, unmodelled string }{
	{"routed", "none", "calico", "native", "intra", ""},
	{"bridge", "none", "flannel", "host-gw", "intra", ""},
	{"bridge-nf0", "none", "flannel", "host-gw", "intra", ""},
	{"ebpf-peer", "none", "cilium", "native-bpf", "intra", ""},
	{"ebpf-egress", "none", "cilium", "native", "intra", ""},
	// Two pod namespaces joined by VXLAN devices directly: no node
	// namespaces, bridge or forwarding passes, which the only VXLAN graph
	// (flannel's, measured by vxlan-inter) has: +48-68% when priced by it.
	{"vxlan", "none", "", "", "inter", "no built-in graph fits: flannel's vxlan graph has pod veths, the cni0 bridge and two forwarding passes per node that this bare VXLAN between two pods lacks (vxlan-inter is that topology)"},
	// Two node namespaces joined by a veth pair (the wire), a pod
	// namespace behind each: Calico-style routed pods (/32, static
	// neighbours), the nodes routing the other node's pod directly, or
	// through an IP-in-IP tunnel (Calico's ipip mode).
	{"routed-inter", "none", "calico", "native", "inter", ""},
	// Flannel's host-gw between two nodes: bridged pods on cni0, each
	// node routing the other's pod network via the other's wire address.
	{"hostgw-inter", "none", "flannel", "host-gw", "inter", ""},
	{"ipip", "none", "calico", "ipip", "inter", ""},
	// GRE with bridged pods on each node (kube-router's gre mode: pods
	// on kube-bridge, the node routing through a GRE tunnel).
	{"gre", "none", "kube-router", "gre", "inter", ""},
	// Flannel's VXLAN: bridged pods on cni0, a VXLAN device between the
	// nodes; the graph the bare vxlan family is calibrated against, whose
	// pod veths, bridge and forwarding passes that family lacks.
	{"vxlan-inter", "none", "flannel", "vxlan", "inter", ""},
	// Geneve between the nodes, routed pods: only Cilium's graph has
	// Geneve, and it runs the pods' packets through four tc eBPF programs
	// and one forwarding pass per node, which this kernel-routed Geneve
	// does not.
	// vxlan with IPsec ESP between the nodes (topo_esp_linux.go): the
	// vxlan graph plus encrypt steps (espCrossings in esp.go).
	{"esp", "none", "flannel", "vxlan", "inter", ""},
	{"geneve", "none", "", "", "inter", "no built-in graph fits: cilium's geneve mode redirects with tc eBPF (4 programs, 1 forwarding pass per node); this Geneve is routed by the kernel (2 forwarding passes and the netfilter hooks per node)"},
}

// legacyBrNetfilter is the engine label runs recorded before br_netfilter
// was a stage gave the bridge family (above); it reads as "none".
const legacyBrNetfilter = "br_netfilter"

// offloads are the configuration-name suffixes that turn device offloads
// off.
var offloads = []string{"nogso", "nogro"}

// twoCPUSuffix ends a configuration name measured on two CPUs: the
// client on one, the server on the other (the softirqs of a packet run
// where it was sent from: veth delivers on the sending CPU).
const twoCPUSuffix = "2cpu"

// ruleSeries are the configurations that add N policy rules to routed.
var ruleSeries = []struct{ prefix, engine string }{{"ipt-legacy-", "iptables-legacy"}, {"ipt-nft-", "iptables-nft"}, {"nft-", "nftables"}}

// ConfigNames lists the valid configuration names for help and errors:
// the families, then the rule series as ipt-legacy-N, nft-N.
func ConfigNames() string {
	var out []string
	for _, f := range families {
		out = append(out, f.name)
	}
	for _, r := range ruleSeries {
		out = append(out, r.prefix+"N")
	}
	out = append(out, "esp-MTU")
	return strings.Join(out, ", ") + "; any of them with -" + strings.Join(offloads, " or -") + ", then -" + twoCPUSuffix
}

// AllConfigs is the full run's list, QuickConfigs the --quick one.
var (
	AllConfigs = []string{"routed", "bridge", "bridge-nf0", "ebpf-peer", "ebpf-egress", "vxlan",
		"ipt-legacy-0", "ipt-legacy-100", "ipt-legacy-1000", "ipt-legacy-5000",
		"nft-0", "nft-100", "nft-1000", "nft-5000",
		"routed-inter", "hostgw-inter", "ipip", "gre", "geneve", "ipt-nft-100", "ipt-nft-1000", "ipt-nft-5000",
		"vxlan-inter", "vxlan-inter-nogso", "routed-2cpu", "ipt-legacy-1000-2cpu", "vxlan-inter-2cpu"}
	// The quick three need no tool but perf, and the two eBPF redirects
	// predict each other leave-one-out.
	QuickConfigs = []string{"routed", "ebpf-peer", "ebpf-egress"}
)

// maxRules bounds a rule series (5000 rules load in about a second).
const maxRules = 20000

// ParseConfig reads a configuration name: routed, bridge (bridged
// packets go through the iptables hooks when br_netfilter is loaded, as on
// Kubernetes nodes), bridge-nf0 (the same with bridge-nf-call-iptables=0), ebpf-peer,
// ebpf-egress, vxlan, routed-inter, ipip, gre, geneve, vxlan-inter, ipt-legacy-N,
// ipt-nft-N or nft-N (routed plus N non-matching rules in the server pod's
// chain, PolicyChain), any of them followed by -nogso or -nogro, and then
// by -2cpu (client and server on two CPUs).
func ParseConfig(name string) (Config, error) {
	base, off, cpus := name, "", 0
	if b, ok := strings.CutSuffix(base, "-"+twoCPUSuffix); ok {
		base, cpus = b, 2
	}
	for _, o := range offloads {
		if b, ok := strings.CutSuffix(base, "-"+o); ok {
			base, off = b, o
		}
	}
	c := Config{Name: name, Family: base, Offload: off, CPUs: cpus}
	if rest, ok := strings.CutPrefix(base, "esp-"); ok {
		mtu, err := parseESPMTU(name, rest)
		if err != nil {
			return Config{}, err
		}
		c.Family, c.MTU = "esp", mtu
	}
	for _, p := range ruleSeries {
		if rest, ok := strings.CutPrefix(base, p.prefix); ok {
			n, err := strconv.Atoi(rest)
			if err != nil || n < 0 || n > maxRules || strconv.Itoa(n) != rest {
				return Config{}, fmt.Errorf("configuration %q: rule count must be an integer 0..%d", name, maxRules)
			}
			c.Family, c.Engine, c.Rules = "routed", p.engine, n
		}
	}
	for _, f := range families {
		if f.name == c.Family {
			if c.Engine == "" {
				c.Engine = f.engine
			}
			c.Plugin, c.Mode, c.Placement, c.Unmodelled = f.plugin, f.mode, f.placement, f.unmodelled
			return c, nil
		}
	}
	return Config{}, fmt.Errorf("unknown configuration %q (valid: %s)", name, ConfigNames())
}

// ParseConfigs reads a comma-separated list; duplicates are errors.
func ParseConfigs(list string) ([]Config, error) {
	var out []Config
	seen := map[string]bool{}
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if seen[s] {
			return nil, fmt.Errorf("configuration %q listed twice", s)
		}
		seen[s] = true
		c, err := ParseConfig(s)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no configuration in %q", list)
	}
	return out, nil
}

// svcIP and svcPort are the destination of rule i: Service-like addresses
// (10.96/16 is only named in rules, never used) that the pods' traffic
// never matches, as capture.sh writes them.
func svcIP(i int) string { return fmt.Sprintf("10.96.%d.%d", i/250, i%250+1) }
func svcPort(i int) int  { return 1024 + i%4000 }

// PolicyChain is the chain the rules sit in, as a CNI plugin puts a pod's
// ingress policy in a chain of its own (Calico's cali-tw-*, kube-router's
// KUBE-POD-FW-*): FORWARD jumps to it only for packets to the server pod
// (server, 10.244.1.3 on the intra-host routed topology), so the
// server's replies and ACKs test the one jump rule and walk none of the n,
// as the model's ReturnPath has it (models/cni/path.go).
const PolicyChain = "CNITB-POD"

// IptablesRules is iptables-legacy-restore (and iptables-nft-restore) input
// for the host's filter table: n kube-proxy-like rules that never match, in
// PolicyChain behind a jump for packets to server. The jump is there at 0
// rules too, so that the series differs only in n.
func IptablesRules(n int, server string) string {
	var b strings.Builder
	b.WriteString("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n")
	fmt.Fprintf(&b, ":%s - [0:0]\n-A FORWARD -d %s/32 -j %s\n", PolicyChain, server, PolicyChain)
	for i := range n {
		fmt.Fprintf(&b, "-A %s -d %s/32 -p tcp -m tcp --dport %d -j DROP\n", PolicyChain, svcIP(i), svcPort(i))
	}
	b.WriteString("COMMIT\n")
	return b.String()
}

// NftRules is the same rule set in native nftables (a regular chain jumped
// to from the forward base chain for packets to server; no sets or maps),
// input of nft -f -.
func NftRules(n int, server string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "table ip filter {\n  chain pod {\n")
	for i := range n {
		fmt.Fprintf(&b, "    ip daddr %s tcp dport %d drop\n", svcIP(i), svcPort(i))
	}
	fmt.Fprintf(&b, "  }\n  chain forward {\n    type filter hook forward priority 0; policy accept;\n    ip daddr %s jump pod\n  }\n}\n", server)
	return b.String()
}
