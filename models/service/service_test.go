package service

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/sim"
)

// fixedRules prices every engine alike: 10 cycles per rule, 100 per chain.
type fixedRules struct{}

func (fixedRules) RuleCycles(engine, plugin, mode string, _ int) (float64, float64, error) {
	return 100, 10, nil
}

func plan(t *testing.T, proxy Proxy, count, eps int) *Plan {
	t.Helper()
	p, err := NewPlan(Config{Count: count, Endpoints: eps, Proxy: proxy}.Defaults("flannel", ""), fixedRules{}, "flannel", "vxlan")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestIPTablesStatisticWalk: kube-proxy's KUBE-SVC chain, rule j matching
// with probability 1/(n-j), picks every endpoint with probability 1/n and
// evaluates (n+1)/2 rules on average; FirstPacket's deterministic walk per
// endpoint must agree with that, so the first packet to Service i of N
// walks i + (n+1)/2 + 2 rules on average over many seeds.
func TestIPTablesStatisticWalk(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2, 4, 7} {
		for _, i := range []int{1, 37, 1000} {
			const draws = 200000
			var sum float64
			picks := make([]int, n)
			for seed := uint64(0); seed < draws; seed++ {
				rng := rand.New(rand.NewPCG(seed, 7))
				ep := n - 1
				for j := 0; j < n-1; j++ { // -m statistic --probability 1/(n-j)
					if rng.Float64() < 1/float64(n-j) {
						ep = j
						break
					}
				}
				picks[ep]++
				sum += Structures[IPTables].FirstPacket(i, 1000, ep, n).Rules
			}
			want := float64(i) + float64(n+1)/2 + 2
			if got := sum / draws; math.Abs(got-want) > 0.02*float64(n) {
				t.Errorf("n=%d i=%d: mean rules %.4f, want %.4f", n, i, got, want)
			}
			for j, c := range picks {
				if f := float64(c) / draws; math.Abs(f-1/float64(n)) > 0.01 {
					t.Errorf("n=%d: endpoint %d picked %.4f of the time, want %.4f", n, j, f, 1/float64(n))
				}
			}
			// the exact mean over the uniformly picked endpoint
			var exact float64
			for ep := 0; ep < n; ep++ {
				exact += Structures[IPTables].FirstPacket(i, 1000, ep, n).Rules
			}
			if exact /= float64(n); exact != want {
				t.Errorf("n=%d i=%d: exact mean %v, want %v", n, i, exact, want)
			}
		}
	}
	// a non-Service address walks all of KUBE-SERVICES and the nodeport jump
	if w := Structures[IPTables].FirstPacket(0, 30000, 0, 4); w.Rules != 30001 {
		t.Errorf("non-Service walk %v rules, want 30001", w.Rules)
	}
}

// TestPickUniform: Pick's positions average (N+1)/2 (port_count 1), so the
// mean first-packet walk of uniform Services is (N+1)/2 + (n+1)/2 + 2.
func TestPickUniform(t *testing.T) {
	t.Parallel()
	p := plan(t, IPTables, 1000, 4)
	rng := rand.New(rand.NewPCG(1, 2))
	var sum float64
	const draws = 400000
	for range draws {
		pos, ep := p.Pick(rng)
		if pos < 1 || pos > 1000 || ep < 0 || ep > 3 {
			t.Fatalf("pick out of range: %d %d", pos, ep)
		}
		sum += p.Structure.FirstPacket(pos, p.Ports(), ep, 4).Rules
	}
	want := 1001.0/2 + 5.0/2 + 2
	if got := sum / draws; math.Abs(got-want)/want > 0.005 {
		t.Errorf("mean rules %.2f, want %.2f", got, want)
	}
}

// TestEstablishedAndFlat: established packets walk no rules in any mode;
// nftables, IPVS and eBPF first packets cost the same at 100 and 30,000
// Services and at any position; iptables grows by exactly the rules.
func TestEstablishedAndFlat(t *testing.T) {
	t.Parallel()
	for _, px := range Proxies {
		s := Structures[px]
		if s.Established.Rules != 0 || s.Reverse.Rules != 0 {
			t.Errorf("%s: established packets walk rules", px)
		}
		small, big := plan(t, px, 100, 4), plan(t, px, 30000, 4)
		a, b := small.FirstCycles(50, 1), big.FirstCycles(29999, 1)
		switch px {
		case IPTables:
			if d := b - a; d != (29999-50)*10 {
				t.Errorf("iptables: position 29999 costs %v more than 50, want %v", d, (29999-50)*10)
			}
		default:
			if a != b {
				t.Errorf("%s: first packet %v cycles at 100 Services, %v at 30000: want flat", px, a, b)
			}
		}
		if f, r := big.PacketCycles(); px == IPTables || px == NFTables {
			if f != 150 || r != 150 { // the NAT rewrite only
				t.Errorf("%s: established %v/%v, want the NAT rewrite 150", px, f, r)
			}
		}
	}
}

func TestEBPFSocketOncePerConnection(t *testing.T) {
	t.Parallel()
	p := plan(t, EBPFSocket, 1000, 4)
	base := datapath.CostedPath{Steps: []datapath.CostedStep{
		{Step: datapath.Step{Kind: datapath.TCP, Side: datapath.Src, Context: datapath.Send, Count: 1}, Cycles: 10},
		{Step: datapath.Step{Kind: datapath.Veth, Side: datapath.Src, Context: datapath.Softirq, Count: 1}, Cycles: 10},
		{Step: datapath.Step{Kind: datapath.TCP, Side: datapath.Dst, Context: datapath.Softirq, Count: 1}, Cycles: 10},
	}}
	first := p.FirstCycles(500, 2)
	if first != 4*250 {
		t.Errorf("socket LB first cycles %v, want 4 lookups = 1000", first)
	}
	f := p.Forward(base, first)
	if len(f.Steps) != 4 || f.Steps[0].Kind != datapath.EBPF || f.Steps[0].Cycles != 0 || f.Steps[0].RuleCycles != first || f.Steps[0].Context != datapath.Send {
		t.Errorf("forward %+v: want an ebpf send step charging %v per connection and 0 per packet", f.Steps[0], first)
	}
	if r := p.Reverse(base); len(r.Steps) != 3 {
		t.Errorf("reverse has %d steps: socket LB translates no packet", len(r.Steps))
	}
	if len(base.Steps) != 3 {
		t.Error("Forward modified its base")
	}
	// iptables: the step goes after the first softirq step of the client's node
	q := plan(t, IPTables, 10, 1)
	g := q.Forward(base, 5)
	if g.Steps[2].Kind != datapath.Netfilter || g.Steps[2].Context != datapath.Softirq || g.Steps[2].Side != datapath.Src || g.Steps[2].RuleCycles != 5 || g.Steps[2].Cycles != 150 {
		t.Errorf("iptables step %+v", g.Steps[2])
	}
	if r := q.Reverse(base); len(r.Steps) != 4 || r.Steps[3].Side != datapath.Dst || r.Steps[3].Cycles != 150 {
		t.Errorf("iptables reverse %+v", r.Steps)
	}
}

// TestConntrack: entries = live connections + TIME_WAIT entries; a full
// table drops exactly the excess; entries expire after their timeout.
func TestConntrack(t *testing.T) {
	t.Parallel()
	ct := NewConntrack(100, 10*sim.Second)
	opened := 0
	for i := range 130 {
		if ct.Open(sim.Time(i)) {
			opened++
		}
	}
	if opened != 100 || ct.Drops() != 30 || ct.Entries(200) != 100 || ct.Live() != 100 {
		t.Fatalf("opened %d drops %d entries %d: want 100, 30, 100", opened, ct.Drops(), ct.Entries(200))
	}
	for i := range 40 {
		ct.Close(sim.Second + sim.Time(i))
	}
	if ct.Entries(2*sim.Second) != 100 || ct.Live() != 60 {
		t.Errorf("TIME_WAIT entries must stay: entries %d live %d", ct.Entries(2*sim.Second), ct.Live())
	}
	if ct.Open(2 * sim.Second) {
		t.Error("opened into a table full of TIME_WAIT entries")
	}
	if got := ct.Entries(11*sim.Second + 19); got != 80 { // 20 of 40 expired
		t.Errorf("entries after half the timeouts %d, want 80", got)
	}
	if got := ct.Entries(12 * sim.Second); got != 60 {
		t.Errorf("entries after every timeout %d, want the 60 live", got)
	}
	if !ct.Open(12 * sim.Second) {
		t.Error("no room after expiry")
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	ok := Config{Count: 10}.Defaults("flannel", "")
	for _, c := range []struct {
		mut  func(*Config)
		want string
	}{
		{func(c *Config) { c.Count = -1 }, "service.Config.Count = -1: out of range (allowed: 0..1000000)"},
		{func(c *Config) { c.Endpoints = 0 }, "service.Config.Endpoints"},
		{func(c *Config) { c.PortCount = 1001 }, "service.Config.PortCount"},
		{func(c *Config) { c.Proxy = "kube" }, "allowed: iptables, ipvs, nftables, ebpf-tc, ebpf-socket, none"},
		{func(c *Config) { c.ConntrackMax = -5 }, "service.Config.ConntrackMax"},
		{func(c *Config) { c.TimeWait = -time.Second }, "service.Config.TimeWait"},
	} {
		cfg := ok
		c.mut(&cfg)
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
	if err := ok.Validate(); err != nil {
		t.Error(err)
	}
	for plugin, want := range map[[2]string]Proxy{{"cilium", ""}: EBPFSocket, {"calico", "ebpf"}: EBPFSocket,
		{"calico", "iptables"}: IPTables, {"calico", "nftables"}: NFTables, {"flannel", ""}: IPTables} {
		if got := DefaultProxy(plugin[0], plugin[1]); got != want {
			t.Errorf("DefaultProxy(%v) = %s, want %s", plugin, got, want)
		}
	}
}

// TestZipf: ranks follow P(k) ∝ 1/k^s; the popular Services sit at fixed
// pseudo-random places of the chain, the same in every plan.
func TestZipf(t *testing.T) {
	t.Parallel()
	const n, s = 1000, 1.1
	p, err := NewPlan(Config{Count: n, Zipf: s}.Defaults("flannel", ""), fixedRules{}, "flannel", "vxlan")
	if err != nil {
		t.Fatal(err)
	}
	var h float64
	for k := 1; k <= n; k++ {
		h += math.Pow(float64(k), -s)
	}
	counts := map[int]int{}
	rng := rand.New(rand.NewPCG(3, 4))
	const draws = 400000
	for range draws {
		pos, _ := p.Pick(rng)
		counts[pos]++
	}
	q, _ := NewPlan(Config{Count: n, Zipf: s}.Defaults("flannel", ""), fixedRules{}, "flannel", "vxlan")
	for k := 1; k <= 5; k++ {
		pos := int(p.pop.place[k-1]) + 1
		if q.pop.place[k-1] != p.pop.place[k-1] {
			t.Errorf("rank %d at place %d and %d: the permutation must be fixed", k, p.pop.place[k-1], q.pop.place[k-1])
		}
		want := math.Pow(float64(k), -s) / h
		if got := float64(counts[pos]) / draws; math.Abs(got-want) > 4*math.Sqrt(want/draws) {
			t.Errorf("rank %d: frequency %.4f, want %.4f", k, got, want)
		}
	}
	if err := (Config{Count: 1, Endpoints: 1, PortCount: 1, Proxy: IPTables, ConntrackMax: 1, Zipf: -1}).Validate(); err == nil || !strings.Contains(err.Error(), "service.Config.Zipf") {
		t.Errorf("negative zipf: %v", err)
	}
}

// tableRules records the table size a plan asked its rule price for.
type tableRules struct{ got *int }

func (r tableRules) RuleCycles(engine, plugin, mode string, table int) (float64, float64, error) {
	*r.got = table
	return 100, 10, nil
}

// NewPlan prices the rules for the table a connection walks: the dispatch
// chain of one rule per Service port (Ports), which a cache term needs.
func TestPlanRuleTable(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ count, ports int }{{1, 1}, {10000, 1}, {500, 3}} {
		got := -1
		cfg := Config{Count: c.count, PortCount: c.ports, Endpoints: 2, Proxy: IPTables}.Defaults("flannel", "")
		p, err := NewPlan(cfg, tableRules{&got}, "flannel", "vxlan")
		if err != nil {
			t.Fatal(err)
		}
		if got != p.Ports() || got != c.count*c.ports {
			t.Errorf("%d Services x %d ports: priced a table of %d rules, want %d", c.count, c.ports, got, c.count*c.ports)
		}
	}
}
