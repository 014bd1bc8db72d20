package service

import (
	"fmt"
	"github.com/cnisim/cnisim/internal/field"
	"math/rand/v2"
)

// LookupCost is what one hash-table or map lookup of an engine costs, in
// cycles (at any clock: a lookup is memory-bound work assumed to take the
// same cycles at the paper's 2.4 GHz and this machine's 2.6 GHz).
type LookupCost struct {
	Engine     string
	Cycles     float64
	Provenance string
	Source     string
}

// LookupCosts are the lookup costs by engine (Structure.LookupEngine).
// No measurement of a single lookup is at hand (the rule series of
// calibration/perf/testdata/perf measured linear rules only); the same
// assumed figure for every engine keeps the comparison of proxy modes
// about their structure (how many lookups, rules and entries), not about
// guesses that differ.
var LookupCosts = map[string]LookupCost{
	"ipvs":     {"ipvs", 250, "assumed", lookupReason},
	"nftables": {"nftables", 250, "assumed", lookupReason},
	"ebpf":     {"ebpf", 250, "assumed", lookupReason},
}

const lookupReason = "one hash lookup: a jhash of the key (tens of cycles) and a bucket walk that misses the cache about once on a table of thousands of entries (about 80-100 ns to DRAM, 200-250 cycles at 2.4-2.6 GHz); assumed alike for IPVS, ipset, nftables maps and eBPF hash maps"

// ConntrackCost is the cost of creating a connection's entry (first
// packet) and of the NAT rewrite of every later packet.
type ConntrackCost struct {
	Kind       string
	NewCycles  float64 // per new connection
	NATCycles  float64 // per established packet, each direction
	Provenance string
	Source     string
}

// ConntrackCosts by Structure.Conntrack.
var ConntrackCosts = map[string]ConntrackCost{
	"netfilter": {"netfilter", 1500, 150, "assumed",
		"new: nf_conntrack_in for an unknown tuple (two hash lookups: the tuple and its reply), the entry's slab allocation, " +
			"nf_nat_setup_info (the NAT binding, one more hash) and __nf_conntrack_confirm at POSTROUTING: about six lookup-sized steps (6 x 250 cycles, " +
			"see LookupCosts); established: nf_nat_manip_pkt rewrites the address and port and patches the checksums (tens of instructions, " +
			"the entry cache-hot: 150 cycles assumed). The conntrack lookup itself is not charged here: every packet of a cluster with " +
			"kube-proxy crosses it, and it is inside the path's netfilter stage (the fixtures' conntrack capture measured it, with the " +
			"ESTABLISHED rule, at 7.3% of 28.3k cycles per packet)"},
	"ebpf": {"ebpf", 500, 150, "assumed",
		"new: a CT map insert (htab_map_update_elem: element allocation and a hash insert, two lookup-sized steps = 2 x 250 cycles); " +
			"established: the packet rewrite (bpf_skb_store_bytes and l4 checksum fix-ups, 150 cycles as netfilter's)"},
}

// RuleCostSource prices linear rules and chains (a calibration profile's
// [[rule_cost]]) in a table of tableRules rules.
type RuleCostSource interface {
	RuleCycles(engine, plugin, mode string, tableRules int) (base, perRule float64, err error)
}

// Plan is a resolved [service] table: the structure and the costs of one
// proxy mode for one plugin, and the choice of Service and endpoint.
type Plan struct {
	Config    Config
	Structure Structure
	// PerRule and PerChain price Walk.Rules and Walk.Chains (the engine's
	// rule_cost), PerLookup Walk.Lookups.
	PerRule, PerChain, PerLookup float64
	CT                           ConntrackCost
	// Derived says how a price the profile lacks was derived ("": none).
	Derived string
	pop     *popularity // Zipf popularity; nil: uniform
}

// NFTablesPerIPTablesRule prices an nftables rule from an iptables one in a
// profile that prices only iptables (the paper's): measured on this
// machine, 16.80 / 15.28 cycles per non-matching rule (nftables /
// iptables-legacy, slope of the means from 0 to 1000 rules, three
// repetitions each; calibration/perf/testdata/perf/README.md, the rule
// series, cnisim calibrate perf on the committed captures). That README
// also finds the two within about 15% of each other by other fits, so the
// ratio says "about equal", not "10% dearer".
const NFTablesPerIPTablesRule = 16.80 / 15.28

// NewPlan resolves cfg (defaults already applied and validated) against
// the profile's rule costs for plugin and mode.
func NewPlan(cfg Config, rules RuleCostSource, plugin, mode string) (*Plan, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	st := Structures[cfg.Proxy]
	p := &Plan{Config: cfg, Structure: st, CT: ConntrackCosts[st.Conntrack]}
	if st.Engine != "" {
		if rules == nil {
			return nil, field.Errorf("service.Config.Proxy", cfg.Proxy, "the calibration profile prices no rules")
		}
		// The table a connection walks is the services' dispatch chain,
		// one rule per Service port.
		table := p.Ports()
		base, per, err := rules.RuleCycles(st.Engine, plugin, mode, table)
		if err != nil && st.Engine == "nftables" {
			// derived: the profile's iptables price x the measured ratio
			base, per, err = rules.RuleCycles("iptables", plugin, mode, table)
			per *= NFTablesPerIPTablesRule
			p.Derived = fmt.Sprintf("nftables rules priced at the profile's iptables per-rule cost x %.2f (NFTablesPerIPTablesRule)", NFTablesPerIPTablesRule)
		}
		if err != nil {
			return nil, &field.Error{Field: "service.Config.Proxy", Value: cfg.Proxy, Msg: fmt.Sprintf("needs the %s rule cost: %v", st.Engine, err)}
		}
		p.PerRule, p.PerChain = per, base
	}
	if st.LookupEngine != "" {
		p.PerLookup = LookupCosts[st.LookupEngine].Cycles
	}
	if cfg.Zipf > 0 && cfg.Count > 0 {
		p.pop = newPopularity(cfg.Count, cfg.Zipf)
	}
	return p, nil
}

// Cycles prices a walk.
func (p *Plan) Cycles(w Walk) float64 {
	return (w.Rules+w.PostRules)*p.PerRule + float64(w.Chains)*p.PerChain + float64(w.Lookups)*p.PerLookup
}

// Ports is the number of Service ports in KUBE-SERVICES' order.
func (p *Plan) Ports() int { return p.Config.Count * p.Config.PortCount }

// FirstCycles is what the packet opening a connection to the Service port
// at pos (1-based; 0 a non-Service address) with endpoint ep pays: its
// walk and, toward a Service, the connection entry.
func (p *Plan) FirstCycles(pos, ep int) float64 {
	c := p.Cycles(p.Structure.FirstPacket(pos, p.Ports(), ep, p.Config.Endpoints))
	if pos > 0 {
		c += p.CT.NewCycles
	}
	return c
}

// PacketCycles is the Service's cost per later packet toward the Service
// (forward) and back (reverse).
func (p *Plan) PacketCycles() (forward, reverse float64) {
	if p.Structure.Proxy == None || p.Structure.AtConnect {
		return 0, 0
	}
	return p.Cycles(p.Structure.Established) + p.CT.NATCycles, p.Cycles(p.Structure.Reverse) + p.CT.NATCycles
}

// Pick draws the Service port a connection goes to (its 1-based position
// in KUBE-SERVICES: the Service's first port; Services are in rule order)
// and its endpoint. Services are uniform, or by the Zipf law of
// Config.Zipf with the popular ones at fixed pseudo-random places in rule
// order (zipf.go); endpoints are uniform (every proxy mode balances uniformly at random:
// statistic/numgen random, IPVS rr over many clients, Maglev/random in
// eBPF).
func (p *Plan) Pick(rng *rand.Rand) (pos, ep int) {
	var svc int
	if p.pop != nil {
		svc = p.pop.draw(rng)
	} else {
		svc = rng.IntN(p.Config.Count)
	}
	return svc*p.Config.PortCount + 1, rng.IntN(p.Config.Endpoints)
}
