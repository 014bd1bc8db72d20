package simulate

import (
	"math"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

type drop struct{ n *network.Network }

func (d drop) Deliver(p *network.Packet, _ sim.Time) { d.n.Free(p) }

// walk sends a SYN and data packets toward the server pod and the SYN-ACK
// and pure ACKs back, each on idle cores, through the paths Resolve builds
// for sc, and returns the netfilter cycles accounted on each node.
func walk(t *testing.T, sc *scenario.Scenario, data, acks int) [2]float64 {
	t.Helper()
	st, err := Resolve(sc)
	if err != nil {
		t.Fatal(err)
	}
	e := sim.NewEngine()
	cfg := network.DefaultConfig()
	cfg.CPUJitter = 0
	n, err := network.New(e, cfg)
	if err != nil {
		t.Fatal(err)
	}
	fwd, err := n.NewRoute(network.RouteSpec{Path: st.Forward, Src: 0, Dst: 1, FlowKey: 3, RecvCore: 1, To: drop{n}})
	if err != nil {
		t.Fatal(err)
	}
	rev, err := n.NewRoute(network.RouteSpec{Path: st.Reverse, Src: 1, Dst: 0, FlowKey: 3, RecvCore: 1, To: drop{n}})
	if err != nil {
		t.Fatal(err)
	}
	at := sim.Time(0)
	send := func(r *network.Route, flags uint8, bytes int32) {
		p := n.Alloc()
		p.Flags, p.IPBytes = flags, bytes
		n.Send(r, p, 0, at)
		at += sim.Millisecond // every core idle again
		e.RunUntil(at)
	}
	if data > 0 {
		send(fwd, network.FlagSYN, 60)
	}
	if acks > 0 {
		send(rev, network.FlagSYN|network.FlagACK, 60)
	}
	for range data {
		send(fwd, network.FlagACK, 1500)
	}
	for range acks {
		send(rev, network.FlagACK, 52)
	}
	e.Run()
	a := n.Accounting()
	return [2]float64{a.Cycles[0][datapath.Netfilter], a.Cycles[1][datapath.Netfilter]}
}

// The server pod's ingress rules as Linux walks them (Calico native with
// policy, inter-host, the paper profile: iptables 48 cycles per rule at
// 2.4 GHz, no base): every packet toward the server pays N x 48 cycles once,
// on the server's node; behind conntrack only its SYN does; packets back
// to the client (SYN-ACK, ACKs) walk nothing, so an ACK-only flow costs
// the same with and without rules.
func TestRulesWalkedTowardServer(t *testing.T) {
	t.Parallel()
	const data, acks = 20, 30
	for _, ct := range []bool{false, true} {
		sc := scenarioFor("tcp_stream")
		sc.CNI.Plugin, sc.CNI.Mode, sc.CNI.Policy, sc.CNI.PolicyConntrack = "calico", "native", true, ct
		base := walk(t, sc, data, acks)
		baseAcks := walk(t, sc, 0, acks)
		for _, rules := range []int{1, 100, 5000} {
			sc.CNI.PolicyRules = rules
			got := walk(t, sc, data, acks)
			walks := float64(data + 1) // the SYN and every data packet
			if ct {
				walks = 1 // the SYN only
			}
			want := [2]float64{base[0], base[1] + walks*float64(rules)*48}
			for node := range got {
				if math.Abs(got[node]-want[node]) > 1e-6*want[node] {
					t.Errorf("conntrack %v, %d rules: node %d netfilter %v cycles, want %v", ct, rules, node, got[node], want[node])
				}
			}
			if onlyAcks := walk(t, sc, 0, acks); onlyAcks != baseAcks {
				t.Errorf("conntrack %v, %d rules: an ACK-only flow costs %v cycles, want the rule-free %v", ct, rules, onlyAcks, baseAcks)
			}
		}
	}
}

// cni.policy_engine: the mode's engines are accepted, from the file, from
// --set and from a sweep (where it shows in the points' params); others are
// refused at the key with what the mode offers; an engine the profile does
// not price is an error naming the engine and the profile once there are
// rules to price.
func TestPolicyEngineKey(t *testing.T) {
	t.Parallel()
	const file = "name = \"e\"\n[cni]\nplugin = \"calico\"\nmode = \"native\"\npolicy = true\npolicy_engine = \"ebpf\"\npolicy_rules = 10\n"
	load := func(text string, sets ...string) (*scenario.Plan, error) {
		var ovs []scenario.Override
		for _, s := range sets {
			o, err := scenario.ParseSet(s)
			if err != nil {
				t.Fatal(err)
			}
			ovs = append(ovs, o)
		}
		return scenario.Load("s.toml", []byte(text), scenario.Options{Overrides: ovs, Validate: Validate})
	}
	p, err := load(file)
	if err != nil {
		t.Fatal(err)
	}
	st, err := Resolve(p.Base)
	if err != nil || st.Options.Engine != "ebpf" {
		t.Fatalf("engine %q, %v; want ebpf", st.Options.Engine, err)
	}
	if p, err := load(file, "cni.policy_engine=iptables"); err != nil || p.Base.CNI.PolicyEngine != "iptables" {
		t.Errorf("--set cni.policy_engine=iptables: %v", err)
	}
	sweep := file + "[sweep]\n\"cni.policy_engine\" = [\"iptables\", \"ebpf\"]\n"
	if p, err := load(sweep); err != nil || p.Len() != 2 || !strings.Contains(scenario.FormatParams(p.Point(1).Params), `cni.policy_engine="ebpf"`) {
		t.Errorf("sweep over engines: %v", err)
	}
	cases := []struct {
		sets []string
		want []string
	}{
		{[]string{"cni.policy_engine=ipvs"}, []string{"--set cni.policy_engine=ipvs", `cni.policy_engine = "ipvs"`, "offers iptables, nftables, ebpf (default iptables)"}},
		{[]string{"cni.plugin=flannel", "cni.mode=vxlan", "cni.policy=false", "cni.policy_rules=0"}, []string{"s.toml:6", "cni.policy_engine", "no network policy"}},
		{[]string{"cni.policy_engine=nftables"}, []string{"calibration.profile", `"paper"`, `"nftables"`, "cni.policy_rules = 10"}},
	}
	for _, c := range cases {
		_, err := load(file, c.sets...)
		if err == nil {
			t.Errorf("%v: no error", c.sets)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q lacks %q", c.sets, err, w)
			}
		}
	}
	if _, err := load(file, "cni.policy_engine=nftables", "cni.policy_rules=0"); err != nil {
		t.Errorf("nftables without rules needs no price: %v", err)
	}
}
