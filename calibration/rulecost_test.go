package calibration

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// The specificity rule of RuleCycles, case by case (testdata/specific.toml:
// per-rule cycles 10 generic, 20 calico, 30 calico/ipip).
func TestRuleCyclesSpecificity(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, "testdata/specific.toml")
	cases := []struct {
		engine, plugin, mode string
		base, perRule        float64
	}{
		{"iptables", "calico", "ipip", 0, 30},  // plugin+mode
		{"iptables", "calico", "vxlan", 7, 20}, // plugin beats generic
		{"iptables", "calico", "", 7, 20},
		{"iptables", "weave", "ipip", 0, 10}, // a mode of another plugin does not match
		{"iptables", "", "", 0, 10},
		// ns_per_rule converts at the profile's 2.0 GHz: 1.5 ns = 3 cycles
		{"nftables", "calico", "native", 100, 3},
	}
	for _, c := range cases {
		base, per, err := p.RuleCycles(c.engine, c.plugin, c.mode, 0)
		if err != nil || base != c.base || math.Abs(per-c.perRule) > 1e-12 {
			t.Errorf("RuleCycles(%s, %q, %q) = %v, %v, %v; want %v, %v", c.engine, c.plugin, c.mode, base, per, err, c.base, c.perRule)
		}
	}
	// Reversing the entries changes nothing.
	q := p.Clone()
	for i, j := 0, len(q.RuleCosts)-1; i < j; i, j = i+1, j-1 {
		q.RuleCosts[i], q.RuleCosts[j] = q.RuleCosts[j], q.RuleCosts[i]
	}
	for _, c := range cases {
		a, b, _ := p.RuleCycles(c.engine, c.plugin, c.mode, 0)
		x, y, _ := q.RuleCycles(c.engine, c.plugin, c.mode, 0)
		if a != x || b != y {
			t.Errorf("%s %s %s: order matters: %v %v vs %v %v", c.engine, c.plugin, c.mode, a, b, x, y)
		}
	}
}

// A profile without the engine names itself, the engine and what it does
// price; the error wraps ErrNoRuleCost.
func TestRuleCyclesMissing(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, "testdata/specific.toml")
	_, _, err := p.RuleCycles("ipvs", "kube-router", "native", 0)
	if !errors.Is(err, ErrNoRuleCost) {
		t.Fatalf("error %v does not wrap ErrNoRuleCost", err)
	}
	for _, w := range []string{`"specific"`, `"ipvs"`, "kube-router", "iptables, nftables"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
	empty := &Profile{Name: "bare", GHz: 1}
	if _, _, err := empty.RuleCycles("iptables", "", "", 0); err == nil || !strings.Contains(err.Error(), "add a [[rule_cost]]") {
		t.Errorf("profile without rule costs: %v", err)
	}
}

// The paper profile carries the per-rule costs the code used before they
// were data (models/cni RuleNanos): iptables 20 ns, eBPF and OVS 0.1 ns, no
// base, at 2.4 GHz; nftables and ipvs are not priced.
func TestPaperRuleCosts(t *testing.T) {
	t.Parallel()
	p, err := Builtin("paper")
	if err != nil {
		t.Fatal(err)
	}
	for engine, ns := range map[string]float64{"iptables": 20, "ebpf": 0.1, "ovs": 0.1} {
		base, per, err := p.RuleCycles(engine, "calico", "ipip", 0)
		if err != nil || base != 0 || math.Abs(per-ns*2.4) > 1e-12 {
			t.Errorf("paper %s: base %v, per rule %v cycles, %v; want 0, %v", engine, base, per, err, ns*2.4)
		}
	}
	for _, engine := range []string{"nftables", "ipvs"} {
		if _, _, err := p.RuleCycles(engine, "calico", "ipip", 0); !errors.Is(err, ErrNoRuleCost) {
			t.Errorf("paper %s: %v, want ErrNoRuleCost", engine, err)
		}
	}
}

const goodRule = good + `
[[rule_cost]]
engine = "iptables"
ns_per_rule = 20
provenance = "quoted"
source = "s"
`

// Each bad [[rule_cost]] fails with the file, the line, the key and the
// allowed values.
func TestRuleCostParseErrors(t *testing.T) {
	t.Parallel()
	// r replaces the last occurrence: the [[rule_cost]]'s, not the [[cost]]'s
	r := func(old, new string) string {
		i := strings.LastIndex(goodRule, old)
		return goodRule[:i] + new + goodRule[i+len(old):]
	}
	cases := []struct {
		name, text string
		want       []string
	}{
		{"unknown key", r("ns_per_rule = 20", "ns_per_rule = 20\nper_rule = 3"), []string{"f.toml:12", `"rule_cost.per_rule"`, "allowed: engine, cycles_per_rule, ns_per_rule, base_cycles"}},
		{"bad engine", r(`"iptables"`, `"pf"`), []string{"f.toml:10", "rule_cost[0].engine", `"pf"`, "valid: iptables, nftables, ipvs, ebpf, ovs"}},
		{"both costs", r("ns_per_rule = 20", "ns_per_rule = 20\ncycles_per_rule = 48"), []string{"f.toml:12", "rule_cost[0].cycles_per_rule", "exactly one of cycles_per_rule and ns_per_rule"}},
		{"no cost", r("ns_per_rule = 20\n", ""), []string{"rule_cost[0].cycles_per_rule", "exactly one"}},
		{"negative ns", r("ns_per_rule = 20", "ns_per_rule = -1"), []string{"f.toml:11", "rule_cost[0].ns_per_rule", "0..1e+09"}},
		{"negative cycles", r("ns_per_rule = 20", "cycles_per_rule = -1"), []string{"f.toml:11", "rule_cost[0].cycles_per_rule", "0..1e+10"}},
		{"huge cycles", r("ns_per_rule = 20", "cycles_per_rule = 1e300"), []string{"f.toml:11", "rule_cost[0].cycles_per_rule", "0..1e+10"}},
		{"nan ns", r("ns_per_rule = 20", "ns_per_rule = nan"), []string{"rule_cost[0].ns_per_rule"}},
		{"inf base", r("ns_per_rule = 20", "ns_per_rule = 20\nbase_cycles = inf"), []string{"f.toml:12", "rule_cost[0].base_cycles"}},
		{"mode without plugin", r("ns_per_rule = 20", "ns_per_rule = 20\nmode = \"ipip\""), []string{"f.toml:12", "needs a plugin"}},
		{"bad provenance", r(`provenance = "quoted"`, `provenance = "guess"`), []string{"f.toml:12", "rule_cost[0].provenance", "valid: measured, quoted"}},
		{"empty source", r(`source = "s"`+"\n", `source = ""`+"\n"), []string{"rule_cost[0].source", "measured: command, date, kernel, CPU"}},
		{"duplicate", goodRule + goodRule[strings.Index(goodRule, "[[rule_cost]]"):], []string{"f.toml:15", "rule_cost[1].engine", "duplicate of rule_cost[0]"}},
		{"wrong type", r("ns_per_rule = 20", `ns_per_rule = "20"`), []string{"f.toml", "ns_per_rule"}},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.text), "f.toml")
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.name, err, w)
			}
		}
	}
	if _, err := Parse([]byte(goodRule), "f.toml"); err != nil {
		t.Errorf("good rule cost: %v", err)
	}
}

// Clone copies the per-rule pointers: changing the clone leaves the
// original alone.
func TestCloneRuleCosts(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, "testdata/specific.toml")
	q := p.Clone()
	*q.RuleCosts[0].CyclesPerRule = 999
	q.RuleCosts[1].BaseCycles = 999
	if *p.RuleCosts[0].CyclesPerRule == 999 || p.RuleCosts[1].BaseCycles == 999 {
		t.Error("Clone shares rule costs")
	}
}

// The cache term: a table of T rules of b bytes, c bytes of it cached,
// costs each rule walked u more with probability 1 - c/(T b); a whole walk
// is a hinge at c/b rules (closed forms, table-driven).
func TestRuleCostCacheTerm(t *testing.T) {
	t.Parallel()
	f := func(v float64) *float64 { return &v }
	r := RuleCost{Engine: "iptables", CyclesPerRule: f(10), TableBytesPerRule: f(200), CacheBytes: f(200_000), UncachedCyclesPerRule: f(6)}
	if got := r.CachedRules(); got != 1000 {
		t.Errorf("CachedRules = %v, want 1000", got)
	}
	for _, c := range []struct {
		table     int
		share     float64
		walkTotal float64 // rules x per rule for a whole walk
	}{
		{0, 0, 0},
		{100, 0, 1000},
		{1000, 0, 10000},
		{2000, 0.5, 2000*10 + 1000*6}, // hinge: the 1000 rules beyond the cache pay 6 more
		{5000, 0.8, 5000*10 + 4000*6},
	} {
		per := r.perRuleCycles(2, c.table)
		if s := r.UncachedShare(c.table); math.Abs(s-c.share) > 1e-12 {
			t.Errorf("%d rules: uncached share %v, want %v", c.table, s, c.share)
		}
		if got := per * float64(c.table); math.Abs(got-c.walkTotal) > 1e-9 {
			t.Errorf("%d rules: walk %v cycles, want %v", c.table, got, c.walkTotal)
		}
	}
	// Without the term, the per-rule cost does not depend on the table.
	r.CacheBytes = nil
	if a, b := r.perRuleCycles(2, 100), r.perRuleCycles(2, 1e6); a != 10 || b != 10 || !math.IsInf(r.CachedRules(), 1) {
		t.Errorf("no cache term: %v, %v, %v", a, b, r.CachedRules())
	}
}

// The cache term's keys: all three or none, each within its bounds.
func TestRuleCostCacheTermErrors(t *testing.T) {
	t.Parallel()
	r := func(extra string) string { return goodRule + extra }
	for _, c := range []struct{ name, text, want string }{
		{"partial", r("cache_bytes = 1e6\n"), "all three of table_bytes_per_rule, cache_bytes and uncached_cycles_per_rule (1 given)"},
		{"zero bytes", r("table_bytes_per_rule = 0\ncache_bytes = 1e6\nuncached_cycles_per_rule = 3\n"), "rule_cost[0].table_bytes_per_rule"},
		{"negative cache", r("table_bytes_per_rule = 200\ncache_bytes = -1\nuncached_cycles_per_rule = 3\n"), "rule_cost[0].cache_bytes"},
		{"nan uncached", r("table_bytes_per_rule = 200\ncache_bytes = 1e6\nuncached_cycles_per_rule = nan\n"), "rule_cost[0].uncached_cycles_per_rule"},
	} {
		_, err := Parse([]byte(c.text), "f.toml")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := Parse([]byte(r("table_bytes_per_rule = 200\ncache_bytes = 262144\nuncached_cycles_per_rule = 3\n")), "f.toml"); err != nil {
		t.Errorf("a whole cache term: %v", err)
	}
}
