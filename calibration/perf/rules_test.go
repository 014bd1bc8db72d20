package perf

import (
	"github.com/cnisim/cnisim/models/datapath"
	"strings"
	"testing"
)

// The attribution rule: walking from the leaf, the innermost frame that a
// rule decides wins; within a frame, the first rule in table order.
func TestAttribution(t *testing.T) {
	t.Parallel()
	m, err := compileRules(DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		stack []string // leaf first
		want  string
	}{
		{[]string{"memcpy_erms", "veth_xmit", "tcp_sendmsg"}, "veth"}, // unmatched leaf: walk up
		{[]string{"ipt_do_table", "nf_hook_slow", "br_nf_pre_routing", "br_handle_frame"}, "netfilter"},
		{[]string{"br_nf_pre_routing", "br_handle_frame"}, "br_netfilter"},                                                            // br_nf_* before br_*
		{[]string{"ip_route_input_noref", "br_nf_pre_routing"}, "br_netfilter"},                                                       // its fake route
		{[]string{"ip_sabotage_in", "nf_hook_slow", "ip_rcv"}, "br_netfilter"},                                                        // the IPv4 pre-routing it already ran
		{[]string{"fib_table_lookup", "ip_route_input_noref", "ip_rcv_finish", "ip_sabotage_in", "nf_hook_slow", "ip_rcv"}, "fib"},    // its okfn: the IP receive it skipped to
		{[]string{"nf_hook_slow", "br_nf_forward_ip", "nf_hook_slow", "br_forward"}, "netfilter"},                                     // the IPv4 hooks it calls
		{[]string{"br_nf_hook_thresh", "br_nf_pre_routing_finish"}, "br_netfilter"},                                                   // a boundary decides its own frame
		{[]string{"br_forward", "br_handle_frame_finish", "br_nf_pre_routing_finish", "br_nf_pre_routing", "nf_hook_slow"}, "bridge"}, // okfn continuation ends the hook's claim
		{[]string{"udp_tunnel_xmit_skb", "vxlan_xmit_one"}, "vxlan"},                                                                  // pass: charged to the caller
		{[]string{"iptunnel_xmit", "ip_tunnel_xmit", "ipgre_xmit"}, "gre"},                                                            // shared helpers, GRE caller
		{[]string{"ip_tunnel_xmit", "ipip_tunnel_xmit"}, "ipip"},                                                                      // same helpers, IPIP caller
		{[]string{"ip_tunnel_rcv", "gre_rcv"}, "gre"},
		{[]string{"__tcp_transmit_skb", "tcp_write_xmit"}, "tcp"}, // leading underscores
		{[]string{"__bpf_prog_run32"}, "ebpf"},
		{[]string{"bpf_prog_3b185187f1855c4c_cil_from_container", "cls_bpf_classify"}, "ebpf"},
		{[]string{"fib_table_lookup", "ip_route_input_slow"}, "fib"},
		{[]string{"ip_forward_finish", "ip_forward"}, "ip_forward"},
		{[]string{"ovs_flow_tbl_lookup_stats", "ovs_dp_process_packet"}, "ovs"},
		{[]string{"chacha20_crypt_ssse3", "wg_packet_encrypt_worker"}, "encrypt"},
		{[]string{"rep_movs_alternative", "_copy_to_iter", "tcp_recvmsg_locked"}, "socket_copy"},
		{[]string{"ip_rcv_core", "ip_rcv", "__netif_receive_skb_one_core", "process_backlog", "napi_poll"}, "ip_rcv"},
		{[]string{"mlx5e_poll_rx_cq", "napi_poll"}, "nic"},
		{[]string{"skb_release_data", "kfree_skb"}, "skb"},
		{[]string{"memcg_charge", "mm_thing"}, "other"}, // nothing matches
		{nil, "other"},
		{[]string{"[unknown]"}, "other"},
	}
	for _, c := range cases {
		got := "other"
		if st := m.attribute(kframes(c.stack...)); st >= 0 {
			got = kindName(st)
		}
		if got != c.want {
			t.Errorf("%v: %s, want %s", c.stack, got, c.want)
		}
	}
}

// kframes makes kernel frames.
func kframes(syms ...string) []frame {
	fs := make([]frame, len(syms))
	for i, s := range syms {
		fs[i] = frame{sym: s}
	}
	return fs
}

func kindName(st int) string {
	if st < 0 {
		return "other"
	}
	return datapath.Kind(st).String()
}

func TestCleanSymbol(t *testing.T) {
	for in, want := range map[string]string{
		"veth_xmit+0x44": "veth_xmit",
		"__netif_receive_skb_core.constprop.0+0x300": "__netif_receive_skb_core",
		"tcp_ack.isra.0":        "tcp_ack",
		"br_forward.cold+0x1":   "br_forward",
		"runtime.mallocgc+0x10": "runtime.mallocgc",
		"[unknown]":             "[unknown]",
	} {
		if got := cleanSymbol(in); got != want {
			t.Errorf("cleanSymbol(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIdle(t *testing.T) {
	t.Parallel()
	m, _ := compileRules(DefaultRules())
	cases := []struct {
		comm   string
		pid    int
		frames []string
		want   bool
	}{
		{"swapper", 0, []string{"pvm_safe_halt_hc", "default_idle", "do_idle"}, true},
		{"swapper", 0, []string{"intel_idle", "cpuidle_enter_state", "cpuidle_enter", "do_idle"}, true},
		{"swapper", 0, []string{"tick_nohz_idle_enter", "do_idle"}, true},
		{"swapper", 0, []string{"br_fdb_find_rcu", "net_rx_action", "handle_softirqs", "__irq_exit_rcu", "common_interrupt", "intel_idle"}, false},
		{"swapper", 0, []string{"some_timer_fn", "__irq_exit_rcu", "sysvec_apic_timer_interrupt", "intel_idle"}, false},
		{"iperf3", 42, []string{"intel_idle"}, false}, // not the idle task
		{"swapper", 0, []string{"poll_idle"}, true},   // one-line layout: leaf only
	}
	for _, c := range cases {
		if got := m.isIdle(&sample{comm: c.comm, pid: c.pid, hasPid: true}, kframes(c.frames...)); got != c.want {
			t.Errorf("%s %d %v: idle %v, want %v", c.comm, c.pid, c.frames, got, c.want)
		}
	}
}

func TestMapping(t *testing.T) {
	t.Parallel()
	data := []byte(`
[[rule]]
pattern = "my_tunnel_*"
stage = "vxlan"

[[rule]]
pattern = "veth_poll"
stage = "other"
`)
	mp, err := ParseMapping(data, "map.toml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(mp.Desc, "map.toml") || !strings.Contains(mp.Desc, "prepended") {
		t.Errorf("desc %q", mp.Desc)
	}
	m, _ := compileRules(mp.Rules)
	if st := m.attribute(kframes("my_tunnel_xmit", "veth_xmit")); kindName(st) != "vxlan" {
		t.Errorf("prepended rule: %d", st)
	}
	if st := m.attribute(kframes("veth_poll")); st != targetOther { // user's rule beats veth_*
		t.Errorf("user rule precedence: %d", st)
	}
	if st := m.attribute(kframes("br_forward")); kindName(st) != "bridge" { // built-ins still there
		t.Errorf("builtin after prepend: %d", st)
	}
	rep, err := ParseMapping(append([]byte("replace = true\n"), data...), "map.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rules) != 2 || !strings.Contains(rep.Desc, "replacing") {
		t.Errorf("replace: %d rules, %q", len(rep.Rules), rep.Desc)
	}
	bad := []struct{ text, want string }{
		{"[[rule]]\npattern = \"x*\"\nstage = \"vxlam\"\n", "map.toml:3: rule[0].stage"},
		{"[[rule]]\npattern = \"[x\"\nstage = \"veth\"\n", "map.toml:2: rule[0].pattern"},
		{"[[rule]]\nPattern = \"x\"\nstage = \"veth\"\n", `map.toml:2: unknown key "rule.Pattern"`},
		{"replace = true\n", "no [[rule]]"},
		{"[[rule]]\npattern = \"x\"\nstage = \"bogus\"\n", `"other" (unattributed) or "pass"`},
		{"[[rule]]\npattern = \"x\"\nstage = \"veth\"\nspace = \"kern\"\n", "map.toml:4: rule[0].space: unknown space \"kern\" (valid: kernel, user, any)"},
	}
	for _, b := range bad {
		if _, err := ParseMapping([]byte(b.text), "map.toml"); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%q: error %v, want %q", b.text, err, b.want)
		}
	}
}

// Built-in rules look at kernel frames only: a Go runtime hash named
// aeshashbody is not encryption. A map rule can claim user-space frames,
// for a user-space encapsulation daemon.
func TestSpaces(t *testing.T) {
	m, _ := compileRules(DefaultRules())
	user := []frame{{sym: "aeshashbody", user: true}, {sym: "runtime.mapassign", user: true}}
	if st := m.attribute(user); st != targetOther {
		t.Errorf("user frame matched a kernel rule: %d", st)
	}
	if st := m.attribute(append(user, frame{sym: "tcp_sendmsg"})); kindName(st) != "tcp" {
		t.Errorf("kernel frame below user frames: %d", st)
	}
	mp, err := ParseMapping([]byte("[[rule]]\npattern = \"main.encap*\"\nstage = \"userspace\"\nspace = \"user\"\n"), "m.toml")
	if err != nil {
		t.Fatal(err)
	}
	m2, _ := compileRules(mp.Rules)
	if st := m2.attribute([]frame{{sym: "main.encapLoop", user: true}}); kindName(st) != "userspace" {
		t.Errorf("user rule: %d", st)
	}
	if st := m2.attribute(kframes("main.encapLoop")); st != targetOther {
		t.Errorf("user rule matched a kernel frame: %d", st)
	}
}

func TestParseFrame(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want frame
	}{
		{"\tffffffff81a00020 veth_xmit+0x44 ([kernel.kallsyms])", frame{sym: "veth_xmit"}},
		{"\tffffffffc0a00020 vxlan_xmit+0x44 ([vxlan])", frame{sym: "vxlan_xmit"}},
		{"\t          133b4b [unknown] (/tmp/sim.test)", frame{sym: "[unknown]", user: true}},
		{"\t    863ad aeshashbody+0x12d (/usr/local/go/pkg/tool/linux_amd64/vet)", frame{sym: "aeshashbody", user: true}},
		{"\t    7ffd1234 __vdso_clock_gettime+0x10 ([vdso])", frame{sym: "__vdso_clock_gettime", user: true}},
		{"veth_xmit", frame{sym: "veth_xmit"}},
		{"ffffffff81a00020", frame{sym: "[unknown]"}},
		{"ffffffff81a00020 std::vector<int>::push_back(int const&) (/usr/bin/app)", frame{sym: "std::vector<int>::push_back(int const&)", user: true}},
	}
	for _, c := range cases {
		if got := parseFrame(c.in); got != c.want {
			t.Errorf("parseFrame(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}
