package service

import (
	"github.com/cnisim/cnisim/internal/field"
	"slices"
	"strings"
	"time"
)

// Proxy is what translates a ClusterIP to an endpoint.
type Proxy string

// The proxy modes.
const (
	IPTables   Proxy = "iptables"    // kube-proxy --proxy-mode=iptables
	IPVS       Proxy = "ipvs"        // kube-proxy --proxy-mode=ipvs
	NFTables   Proxy = "nftables"    // kube-proxy --proxy-mode=nftables
	EBPFTC     Proxy = "ebpf-tc"     // eBPF load balancing per packet at tc (Cilium with bpf-lb-sock=false)
	EBPFSocket Proxy = "ebpf-socket" // eBPF load balancing once per connection at connect() (Cilium socket LB, Calico eBPF CTLB)
	None       Proxy = "none"        // no translation: the client connects to the endpoint's address
)

// Proxies lists the modes in the order messages and experiments use.
var Proxies = []Proxy{IPTables, IPVS, NFTables, EBPFTC, EBPFSocket, None}

// ProxyNames are the modes as strings (allowed values of service.proxy).
func ProxyNames() []string {
	s := make([]string, len(Proxies))
	for i, p := range Proxies {
		s[i] = string(p)
	}
	return s
}

// Config is the scenario's [service] table.
type Config struct {
	Count     int   // Services in the cluster (each with PortCount ports)
	Endpoints int   // endpoints (backend pods) per Service
	PortCount int   // ports per Service: KUBE-SERVICES has one rule per Service port
	Proxy     Proxy // "" = DefaultProxy of the plugin
	// ConntrackMax is nf_conntrack_max (or the eBPF CT map's size): a new
	// connection that finds the table full is dropped.
	ConntrackMax int
	// TimeWait is how long a closed connection's entry stays
	// (nf_conntrack_tcp_timeout_time_wait).
	TimeWait time.Duration
	// Zipf is the exponent s of the Services' popularity, P(rank k) ∝
	// 1/k^s; 0 picks Services uniformly.
	Zipf float64
	// ExternalTrafficPolicy is the Services' spec.externalTrafficPolicy
	// for node-port traffic: "cluster" (any endpoint, masqueraded) or
	// "local" (the ingress node's endpoints only, client address kept);
	// "" = cluster, Kubernetes' default.
	ExternalTrafficPolicy string
}

// External traffic policies (Service spec.externalTrafficPolicy).
const (
	PolicyCluster = "cluster"
	PolicyLocal   = "local"
)

// TrafficPolicies are the allowed values of service.external_traffic_policy.
var TrafficPolicies = []string{PolicyCluster, PolicyLocal}

// Defaults. nf_conntrack_max: the kernel sizes it from memory
// (nf_conntrack_core.c: nf_conntrack_htable_size x 1 on 64-bit hosts with
// >= 4 GiB, capped at 262144 buckets), and kube-proxy raises it to
// max(131072, 32768 x cores) (--conntrack-max-per-core 32768,
// --conntrack-min 131072; kube-proxy command-line reference); 262144 is
// kube-proxy's value on 8 cores, assumed as a typical node.
// nf_conntrack_tcp_timeout_time_wait: 120 s (Documentation/networking/
// nf_conntrack-sysctl.rst).
const (
	DefaultConntrackMax = 262144
	DefaultTimeWait     = 120 * time.Second
	// MaxCount bounds service.count: a rule walk of more would cost
	// milliseconds per packet; 1e6 is far above any real cluster
	// (Kubernetes' scalability envelope is 10,000 Services).
	MaxCount = 1_000_000
	// MaxEndpoints bounds service.endpoints (EndpointSlices cap a Service
	// at 1000 endpoints per slice; 100,000 is far above any real one).
	MaxEndpoints = 100_000
	MaxPorts     = 1000
	// MaxZipf bounds service.zipf: at s = 10 the first Service already
	// takes 99.9% of the connections.
	MaxZipf = 10.0
)

// Defaults fills the zero fields: 1 port, 1 endpoint, the conntrack
// defaults. Count stays as given (0 means no Services).
func (c Config) Defaults(plugin, policyEngine string) Config {
	if c.Endpoints == 0 {
		c.Endpoints = 1
	}
	if c.PortCount == 0 {
		c.PortCount = 1
	}
	if c.Proxy == "" {
		c.Proxy = DefaultProxy(plugin, policyEngine)
	}
	if c.ConntrackMax == 0 {
		c.ConntrackMax = DefaultConntrackMax
	}
	if c.TimeWait == 0 {
		c.TimeWait = DefaultTimeWait
	}
	if c.ExternalTrafficPolicy == "" {
		c.ExternalTrafficPolicy = PolicyCluster
	}
	return c
}

// DefaultProxy is the proxy a plugin's cluster runs when service.proxy is
// not set: Cilium replaces kube-proxy with its eBPF load balancer, socket
// LB on by default (docs.cilium.io, "Kubernetes Without kube-proxy":
// bpf-lb-sock / socketLB.enabled with kubeProxyReplacement=true); Calico's
// eBPF dataplane replaces it with connect-time load balancing, on for TCP
// by default (docs.tigera.io, "eBPF dataplane": bpfConnectTimeLoadBalancing
// = TCP); Calico's nftables dataplane runs with kube-proxy in nftables
// mode (docs.tigera.io, "nftables dataplane"); every other plugin runs
// kube-proxy in its default iptables mode.
func DefaultProxy(plugin, policyEngine string) Proxy {
	switch {
	case plugin == "cilium":
		return EBPFSocket
	case plugin == "calico" && policyEngine == "ebpf":
		return EBPFSocket
	case plugin == "calico" && policyEngine == "nftables":
		return NFTables
	}
	return IPTables
}

// Validate reports the first bad value with the key name and what is
// allowed (the scenario layer adds the file position).
func (c Config) Validate() error {
	switch {
	case c.Count < 0 || c.Count > MaxCount:
		return field.Errorf("service.Config.Count", c.Count, "out of range (allowed: 0..%d)", MaxCount)
	case c.Endpoints < 1 || c.Endpoints > MaxEndpoints:
		return field.Errorf("service.Config.Endpoints", c.Endpoints, "out of range (allowed: 1..%d)", MaxEndpoints)
	case c.PortCount < 1 || c.PortCount > MaxPorts:
		return field.Errorf("service.Config.PortCount", c.PortCount, "out of range (allowed: 1..%d)", MaxPorts)
	case !slices.Contains(Proxies, c.Proxy):
		return field.Errorf("service.Config.Proxy", c.Proxy, "not allowed (allowed: %s)", strings.Join(ProxyNames(), ", "))
	case c.ConntrackMax < 1:
		return field.Errorf("service.Config.ConntrackMax", c.ConntrackMax, "must be >= 1")
	case c.TimeWait < 0:
		return field.Errorf("service.Config.TimeWait", c.TimeWait, "must be >= 0")
	case !(c.Zipf >= 0 && c.Zipf <= MaxZipf):
		return field.Errorf("service.Config.Zipf", c.Zipf, "out of range (allowed: 0..%v; 0 = uniform)", MaxZipf)
	case c.ExternalTrafficPolicy != "" && !slices.Contains(TrafficPolicies, c.ExternalTrafficPolicy):
		return field.Errorf("service.Config.ExternalTrafficPolicy", c.ExternalTrafficPolicy, "not allowed (allowed: %s)", strings.Join(TrafficPolicies, ", "))
	}
	return nil
}
