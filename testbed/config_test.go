package testbed

import (
	"github.com/cnisim/cnisim/models/datapath"

	"slices"
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	for _, tc := range []struct {
		in                     string
		family, engine, plugin string
		rules                  int
		err                    string
		offload, mode          string
		unmodelled             bool
		cpus                   int
	}{
		{in: "routed-2cpu", family: "routed", engine: "none", plugin: "calico", cpus: 2},
		{in: "ipt-legacy-1000-nogro-2cpu", family: "routed", engine: "iptables-legacy", plugin: "calico", rules: 1000, offload: "nogro", cpus: 2},
		{in: "vxlan-inter-2cpu", family: "vxlan-inter", engine: "none", plugin: "flannel", mode: "vxlan", cpus: 2},
		{in: "routed-2cpu-nogso", err: "unknown configuration"},
		{in: "routed-2cpu-2cpu", err: "unknown configuration"},
		{in: "ipt-nft-1000", family: "routed", engine: "iptables-nft", plugin: "calico", rules: 1000},
		{in: "ipt-legacy-100-nogso", family: "routed", engine: "iptables-legacy", plugin: "calico", rules: 100, offload: "nogso"},
		{in: "vxlan-nogro", family: "vxlan", engine: "none", offload: "nogro", unmodelled: true},
		{in: "routed-inter", family: "routed-inter", engine: "none", plugin: "calico", mode: "native"},
		{in: "hostgw-inter", family: "hostgw-inter", engine: "none", plugin: "flannel", mode: "host-gw"},
		{in: "ipip", family: "ipip", engine: "none", plugin: "calico", mode: "ipip"},
		{in: "gre", family: "gre", engine: "none", plugin: "kube-router", mode: "gre"},
		{in: "vxlan-inter-nogso", family: "vxlan-inter", engine: "none", plugin: "flannel", mode: "vxlan", offload: "nogso"},
		{in: "geneve-nogso", family: "geneve", engine: "none", offload: "nogso", unmodelled: true},
		{in: "routed-nogso-nogro", err: "unknown configuration"},
		{in: "-nogso", err: "unknown configuration"},
		{in: "ipt-nft-x", err: "rule count"},
		{in: "routed", family: "routed", engine: "none", plugin: "calico"},
		{in: "bridge", family: "bridge", engine: "none", plugin: "flannel"},
		{in: "bridge-nf0", family: "bridge-nf0", engine: "none", plugin: "flannel"},
		{in: "ebpf-egress", family: "ebpf-egress", engine: "none", plugin: "cilium"},
		{in: "vxlan", family: "vxlan", engine: "none", unmodelled: true},
		{in: "ipt-legacy-100", family: "routed", engine: "iptables-legacy", plugin: "calico", rules: 100},
		{in: "nft-0", family: "routed", engine: "nftables", plugin: "calico"},
		{in: "nft-01", err: "rule count must be an integer"},
		{in: "nft--1", err: "rule count"},
		{in: "ipt-legacy-99999999", err: "0..20000"},
		{in: "ovs", err: `unknown configuration "ovs" (valid: routed`},
	} {
		c, err := ParseConfig(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || c.Family != tc.family || c.Engine != tc.engine || c.Plugin != tc.plugin || c.Rules != tc.rules ||
			c.Offload != tc.offload || (tc.mode != "" && c.Mode != tc.mode) || (c.Unmodelled != "") != tc.unmodelled || c.Name != tc.in ||
			c.CPUs != tc.cpus {
			t.Errorf("%s: %+v, %v", tc.in, c, err)
		}
	}
	if _, err := ParseConfigs("routed, routed"); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := ParseConfigs(" , "); err == nil {
		t.Error("empty list accepted")
	}
	for _, l := range [][]string{AllConfigs, QuickConfigs} {
		if _, err := ParseConfigs(strings.Join(l, ",")); err != nil {
			t.Error(err)
		}
	}
}

// The rule sets never match the testbed's traffic (pods are 10.244/16,
// 10.77/16, 10.79/16; rules name 10.96/16) and have exactly n rules.
func TestRules(t *testing.T) {
	ipt := IptablesRules(3, "10.244.1.3")
	want := "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:CNITB-POD - [0:0]\n" +
		"-A FORWARD -d 10.244.1.3/32 -j CNITB-POD\n" +
		"-A CNITB-POD -d 10.96.0.1/32 -p tcp -m tcp --dport 1024 -j DROP\n" +
		"-A CNITB-POD -d 10.96.0.2/32 -p tcp -m tcp --dport 1025 -j DROP\n" +
		"-A CNITB-POD -d 10.96.0.3/32 -p tcp -m tcp --dport 1026 -j DROP\nCOMMIT\n"
	if ipt != want {
		t.Errorf("iptables rules:\n%s\nwant\n%s", ipt, want)
	}
	nft := NftRules(5000, "10.244.1.3")
	if n := strings.Count(nft, " drop\n"); n != 5000 {
		t.Errorf("nft: %d rules, want 5000", n)
	}
	if !strings.Contains(nft, "ip daddr 10.96.19.250 tcp dport 2023 drop") || strings.Count(nft, "10.244.") != 1 ||
		!strings.Contains(nft, "ip daddr 10.244.1.3 jump pod") {
		t.Error("nft: rule 4999, or not one jump for the server pod")
	}
	if n := strings.Count(IptablesRules(0, "10.244.1.3"), "-A "); n != 1 {
		t.Errorf("0 rules: %d -A lines, want the jump alone", n)
	}
}

func TestOwnedNaming(t *testing.T) {
	for name, want := range map[string]bool{"cnitb-h": true, "cnitb-a": true, "cnitb-": false, "cnifx-h": false, "default": false, "xcnitb-h": false} {
		if Owned(name) != want {
			t.Errorf("Owned(%q) = %v", name, !want)
		}
	}
	for _, r := range []string{"h", "a", "b"} {
		if !Owned(nsName(r)) {
			t.Errorf("nsName(%q) = %q is not owned", r, nsName(r))
		}
	}
}

func TestRegime(t *testing.T) {
	for _, tc := range []struct {
		t, k int
		want string
	}{{1000, 0, "inline"}, {1000, 19, "inline"}, {1000, 50, "mixed"}, {1000, 200, "ksoftirqd"}, {0, 0, "inline"}} {
		if got := Regime(tc.t, tc.k); got != tc.want {
			t.Errorf("Regime(%d, %d) = %s, want %s", tc.t, tc.k, got, tc.want)
		}
	}
}

func TestFilterScript(t *testing.T) {
	in := "cnisim 10 [001]  1.0:     250000 cpu-clock: \n\tffff tcp_sendmsg ([kernel.kallsyms])\n\tffff write ([kernel.kallsyms])\n\n" +
		"  other 11 [001]  1.1:     250000 cpu-clock: \n\tffff leaf ([kernel.kallsyms])\n\tffff caller ([kernel.kallsyms])\n\n" +
		"ksoftirqd/1 12 [001]  1.2:     250000 cpu-clock: \n\tffff net_rx_action ([kernel.kallsyms])\n\n" +
		"ksoftirqd/0 13 [000]  1.25:     250000 cpu-clock: \n\tffff net_rx_action ([kernel.kallsyms])\n\n" +
		"swapper 0 [001]  1.3:     250000 cpu-clock: \n\tffff default_idle ([kernel.kallsyms])\n"
	var out strings.Builder
	var n sampleCounts
	if err := filterScript(strings.NewReader(in), &out, "cnisim", []string{"ksoftirqd/0", "ksoftirqd/1"}, &n); err != nil {
		t.Fatal(err)
	}
	if n != (sampleCounts{traffic: 1, ksoftirqd: 2, idle: 1, other: 1}) {
		t.Errorf("counts %+v", n)
	}
	if strings.Contains(out.String(), "caller") || !strings.Contains(out.String(), "\tffff leaf") || !strings.Contains(out.String(), "write") {
		t.Errorf("filtered:\n%s", out.String())
	}
}

func TestPrefixFromEnv(t *testing.T) {
	for v, want := range map[string]string{"": "cnitb-", "cnitc-": "cnitc-", "eth": "cnitb-", "x-": "cnitb-", "Abc-": "cnitb-", "ab/c-": "cnitb-"} {
		if got := prefixFromEnv(v); got != want {
			t.Errorf("prefixFromEnv(%q) = %q, want %q", v, got, want)
		}
	}
}

// DefaultOptions carries the run's configurations: every built-in name
// parses, in the order of the lists.
func TestDefaultOptionsConfigs(t *testing.T) {
	for quick, want := range map[bool][]string{false: AllConfigs, true: QuickConfigs} {
		o := DefaultOptions(quick)
		var got []string
		for _, c := range o.Configs {
			got = append(got, c.Name)
		}
		if !slices.Equal(got, want) {
			t.Errorf("DefaultOptions(%v).Configs = %v, want %v", quick, got, want)
		}
	}
	if got, want := ConfigNames(), "routed, bridge, bridge-nf0, ebpf-peer, ebpf-egress, vxlan, routed-inter, hostgw-inter, ipip, gre, vxlan-inter, esp, geneve, ipt-legacy-N, ipt-nft-N, nft-N, esp-MTU; any of them with -nogso or -nogro, then -2cpu"; got != want {
		t.Errorf("ConfigNames() = %q, want %q", got, want)
	}
}

// TestBridgeNetfilterCrossings: bridge-nf-call-iptables=0 takes the
// bridge's br_netfilter and netfilter steps out of the bridge graph and
// nothing else.
func TestBridgeNetfilterCrossings(t *testing.T) {
	on, err := Crossings(mustConfig(t, "bridge"))
	if err != nil {
		t.Fatal(err)
	}
	off, err := Crossings(mustConfig(t, "bridge-nf0"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []datapath.Kind{datapath.Netfilter, datapath.BrNetfilter} {
		if on.Data[k] != 1 || off.Data[k] != 0 || off.Ack[k] != 0 {
			t.Errorf("%v crossings per data packet: bridge %v, bridge-nf0 %v; want 1 and 0", k, on.Data[k], off.Data[k])
		}
	}
	for k := range datapath.NumKinds {
		if k := datapath.Kind(k); k != datapath.Netfilter && k != datapath.BrNetfilter && (on.Data[k] != off.Data[k] || on.Ack[k] != off.Ack[k]) {
			t.Errorf("%v: bridge %v/%v, bridge-nf0 %v/%v; only netfilter and br_netfilter may differ", k, on.Data[k], on.Ack[k], off.Data[k], off.Ack[k])
		}
	}
}

func mustConfig(t *testing.T, name string) Config {
	t.Helper()
	c, err := ParseConfig(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
