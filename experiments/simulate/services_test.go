package simulate

import (
	"context"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/experiments/scenario"
)

func loadScenario(t *testing.T, src string) *scenario.Scenario {
	t.Helper()
	p, err := scenario.Load("s.toml", []byte(src), scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p.Base
}

// TestServicesScenario: a [service] table reaches the model: the Service
// metrics are reported, iptables' first packet at 10,000 Services is far
// slower than nftables' (the walk), and Cilium defaults to socket LB.
func TestServicesScenario(t *testing.T) {
	t.Parallel()
	src := `name = "svc"
replications = 1
duration = "60ms"
warmup = "10ms"
[cluster]
cpu_jitter = 0
[workload]
kind = "tcp_crr"
target = "service"
streams = 2
[service]
count = 10000
endpoints = 4
`
	first := map[string]float64{}
	for _, proxy := range []string{"iptables", "nftables"} {
		sc := loadScenario(t, src+"proxy = \""+proxy+"\"\n")
		s, err := Run(context.Background(), sc, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []string{ConnectionsPerSec, ConntrackEntries, ConntrackDrops, "transactions_per_s", "connect_s"} {
			if _, ok := s.Scalars[m]; !ok {
				t.Errorf("%s: metric %s missing", proxy, m)
			}
		}
		fp := s.Dists[FirstPacketMicros]
		if len(fp) == 0 {
			t.Fatalf("%s: no first_packet_us", proxy)
		}
		var sum float64
		for _, v := range fp {
			sum += v
		}
		first[proxy] = sum / float64(len(fp))
	}
	// 10,000 Services: ~5000 rules of 48 cycles at 2.4 GHz = ~100 µs more
	if d := first["iptables"] - first["nftables"]; d < 80 || d > 120 {
		t.Errorf("iptables first packet %.1f µs, nftables %.1f: want about 100 µs apart", first["iptables"], first["nftables"])
	}
	sc := loadScenario(t, src+"[cni]\nplugin = \"cilium\"\n")
	cfg, err := Config(sc, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if p := cfg.Services.Plan.Config.Proxy; p != "ebpf-socket" {
		t.Errorf("cilium's default proxy %s, want ebpf-socket", p)
	}
	bad := strings.Replace(src, "count = 10000", "count = 0", 1)
	if _, err := scenario.Load("s.toml", []byte(bad), scenario.Options{}); err == nil || !strings.Contains(err.Error(), "service.count >= 1") {
		t.Errorf("target service without Services: %v", err)
	}
}
