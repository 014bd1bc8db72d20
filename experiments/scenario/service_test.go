package scenario

import (
	"strings"
	"testing"
)

// Every bad [service] value and workload.target is refused with the file,
// the line, the key, the value and what is allowed.
func TestBadService(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, src string
		want      []string
	}{
		{"count", "[service]\ncount = -1\n", []string{"f.toml:2:", "service.count = -1", "0..1000000"}},
		{"endpoints", "[service]\nendpoints = 0\n", []string{"f.toml:2:", "service.endpoints = 0", "1..100000"}},
		{"ports", "[service]\nport_count = 5000\n", []string{"f.toml:2:", "service.port_count = 5000", "1..1000"}},
		{"proxy", "[service]\nproxy = \"userspace\"\n", []string{"f.toml:2:", `service.proxy = "userspace"`, "allowed: iptables, ipvs, nftables, ebpf-tc, ebpf-socket, none"}},
		{"conntrack", "[service]\nconntrack_max = 0\n", []string{"f.toml:2:", "service.conntrack_max = 0", "1..2147483647"}},
		{"time_wait", "[service]\ntime_wait = \"-1s\"\n", []string{"f.toml:2:", `service.time_wait = "-1s"`, ">= 0"}},
		{"unknown", "[service]\ncounts = 3\n", []string{"f.toml:2:", "service.counts", "allowed in [service]: count, endpoints, port_count, proxy, conntrack_max, time_wait, zipf"}},
		{"zipf", "[service]\nzipf = -0.5\n", []string{"f.toml:2:", "service.zipf = -0.5", "0..10"}},
		{"zipf nan", "[service]\nzipf = nan\n", []string{"f.toml:2:", "service.zipf", "finite"}},
		{"target", "[workload]\ntarget = \"vip\"\n", []string{"f.toml:2:", `workload.target = "vip"`, "allowed: pod, service"}},
		{"target kind", "[workload]\nkind = \"udp_rr\"\ntarget = \"service\"\n[service]\ncount = 3\n", []string{"f.toml:3:", "workload.target", "tcp_stream, tcp_rr or tcp_crr"}},
		{"target count", "[workload]\nkind = \"tcp_crr\"\ntarget = \"service\"\n", []string{"f.toml:3:", "workload.target", "service.count >= 1"}},
		{"policy", "[service]\nexternal_traffic_policy = \"Local\"\n", []string{"f.toml:2:", `service.external_traffic_policy = "Local"`, "allowed: cluster, local"}},
		{"nodeport style", "[workload]\nkind = \"nodeport\"\nnodeport_style = \"stream\"\n", []string{"f.toml:3:", `workload.nodeport_style = "stream"`, "allowed: crr, rr"}},
		{"nodeport intra", "[workload]\nkind = \"nodeport\"\nplacement = \"intra\"\n", []string{"f.toml:2:", "workload.kind", `placement = "inter"`}},
		{"nodeport target", "[workload]\nkind = \"nodeport\"\ntarget = \"service\"\n[service]\ncount = 3\n", []string{"f.toml:3:", "workload.target", "node port"}},
		{"sweep proxy", "[service]\ncount = 3\n[sweep]\n\"service.proxy\" = [\"iptables\", \"pf\"]\n", []string{"f.toml:4:", `service.proxy = "pf"`, "allowed: iptables"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load("f.toml", []byte(c.src), Options{})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	good := "[workload]\nkind = \"tcp_crr\"\ntarget = \"service\"\n[service]\ncount = 10000\nendpoints = 4\nproxy = \"nftables\"\n"
	s, err := Load("f.toml", []byte(good), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c := s.Base.ServiceConfig(); c.Count != 10000 || c.Endpoints != 4 || c.Proxy != "nftables" || c.ConntrackMax != 262144 || c.ExternalTrafficPolicy != "cluster" {
		t.Errorf("service config %+v", c)
	}
}
