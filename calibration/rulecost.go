package calibration

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// RuleEngines are the policy engines a [[rule_cost]] may price (DESIGN 4,
// "Costs that predict real kernels"): linear iptables chains, nftables,
// IPVS's hash tables, eBPF maps and OVS flow tables.
var RuleEngines = []string{"iptables", "nftables", "ipvs", "ebpf", "ovs"}

// RuleCost prices the policy rules a scenario adds (cni.policy_rules) for
// one engine: a packet that walks them pays BaseCycles (entering the
// chain) plus the per-rule cost for each rule. Exactly one of
// CyclesPerRule and NsPerRule is set; nanoseconds are converted to cycles
// at the profile's cpu_ghz. Plugin and Mode optionally restrict the entry
// (most specific wins: plugin+mode > plugin > generic).
//
// The optional cache term (TableBytesPerRule, CacheBytes and
// UncachedCyclesPerRule, all three or none) prices a rule table that
// outgrows the cache it is walked from: a table of T rules occupies
// T x TableBytesPerRule bytes, the cache holds CacheBytes of it, and each
// rule walked costs UncachedCyclesPerRule more with the probability that
// its share of the table is not cached, 1 - CacheBytes / (T x
// TableBytesPerRule) when positive. For a walk of the whole table that is
// a hinge: rules beyond the cache's capacity (CacheBytes /
// TableBytesPerRule rules) cost CyclesPerRule + UncachedCyclesPerRule
// each (calibration/perf/testdata/perf/README.md, "The rule series").
type RuleCost struct {
	Engine                string     `toml:"engine"`
	CyclesPerRule         *float64   `toml:"cycles_per_rule,omitempty"`
	NsPerRule             *float64   `toml:"ns_per_rule,omitempty"`
	BaseCycles            float64    `toml:"base_cycles"`
	TableBytesPerRule     *float64   `toml:"table_bytes_per_rule,omitempty"`
	CacheBytes            *float64   `toml:"cache_bytes,omitempty"`
	UncachedCyclesPerRule *float64   `toml:"uncached_cycles_per_rule,omitempty"`
	Plugin                string     `toml:"plugin,omitempty"`
	Mode                  string     `toml:"mode,omitempty"`
	Provenance            Provenance `toml:"provenance"`
	Source                string     `toml:"source"`
}

var ruleCostKeys = []string{"engine", "cycles_per_rule", "ns_per_rule", "base_cycles",
	"table_bytes_per_rule", "cache_bytes", "uncached_cycles_per_rule", "plugin", "mode", "provenance", "source"}

// ErrNoRuleCost is wrapped by RuleCycles when the profile does not price
// the engine in effect.
var ErrNoRuleCost = errors.New("no [[rule_cost]] for the policy engine")

// validateRuleCosts adds one error per problem of the [[rule_cost]] tables.
func (p *Profile) validateRuleCosts(add func(table string, i int, key, format string, a ...any)) {
	type key struct{ engine, plugin, mode string }
	seen := map[key]int{}
	for i, r := range p.RuleCosts {
		bad := func(k, format string, a ...any) { add("rule_cost", i, k, format, a...) }
		if !slices.Contains(RuleEngines, r.Engine) {
			bad("engine", "unknown engine %q (valid: %s)", r.Engine, strings.Join(RuleEngines, ", "))
		}
		switch {
		case (r.CyclesPerRule == nil) == (r.NsPerRule == nil):
			bad("cycles_per_rule", "give exactly one of cycles_per_rule and ns_per_rule")
		case r.CyclesPerRule != nil && !inRange(*r.CyclesPerRule, 0, MaxCycles):
			bad("cycles_per_rule", "must be a number in 0..%g, got %v", float64(MaxCycles), *r.CyclesPerRule)
		case r.NsPerRule != nil && !inRange(*r.NsPerRule, 0, MaxNsPerRule):
			bad("ns_per_rule", "must be a number in 0..%g, got %v", float64(MaxNsPerRule), *r.NsPerRule)
		}
		switch set := countSet(r.TableBytesPerRule, r.CacheBytes, r.UncachedCyclesPerRule); {
		case set != 0 && set != 3:
			bad("cache_bytes", "the cache term needs all three of table_bytes_per_rule, cache_bytes and uncached_cycles_per_rule (%d given)", set)
		case set == 3 && !(*r.TableBytesPerRule > 0 && *r.TableBytesPerRule <= MaxTableBytesPerRule):
			bad("table_bytes_per_rule", "must be a number in (0, %g], got %v", float64(MaxTableBytesPerRule), *r.TableBytesPerRule)
		case set == 3 && !inRange(*r.CacheBytes, 0, MaxCacheBytes):
			bad("cache_bytes", "must be a number in 0..%g, got %v", float64(MaxCacheBytes), *r.CacheBytes)
		case set == 3 && !inRange(*r.UncachedCyclesPerRule, 0, MaxCycles):
			bad("uncached_cycles_per_rule", "must be a number in 0..%g, got %v", float64(MaxCycles), *r.UncachedCyclesPerRule)
		}
		if !inRange(r.BaseCycles, 0, MaxCycles) {
			bad("base_cycles", "must be a number in 0..%g, got %v", float64(MaxCycles), r.BaseCycles)
		}
		if r.Mode != "" && r.Plugin == "" {
			bad("mode", "mode %q needs a plugin (a mode belongs to one plugin)", r.Mode)
		}
		if !validProvenance(r.Provenance) {
			bad("provenance", "unknown provenance %q (valid: %s)", r.Provenance, provenanceList())
		}
		if strings.TrimSpace(r.Source) == "" {
			bad("source", "must say where the number comes from (measured: command, date, kernel, CPU; quoted: where; derived: the arithmetic; assumed: the reason)")
		}
		k := key{r.Engine, r.Plugin, r.Mode}
		if j, dup := seen[k]; dup {
			bad("engine", "duplicate of rule_cost[%d]: same engine %q, plugin %q, mode %q", j, r.Engine, r.Plugin, r.Mode)
		} else {
			seen[k] = i
		}
	}
}

// countSet is how many of v are set.
func countSet(v ...*float64) int {
	n := 0
	for _, x := range v {
		if x != nil {
			n++
		}
	}
	return n
}

// RuleCycles returns what walking the policy rules of engine costs for a
// plugin and mode, in cycles at the profile's frequency, in a table of
// tableRules rules: base on entering the chain and perRule for each rule
// walked (with the entry's cache term, if any, for a table of that size).
// Among the entries of the engine whose restrictions match, the most
// specific wins (plugin+mode > plugin > generic). The error wraps
// ErrNoRuleCost and names the profile, the engine and the engines the
// profile does price.
func (p *Profile) RuleCycles(engine, plugin, mode string, tableRules int) (base, perRule float64, err error) {
	best := -1
	for i := range p.RuleCosts {
		r := &p.RuleCosts[i]
		if r.Engine != engine || (r.Plugin != "" && r.Plugin != plugin) || (r.Mode != "" && r.Mode != mode) {
			continue
		}
		s := 0
		if r.Plugin != "" {
			s += 2
		}
		if r.Mode != "" {
			s++
		}
		if s > best {
			best, base, perRule = s, r.BaseCycles, r.perRuleCycles(p.GHz, tableRules)
		}
	}
	if best < 0 {
		return 0, 0, fmt.Errorf("calibration profile %q: %w %q (plugin %s, mode %s; the profile prices: %s)",
			p.Name, ErrNoRuleCost, engine, plugin, mode, p.ruleEngineList())
	}
	return base, perRule, nil
}

// perRuleCycles is the cost in cycles at ghz of a rule walked in a table
// of tableRules rules.
func (r *RuleCost) perRuleCycles(ghz float64, tableRules int) float64 {
	c := 0.0
	if r.CyclesPerRule != nil {
		c = *r.CyclesPerRule
	} else if r.NsPerRule != nil {
		c = *r.NsPerRule * ghz
	}
	return c + r.UncachedShare(tableRules)*r.uncached()
}

func (r *RuleCost) uncached() float64 {
	if r.UncachedCyclesPerRule == nil {
		return 0
	}
	return *r.UncachedCyclesPerRule
}

// UncachedShare is the share of a table of tableRules rules that the
// entry's cache does not hold: 1 - cache_bytes / (tableRules x
// table_bytes_per_rule) when positive, 0 without a cache term.
func (r *RuleCost) UncachedShare(tableRules int) float64 {
	if r.TableBytesPerRule == nil || r.CacheBytes == nil || tableRules <= 0 {
		return 0
	}
	return max(0, 1-*r.CacheBytes/(float64(tableRules)**r.TableBytesPerRule))
}

// CachedRules is how many rules of the engine's table the cache holds
// (cache_bytes / table_bytes_per_rule); +Inf without a cache term.
func (r *RuleCost) CachedRules() float64 {
	if r.TableBytesPerRule == nil || r.CacheBytes == nil {
		return math.Inf(1)
	}
	return *r.CacheBytes / *r.TableBytesPerRule
}

// RuleEngineNames lists the engines the profile prices, sorted, without
// repeats.
func (p *Profile) RuleEngineNames() []string {
	var n []string
	for _, r := range p.RuleCosts {
		if !slices.Contains(n, r.Engine) {
			n = append(n, r.Engine)
		}
	}
	slices.Sort(n)
	return n
}

func (p *Profile) ruleEngineList() string {
	if n := p.RuleEngineNames(); len(n) > 0 {
		return strings.Join(n, ", ")
	}
	return "no engine (add a [[rule_cost]] table)"
}
