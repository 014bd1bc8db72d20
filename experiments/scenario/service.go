package scenario

import (
	"time"

	"github.com/cnisim/cnisim/models/service"
	"github.com/cnisim/cnisim/models/workload"
)

// Service is the [service] table: Kubernetes Services and the proxy that
// load-balances them (models/service).
type Service struct {
	Count     int `toml:"count"`      // Services in the cluster; 0: none
	Endpoints int `toml:"endpoints"`  // endpoints per Service
	PortCount int `toml:"port_count"` // ports per Service (rules in KUBE-SERVICES)
	// Proxy: iptables | ipvs | nftables | ebpf-tc | ebpf-socket | none;
	// "" takes the plugin's (Cilium and Calico eBPF: ebpf-socket; else
	// kube-proxy's iptables).
	Proxy        string        `toml:"proxy"`
	ConntrackMax int           `toml:"conntrack_max"` // nf_conntrack_max
	TimeWait     time.Duration `toml:"time_wait"`     // nf_conntrack_tcp_timeout_time_wait
	// Zipf: the exponent s of the Services' popularity (P(rank k) ∝
	// 1/k^s); 0 picks them uniformly.
	Zipf float64 `toml:"zipf"`
	// ExternalTrafficPolicy: cluster | local, the Services'
	// spec.externalTrafficPolicy (workload.kind = "nodeport").
	ExternalTrafficPolicy string `toml:"external_traffic_policy"`
}

// service checks the [service] table and workload.target.
func (c *check) service(s *Scenario) {
	v := &s.Service
	c.intRange("service.count", int64(v.Count), 0, service.MaxCount)
	c.intRange("service.endpoints", int64(v.Endpoints), 1, service.MaxEndpoints)
	c.intRange("service.port_count", int64(v.PortCount), 1, service.MaxPorts)
	if v.Proxy != "" {
		c.oneOf("service.proxy", v.Proxy, service.ProxyNames())
	}
	c.intRange("service.conntrack_max", int64(v.ConntrackMax), 1, 1<<31-1)
	c.durMin("service.time_wait", v.TimeWait, 0)
	if !(v.Zipf >= 0 && v.Zipf <= service.MaxZipf) {
		c.fail("service.zipf", "out of range (allowed: 0..%g; 0 = uniform)", service.MaxZipf)
	}
	c.oneOf("service.external_traffic_policy", v.ExternalTrafficPolicy, service.TrafficPolicies)
	w := &s.Workload
	c.oneOf("workload.target", w.Target, Targets)
	c.oneOf("workload.nodeport_style", w.NodePortStyle, workload.NodePortStyles)
	if w.Kind == "nodeport" { // service.count 0 means one Service here; cluster.nodes >= 2 as for placement inter
		if w.Placement != "inter" {
			c.fail("workload.kind", "nodeport needs workload.placement = \"inter\" (it is %q)", w.Placement)
		}
		if w.Target != "pod" {
			c.fail("workload.target", "nodeport connects to a node port: leave workload.target = \"pod\" (it is %q)", w.Target)
		}
	}
	if w.Target == "service" {
		switch w.Kind {
		case "tcp_stream", "tcp_rr", "tcp_crr":
		default:
			c.fail("workload.target", "service needs workload.kind tcp_stream, tcp_rr or tcp_crr (it is %s)", w.Kind)
		}
		if v.Count < 1 {
			c.fail("workload.target", "service needs service.count >= 1 (it is %d)", v.Count)
		}
	}
}

// ServiceConfig is the [service] table as the model takes it.
func (s *Scenario) ServiceConfig() service.Config {
	v := s.Service
	return service.Config{Count: v.Count, Endpoints: v.Endpoints, PortCount: v.PortCount,
		Proxy: service.Proxy(v.Proxy), ConntrackMax: v.ConntrackMax, TimeWait: v.TimeWait, Zipf: v.Zipf,
		ExternalTrafficPolicy: v.ExternalTrafficPolicy}
}
