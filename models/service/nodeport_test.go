package service

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// The iptables node-port walk, per position and endpoint (table) and on
// average over uniform ports and kube-proxy's statistic endpoint choice
// (closed form, many seeds): all ClusterIP rules, the KUBE-NODEPORTS jump,
// the node-port rules to the port, KUBE-EXT and KUBE-MARK-MASQ, the
// statistic rules and KUBE-SEP; 3 masquerade rules at POSTROUTING.
func TestNodePortIPTablesWalk(t *testing.T) {
	t.Parallel()
	st := Structures[IPTables]
	for _, c := range []struct {
		pos, ports, ep, n int
		rules             float64
	}{
		{1, 1, 0, 1, 1 + 1 + 1 + 3 + 1 + 2},
		{1, 100, 0, 4, 100 + 1 + 1 + 3 + 1 + 2},
		{100, 100, 3, 4, 100 + 1 + 100 + 3 + 4 + 2}, // the last endpoint: all 4 statistic rules
		{37, 1000, 2, 4, 1000 + 1 + 37 + 3 + 3 + 2},
	} {
		w := st.NodePortFirstPacket(c.pos, c.ports, c.ep, c.n, true)
		if w.Rules != c.rules || w.PostRules != 3 || w.Chains != 7 || w.Lookups != 0 {
			t.Errorf("%+v: walk %+v, want %v rules, 3 post, 7 chains", c, w, c.rules)
		}
		if l := st.NodePortFirstPacket(c.pos, c.ports, c.ep, c.n, false); l != w {
			t.Errorf("%+v: iptables walk depends on the endpoint's node: %+v vs %+v", c, l, w)
		}
	}
	for _, c := range []struct{ count, n int }{{1, 1}, {100, 4}, {5000, 7}} {
		p := plan(t, IPTables, c.count, c.n)
		const draws = 100000
		rng := rand.New(rand.NewPCG(22, uint64(c.count)))
		var sum float64
		for range draws {
			pos, _ := p.Pick(rng)
			ep := c.n - 1
			for j := 0; j < c.n-1; j++ { // -m statistic --probability 1/(n-j)
				if rng.Float64() < 1/float64(c.n-j) {
					ep = j
					break
				}
			}
			sum += st.NodePortFirstPacket(pos, p.Ports(), ep, c.n, true).Rules
		}
		want := NodePortMeanRules(c.count, c.n)
		// the port is uniform over count: its mean's standard error is
		// count/sqrt(12 draws); 5 of them
		if got, tol := sum/draws, 5*float64(c.count)/math.Sqrt(12*draws)+0.02*float64(c.n); math.Abs(got-want) > tol {
			t.Errorf("count %d, n %d: mean rules %.3f, closed form %.3f (±%.3f)", c.count, c.n, got, want, tol)
		}
	}
}

// nftables, IPVS and eBPF node ports are flat in the Services; eBPF adds
// the SNAT only toward a remote endpoint, kube-proxy always masquerades.
func TestNodePortFlatAndMasquerade(t *testing.T) {
	t.Parallel()
	for _, proxy := range []Proxy{NFTables, IPVS, EBPFTC, EBPFSocket} {
		small, big := plan(t, proxy, 10, 4), plan(t, proxy, 30000, 4)
		for _, remote := range []bool{false, true} {
			a, b := small.NodePortFirstCycles(1, 0, remote), big.NodePortFirstCycles(30000, 3, remote)
			if a != b || a <= 0 {
				t.Errorf("%s remote=%v: first packet %v cycles at 10 Services, %v at 30000 (want equal, > 0)", proxy, remote, a, b)
			}
		}
	}
	for _, c := range []struct {
		proxy          Proxy
		local, remote  bool
		firstLocalLess bool
	}{
		{IPTables, true, true, false}, {NFTables, true, true, false}, {IPVS, true, true, false},
		{EBPFTC, false, true, true}, {EBPFSocket, false, true, true}, {None, false, false, false},
	} {
		p := plan(t, c.proxy, 100, 4)
		if p.Masquerades(false) != c.local || p.Masquerades(true) != c.remote {
			t.Errorf("%s: masquerades local=%v remote=%v, want %v %v", c.proxy, p.Masquerades(false), p.Masquerades(true), c.local, c.remote)
		}
		lf, _ := p.NodePortPacketCycles(false)
		rf, _ := p.NodePortPacketCycles(true)
		if (lf < rf) != c.firstLocalLess {
			t.Errorf("%s: per-packet local %v, remote %v", c.proxy, lf, rf)
		}
	}
	// eBPF socket LB does not see external traffic: it pays the tc path.
	s, tc := plan(t, EBPFSocket, 100, 4), plan(t, EBPFTC, 100, 4)
	if s.NodePortFirstCycles(5, 1, true) != tc.NodePortFirstCycles(5, 1, true) {
		t.Error("ebpf-socket node port differs from ebpf-tc's")
	}
	if f, r := s.NodePortPacketCycles(true); f == 0 || r == 0 {
		t.Errorf("ebpf-socket node port per-packet cost %v/%v, want the tc path's", f, r)
	}
	if f := plan(t, None, 100, 4).NodePortFirstCycles(1, 0, true); f != 0 {
		t.Errorf("proxy none charges %v", f)
	}
}

// The second hop's share over seeds: n endpoints one per node, entering at
// a fixed node, (n-1)/n; entering at a uniform node, 1 - 1/nodes whatever
// the endpoints' placement. Every connection is local or remote
// (conservation).
func TestNodePortSecondHop(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		nodes, eps int
		uniform    bool
		want       float64
	}{
		{1, 1, false, 0}, {2, 2, false, 0.5}, {4, 4, false, 0.75}, {10, 10, false, 0.9},
		{3, 4, true, 1 - 1.0/3}, {4, 2, true, 0.75}, {5, 7, true, 0.8},
	} {
		p := plan(t, IPTables, 50, c.eps)
		rng := rand.New(rand.NewPCG(uint64(c.nodes), uint64(c.eps)))
		const draws = 200000
		remote, local := 0, 0
		for range draws {
			in := 0
			if c.uniform {
				in = rng.IntN(c.nodes)
			}
			if _, _, r := p.PickNodePort(rng, in, c.nodes); r {
				remote++
			} else {
				local++
			}
		}
		if remote+local != draws {
			t.Fatalf("%+v: %d remote + %d local != %d", c, remote, local, draws)
		}
		// binomial standard error sqrt(q(1-q)/draws) <= 0.0012; 5 of them
		if got := float64(remote) / draws; math.Abs(got-c.want) > 0.006 {
			t.Errorf("%+v: second hop %.4f of connections, want %.4f", c, got, c.want)
		}
	}
}

// Every mode that translates node-port traffic names its structure's source.
func TestNodePortSources(t *testing.T) {
	t.Parallel()
	for _, p := range Proxies {
		if p == None {
			continue
		}
		if NodePortStructures[nodePortStructure(p)] == "" {
			t.Errorf("%s: no node-port structure source", p)
		}
	}
}

// externalTrafficPolicy=Local: the iptables walk trades KUBE-EXT's
// masquerade jump and KUBE-MARK-MASQ (3 rules) for the 4 external-chain
// rules of a Local Service and KUBE-SVL over the local endpoints; one
// POSTROUTING rule; nothing masquerades; every proxy's Local walk costs
// less at POSTROUTING than its Cluster walk.
func TestNodePortLocal(t *testing.T) {
	t.Parallel()
	st := Structures[IPTables]
	w := st.NodePortLocalFirstPacket(37, 1000, 1, 2)
	if want := float64(1000+1+37+4+2+2) + 0; w.Rules != want || w.PostRules != 1 || w.Chains != 6 {
		t.Errorf("iptables local walk %+v, want %v rules, 1 post, 6 chains", w, want)
	}
	for _, pr := range []Proxy{IPTables, IPVS, NFTables, EBPFTC, EBPFSocket} {
		p := plan(t, pr, 10, 4)
		p.Config.ExternalTrafficPolicy = PolicyLocal
		if !p.Local() || p.Masquerades(true) || p.Masquerades(false) {
			t.Errorf("%s local: masquerades", pr)
		}
		s := Structures[nodePortStructure(pr)]
		l, c := s.NodePortLocalFirstPacket(1, 10, 0, 1), s.NodePortFirstPacket(1, 10, 0, 1, true)
		if l.PostRules > c.PostRules || (pr != EBPFTC && pr != EBPFSocket && l.PostRules != 1) {
			t.Errorf("%s: local post rules %v, cluster %v", pr, l.PostRules, c.PostRules)
		}
		if p.NodePortLocalFirstCycles(1, 0, 1) <= 0 {
			t.Errorf("%s: local first packet free", pr)
		}
	}
	for _, c := range []struct{ eps, ingress, nodes, want int }{
		{4, 0, 2, 2}, {4, 1, 2, 2}, {3, 0, 2, 2}, {3, 1, 2, 1}, {1, 1, 3, 0}, {5, 2, 3, 1}, {6, 0, 3, 2},
	} {
		got := LocalEndpoints(c.eps, c.ingress, c.nodes)
		n := 0
		for ep := 0; ep < c.eps; ep++ {
			if EndpointNode(ep, c.nodes) == c.ingress {
				n++
			}
		}
		if got != c.want || got != n {
			t.Errorf("LocalEndpoints%+v = %d (counted %d), want %d", c, got, n, c.want)
		}
	}
	bad := Config{Count: 1, Endpoints: 1, PortCount: 1, Proxy: IPTables, ConntrackMax: 1, ExternalTrafficPolicy: "Local"}
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "cluster, local") {
		t.Errorf("bad policy: %v", err)
	}
}
