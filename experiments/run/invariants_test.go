package run_test

import (
	"testing"

	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/experiments/simulate"
	"github.com/cnisim/cnisim/models/workload"
)

// Packet conservation at the end of real runs, including runs that drop
// (an offered UDP load above the link rate, a pod MTU above what the
// underlay carries): sent = delivered + dropped + in flight, with the
// packets in flight counted from the pool, independently of the counters.
func TestConservationAtEndOfRun(t *testing.T) {
	t.Parallel()
	base := `name = "inv"
duration = "20ms"
warmup = "2ms"
[cluster]
nodes = 2
link_gbps = 1
[cni]
plugin = "flannel"
`
	cases := []struct{ name, sets string }{
		{"tcp_stream", "workload.kind=tcp_stream workload.streams=3"},
		{"tcp_rr", "workload.kind=tcp_rr"},
		{"udp_rr", "workload.kind=udp_rr"},
		{"udp_stream overload", "workload.kind=udp_stream workload.rate_mbps=5000"},
		{"intra", "workload.kind=tcp_stream workload.placement=intra"},
		{"pod MTU above underlay", "workload.kind=tcp_stream cni.pod_mtu=1500"},
		{"fq_codel, udp overload", "cluster.qdisc=fq_codel workload.kind=udp_stream workload.rate_mbps=5000 tcp.stack=linux duration=200ms"},
		{"fq_codel, tcp streams", "cluster.qdisc=fq_codel workload.kind=tcp_stream workload.streams=3 cluster.link_gbps=0.2 tcp.stack=linux"},
		{"fq_codel, pod MTU above underlay", "cluster.qdisc=fq_codel workload.kind=tcp_stream cni.pod_mtu=1500"},
		{"fq_codel, offloads", "cluster.qdisc=fq_codel cluster.offloads=true workload.kind=tcp_stream workload.streams=3 cluster.link_gbps=0.2 tcp.stack=linux duration=300ms"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ovs []scenario.Override
			for _, s := range splitFields(c.sets) {
				o, err := scenario.ParseSet(s)
				if err != nil {
					t.Fatal(err)
				}
				ovs = append(ovs, o)
			}
			p, err := scenario.Load("inv.toml", []byte(base), scenario.Options{Overrides: ovs, Validate: simulate.Validate})
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := simulate.Config(p.Point(0).Scenario, 7, 0)
			if err != nil {
				t.Fatal(err)
			}
			r, err := workload.Run(cfg)
			if err != nil {
				t.Fatal(err)
			}
			s := r.Packets
			if s.Sent == 0 {
				t.Fatal("no packets sent")
			}
			if s.Sent != s.Delivered+s.Drops+s.InFlight {
				t.Errorf("not conserved: sent %d != delivered %d + dropped %d + in flight %d", s.Sent, s.Delivered, s.Drops, s.InFlight)
			}
			if s.Drops != s.DropQdisc+s.DropRx+s.DropOversize+s.DropHook {
				t.Errorf("drops %d != sum of causes %+v", s.Drops, s)
			}
			t.Logf("%+v", s)
		})
	}
}

func splitFields(s string) []string {
	var out []string
	start := -1
	for i, r := range s + " " {
		if r == ' ' {
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	return out
}
