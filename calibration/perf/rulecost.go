package perf

import (
	"fmt"
	"math"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/models/datapath"
)

// StageCPP is the cycles per data packet that r attributes to stage (0 when
// no sample maps to it).
func StageCPP(r *Result, stage datapath.Kind) float64 {
	for _, s := range r.Stages {
		if s.Stage == stage.String() {
			return s.CPP
		}
	}
	return 0
}

// RuleCostFromStage prices an engine's policy rules from captures of one
// path without rules (zero) and with rules rules that every data packet
// walks and none matches (withRules): the netfilter stage's cycles per
// data packet (StageCPP) of each capture, averaged per side. The rules'
// cost is what they add to the netfilter stage:
//
//	cycles_per_rule = (mean withRules - mean zero) / rules,  base_cycles = 0
//
// base is 0 because the chain's entry (the hook, the jump to the rules'
// chain) is in the zero capture's netfilter stage, which the path's own
// profile carries. Only the netfilter stage is used: on a shared machine
// the rest of a packet's path moves by 10-20% between captures (other
// jobs' cache and CPU use), which a slope of total cycles turns into
// 1000/rules times as much error per rule (calibration/perf/testdata/perf
// README, "The rule series"). source says which captures these are; the
// entry is measured at their clock (profile cpu_ghz).
func RuleCostFromStage(engine string, zero, withRules []float64, rules int, source string) (calibration.RuleCost, error) {
	switch {
	case rules <= 0:
		return calibration.RuleCost{}, fmt.Errorf("rule cost: %d rules: want 1 or more", rules)
	case len(zero) == 0 || len(withRules) == 0:
		return calibration.RuleCost{}, fmt.Errorf("rule cost: %d captures without rules and %d with %d rules: want at least one of each", len(zero), len(withRules), rules)
	}
	z, err := meanFinite(zero)
	if err != nil {
		return calibration.RuleCost{}, fmt.Errorf("rule cost: %w", err)
	}
	w, err := meanFinite(withRules)
	if err != nil {
		return calibration.RuleCost{}, fmt.Errorf("rule cost: %w", err)
	}
	if w < z {
		return calibration.RuleCost{}, fmt.Errorf("rule cost: the netfilter stage costs %.0f cycles per packet with %d rules, less than the %.0f without: the rules were not walked (a matching or accepting rule first, conntrack?)", w, rules, z)
	}
	per := (w - z) / float64(rules)
	return calibration.RuleCost{
		Engine:        engine,
		CyclesPerRule: &per,
		Provenance:    calibration.Measured,
		Source: fmt.Sprintf("netfilter stage %.0f cycles per data packet with %d rules (mean of %d captures) - %.0f without (mean of %d) = %.0f, / %d rules; base 0: the chain's entry is in the rule-free netfilter cost; %s",
			w, rules, len(withRules), z, len(zero), w-z, rules, source),
	}, nil
}

// AddCacheTerm gives rc, a rule cost calibrated on a table that fits the
// cache (RuleCostFromStage), the cache term of calibration.RuleCost from
// captures of the same path without rules (zero) and with beyondRules
// rules (beyond: the netfilter stage's cycles per data packet), a table
// that outgrows the cache. With K = cacheBytes / tableBytesPerRule the
// rules the cache holds, a walk of N > K rules costs
// N x (c + u x (1 - K/N)) over the rule-free path, so
//
//	u = ((mean beyond - mean zero) / N - c) / (1 - K/N)
//
// clamped at 0 (a walk that got no dearer per rule beyond the cache).
// tableBytesPerRule and cacheBytes come from the engine's rule layout and
// the host's cache (each with its provenance in source).
func AddCacheTerm(rc *calibration.RuleCost, zero, beyond []float64, beyondRules int, tableBytesPerRule, cacheBytes float64, source string) error {
	if rc.CyclesPerRule == nil {
		return fmt.Errorf("cache term: the rule cost has no cycles_per_rule to extend")
	}
	k := cacheBytes / tableBytesPerRule
	switch {
	case !(tableBytesPerRule > 0) || !(cacheBytes > 0) || math.IsInf(cacheBytes+tableBytesPerRule, 0):
		return fmt.Errorf("cache term: %v table bytes per rule, %v cache bytes: want finite numbers > 0", tableBytesPerRule, cacheBytes)
	case float64(beyondRules) <= k:
		return fmt.Errorf("cache term: %d rules fit the cache (%.0f rules of %.0f bytes in %.0f bytes): want a table beyond it", beyondRules, k, tableBytesPerRule, cacheBytes)
	case len(zero) == 0 || len(beyond) == 0:
		return fmt.Errorf("cache term: %d captures without rules and %d with %d rules: want at least one of each", len(zero), len(beyond), beyondRules)
	}
	z, err := meanFinite(zero)
	if err != nil {
		return fmt.Errorf("cache term: %w", err)
	}
	w, err := meanFinite(beyond)
	if err != nil {
		return fmt.Errorf("cache term: %w", err)
	}
	n := float64(beyondRules)
	u := max(0, ((w-z)/n-*rc.CyclesPerRule)/(1-k/n))
	rc.TableBytesPerRule, rc.CacheBytes, rc.UncachedCyclesPerRule = &tableBytesPerRule, &cacheBytes, &u
	rc.Source += fmt.Sprintf("; cache term: %.0f cycles per data packet in the netfilter stage with %d rules (mean of %d captures) - %.0f without = %.2f per rule, %.2f over cycles_per_rule, / (1 - %.0f/%d rules the cache holds) = %.2f uncached cycles per rule (clamped at 0); %s",
		w, beyondRules, len(beyond), z, (w-z)/n, (w-z)/n-*rc.CyclesPerRule, k, beyondRules, u, source)
	return nil
}

// meanFinite is the mean of v (netfilter cycles per data packet), or an
// error naming the first negative, NaN or infinite value.
func meanFinite(v []float64) (float64, error) {
	s := 0.0
	for _, x := range v {
		if !(x >= 0) || math.IsInf(x, 0) {
			return 0, fmt.Errorf("netfilter cycles per packet %v: want a finite number >= 0", x)
		}
		s += x
	}
	return s / float64(len(v)), nil
}
