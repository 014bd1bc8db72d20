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
	mean := func(v []float64) (float64, error) {
		s := 0.0
		for _, x := range v {
			if !(x >= 0) || math.IsInf(x, 0) {
				return 0, fmt.Errorf("rule cost: netfilter cycles per packet %v: want a finite number >= 0", x)
			}
			s += x
		}
		return s / float64(len(v)), nil
	}
	z, err := mean(zero)
	if err != nil {
		return calibration.RuleCost{}, err
	}
	w, err := mean(withRules)
	if err != nil {
		return calibration.RuleCost{}, err
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
