package perf

import (
	"fmt"
	"path"
	"strings"

	"github.com/cnisim/cnisim/models/datapath"
)

// Rule maps symbols matching Pattern (a glob: * any run of characters, ?
// one character, [...] a class) to Stage: a canonical stage kind, or
//
//	"other" - stop here: the sample is unattributed;
//	"pass"  - this frame does not decide: keep walking toward the root.
//
// Space says which frames the rule looks at: "kernel" (the default, also
// for ""), "user" or "any". perf marks user-space frames by their dso (a
// file path, [unknown], [vdso]).
type Rule struct {
	Pattern string `toml:"pattern"`
	Stage   string `toml:"stage"`
	Space   string `toml:"space,omitempty"`
}

// Rule spaces.
const (
	SpaceKernel = "kernel"
	SpaceUser   = "user"
	SpaceAny    = "any"
)

// Special rule targets.
const (
	StageOther = "other"
	StagePass  = "pass"
)

// defaultRules is the built-in table. Order matters only where patterns
// overlap (br_nf_* before br_*, the shared tunnel helpers before udp_*).
// The symbols are those of Linux's net/ and drivers/net/ (v4.15 to v6.x).
var defaultRules = kernelRules([][2]string{
	// Shared tunnel helpers: charge them to the tunnel that called them
	// (ipip_tunnel_xmit or ipgre_xmit, vxlan_xmit or geneve_xmit).
	{"udp_tunnel*", StagePass}, {"iptunnel_*", StagePass}, {"ip_tunnel*", StagePass},
	// Bridge netfilter hooks are netfilter, not bridge.
	{"br_nf_*", "netfilter"},
	{"br_*", "bridge"},
	{"fib*", "fib"}, {"ip_route_*", "fib"},
	{"ip_forward*", "ip_forward"},
	{"nf_hook_slow", "netfilter"}, {"ipt_do_table", "netfilter"}, {"nft_do_chain", "netfilter"},
	{"nf_*", "netfilter"}, {"nft_*", "netfilter"}, {"ipt_*", "netfilter"}, {"iptable_*", "netfilter"},
	{"xt_*", "netfilter"}, {"ebt_*", "netfilter"},
	{"veth_*", "veth"},
	{"vxlan_*", "vxlan"},
	{"geneve_*", "geneve"},
	{"ipip*", "ipip"},
	{"gre*", "gre"}, {"ipgre*", "gre"},
	{"ovs_*", "ovs"},
	{"bpf_prog_*", "ebpf"}, {"__bpf_prog_run*", "ebpf"}, {"bpf_dispatcher_*", "ebpf"},
	{"esp*", "encrypt"}, {"xfrm_input", "encrypt"}, {"xfrm_output*", "encrypt"},
	{"chacha*", "encrypt"}, {"poly1305*", "encrypt"},
	{"aes*", "encrypt"}, {"gcm*", "encrypt"}, {"wg_*", "encrypt"},
	{"copy_user*", "socket_copy"}, {"_copy_to_iter", "socket_copy"}, {"_copy_from_iter*", "socket_copy"},
	{"skb_copy_datagram*", "socket_copy"}, {"copy_page_to_iter", "socket_copy"},
	{"rep_movs_alternative", "socket_copy"},
	{"tcp*", "tcp"}, {"udp*", "tcp"},
	{"mlx*", "nic"}, {"ixgbe*", "nic"}, {"i40e*", "nic"}, {"ice_*", "nic"}, {"e1000*", "nic"},
	{"igb_*", "nic"}, {"ena_*", "nic"}, {"virtnet*", "nic"}, {"napi_*", "nic"},
	// Generic receive dispatch: work that reaches these without a stage
	// frame on the way (ip_rcv after the bridge, say) is left unattributed
	// rather than charged to the NIC driver or veth that started the poll.
	{"__netif_receive_skb*", StageOther}, {"netif_receive_skb*", StageOther},
	{"process_backlog", StageOther}, {"net_rx_action", StageOther},
})

// kernelRules builds rules for kernel frames from (pattern, stage) pairs.
func kernelRules(pairs [][2]string) []Rule {
	rs := make([]Rule, len(pairs))
	for i, p := range pairs {
		rs[i] = Rule{Pattern: p[0], Stage: p[1]}
	}
	return rs
}

// DefaultRules returns a copy of the built-in rule table.
func DefaultRules() []Rule {
	return append([]Rule(nil), defaultRules...)
}

// matcher is a compiled rule table with a cache of symbol verdicts:
// profiles repeat a few thousand symbols millions of times.
type matcher struct {
	rules []compiled
	cache map[frame]verdict
}

type compiled struct {
	pattern      string
	stage        int // a datapath.Kind, or targetOther / targetPass
	kernel, user bool
}

const (
	targetOther = -1
	targetPass  = -2
	targetNone  = -3 // no rule matches
)

// verdict is what the tables say about one symbol.
type verdict struct {
	stage int  // rule target, or targetNone
	idle  bool // an idle-loop function
	irq   bool // an interrupt or softirq entry point
}

// compileRules checks every rule; errors name the rule and the allowed
// stages.
func compileRules(rs []Rule) (*matcher, error) {
	m := &matcher{cache: map[frame]verdict{}}
	for i, r := range rs {
		st, key, err := checkRule(r)
		if err != nil {
			return nil, fmt.Errorf("rule %d %s: %v", i, key, err)
		}
		c := compiled{pattern: r.Pattern, stage: st}
		switch r.Space {
		case "", SpaceKernel:
			c.kernel = true
		case SpaceUser:
			c.user = true
		default:
			c.kernel, c.user = true, true
		}
		m.rules = append(m.rules, c)
	}
	return m, nil
}

// checkRule returns the rule's target, or the faulty key and an error.
func checkRule(r Rule) (target int, key string, err error) {
	if r.Pattern == "" {
		return 0, "pattern", fmt.Errorf("empty pattern")
	}
	if _, err := path.Match(r.Pattern, ""); err != nil {
		return 0, "pattern", fmt.Errorf("bad pattern %q: %v", r.Pattern, err)
	}
	st, err := parseTarget(r.Stage)
	if err != nil {
		return 0, "stage", err
	}
	switch r.Space {
	case "", SpaceKernel, SpaceUser, SpaceAny:
	default:
		return 0, "space", fmt.Errorf("unknown space %q (valid: kernel, user, any)", r.Space)
	}
	return st, "", nil
}

func parseTarget(s string) (int, error) {
	switch s {
	case StageOther:
		return targetOther, nil
	case StagePass:
		return targetPass, nil
	}
	k, err := datapath.ParseKind(s)
	if err != nil {
		return 0, fmt.Errorf("%v, or %q (unattributed) or %q (keep walking)", err, StageOther, StagePass)
	}
	return int(k), nil
}

// lookup returns the target of the first rule matching sym, or targetNone.
// A pattern matches the symbol as printed (offset and GCC clone suffixes
// such as .isra.0 removed) or without its leading underscores, so tcp_*
// also covers __tcp_transmit_skb.
func (m *matcher) lookup(f frame) int { return m.classify(f).stage }

func (m *matcher) classify(f frame) verdict {
	if v, ok := m.cache[f]; ok {
		return v
	}
	sym := f.sym
	bare := strings.TrimLeft(sym, "_")
	st := targetNone
	for _, r := range m.rules {
		if (f.user && !r.user) || (!f.user && !r.kernel) {
			continue
		}
		if ok, _ := path.Match(r.pattern, sym); ok {
			st = r.stage
			break
		}
		if ok, _ := path.Match(r.pattern, bare); ok && bare != sym {
			st = r.stage
			break
		}
	}
	v := verdict{stage: st}
	if !f.user {
		v.idle, v.irq = matchAny(idlePatterns, sym), matchAny(irqPatterns, sym)
	}
	m.cache[f] = v
	return v
}

// attribute walks a stack from the leaf (frames[0]) toward the root and
// returns the target of the innermost frame that some rule decides (a
// kind or targetOther); targetOther if none does. Within a frame the first
// matching rule in table order wins.
func (m *matcher) attribute(frames []frame) int {
	for _, f := range frames {
		switch st := m.lookup(f); st {
		case targetNone, targetPass:
			continue
		default:
			return st
		}
	}
	return targetOther
}

// cleanSymbol strips the +0x offset and GCC clone suffixes (.isra.0,
// .constprop.0, .part.0, .cold) from a printed symbol.
func cleanSymbol(s string) string {
	if i := strings.LastIndex(s, "+0x"); i > 0 {
		s = s[:i]
	}
	for _, suf := range []string{".isra", ".constprop", ".part", ".cold", ".llvm"} {
		if i := strings.Index(s, suf); i > 0 {
			s = s[:i]
		}
	}
	return s
}
