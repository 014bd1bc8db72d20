package calibration

import (
	"fmt"
	"maps"
	"slices"

	"github.com/cnisim/cnisim/models/datapath"
)

// Override sets the cycles of every entry of a stage kind, as a scenario's
// `[calibration.cycles] vxlan = 900` asks; the entries become assumed with
// source "override". If the profile has no entry of that kind, a generic
// one is added. Per-byte costs are left as they are.
func (p *Profile) Override(stage string, cycles float64) error {
	if _, err := datapath.ParseKind(stage); err != nil {
		return fmt.Errorf("calibration override: %w", err)
	}
	if !inRange(cycles, 0, MaxCycles) {
		return fmt.Errorf("calibration override %s: cycles must be a number in 0..%g, got %v", stage, float64(MaxCycles), cycles)
	}
	found := false
	for i := range p.Costs {
		if e := &p.Costs[i]; e.Stage == stage {
			e.Cycles, e.Provenance, e.Source = cycles, Assumed, "override"
			found = true
		}
	}
	if !found {
		p.Costs = append(p.Costs, Entry{Stage: stage, Cycles: cycles, Provenance: Assumed, Source: "override"})
	}
	return nil
}

// OverrideAll applies Override for each stage of m in canonical kind order,
// so the result does not depend on map order.
func (p *Profile) OverrideAll(m map[string]float64) error {
	for _, name := range slices.Sorted(maps.Keys(m)) {
		if _, err := datapath.ParseKind(name); err != nil {
			return fmt.Errorf("calibration override: %w", err)
		}
	}
	for _, k := range datapath.Kinds() {
		if v, ok := m[k.String()]; ok {
			if err := p.Override(k.String(), v); err != nil {
				return err
			}
		}
	}
	return nil
}

// RulesStage names the policy and Service rule costs ([[rule_cost]]) for
// Scale: not a stage kind, they are paid per rule a packet walks.
const RulesStage = "rules"

// GROFrameStage and GSOSegmentStage name the offloads' per-frame costs in
// calibration.scale: what each frame GRO merges costs the receiving core,
// and each segment software GSO cuts the sending one, tunnels' shares
// included. Not profile entries alone (the built-in measured values and
// the devices table price them when the profile does not), so the
// simulator applies their factors where it resolves those costs
// (experiments/simulate); Scale refuses them and ScaleAll leaves them.
const (
	GROFrameStage   = "gro_frame"
	GSOSegmentStage = "gso_segment"
)

// FrameStages are GROFrameStage and GSOSegmentStage.
func FrameStages() []string { return []string{GROFrameStage, GSOSegmentStage} }

// ScaleStages are the names calibration.scale takes: every stage kind,
// RulesStage, then FrameStages.
func ScaleStages() []string {
	return append(append(datapath.KindNames(), RulesStage), FrameStages()...)
}

// CheckScaleStage accepts a name of ScaleStages, naming them otherwise.
func CheckScaleStage(stage string) error {
	if stage == RulesStage || slices.Contains(FrameStages(), stage) {
		return nil
	}
	if _, err := datapath.ParseKind(stage); err != nil {
		return fmt.Errorf("%w, or %s (the [[rule_cost]] entries), %s or %s (the offloads' per-frame costs)", err, RulesStage, GROFrameStage, GSOSegmentStage)
	}
	return nil
}

// Scale multiplies the costs of every entry of a stage kind, per crossing
// and per byte, as a scenario's `[calibration.scale] vxlan = 1.2` asks (a
// sensitivity question: the answer with that cost 20% dearer); RulesStage
// multiplies every [[rule_cost]]'s base and per-rule costs (cached and
// uncached). The entries keep their provenance, their source noting the
// factor. A stage the profile does not price, or a product above the
// bounds, is an error.
func (p *Profile) Scale(stage string, factor float64) error {
	if err := CheckScaleStage(stage); err != nil {
		return fmt.Errorf("calibration scale: %w", err)
	}
	if !inRange(factor, 0, MaxScale) {
		return fmt.Errorf("calibration scale %s: the factor must be a number in 0..%g, got %v", stage, float64(MaxScale), factor)
	}
	if stage == RulesStage {
		return p.scaleRules(factor)
	}
	if slices.Contains(FrameStages(), stage) {
		return fmt.Errorf("calibration scale %s: applied where the simulator resolves the frame costs, not to a profile", stage)
	}
	found := false
	for i := range p.Costs {
		e := &p.Costs[i]
		if e.Stage != stage {
			continue
		}
		found = true
		c, b := e.Cycles*factor, e.CyclesPerByte*factor
		if c > MaxCycles || b > MaxCyclesPerByte {
			return fmt.Errorf("calibration scale %s: x%v makes %v cycles and %v per byte, above the bounds (%g, %g)", stage, factor, c, b, float64(MaxCycles), float64(MaxCyclesPerByte))
		}
		e.Cycles, e.CyclesPerByte = c, b
		e.Source = ScaledSource(e.Source, factor)
	}
	if !found {
		return fmt.Errorf("calibration scale %s: the profile prices no %s stage (cnisim list profiles; [calibration.cycles] adds one)", stage, stage)
	}
	return nil
}

// scaleRules multiplies every [[rule_cost]]'s costs (their pointers are
// the profile's own: Clone copies them).
func (p *Profile) scaleRules(factor float64) error {
	if len(p.RuleCosts) == 0 {
		return fmt.Errorf("calibration scale %s: the profile has no [[rule_cost]]", RulesStage)
	}
	for i := range p.RuleCosts {
		r := &p.RuleCosts[i]
		r.BaseCycles *= factor
		for _, v := range []*float64{r.CyclesPerRule, r.NsPerRule, r.UncachedCyclesPerRule} {
			if v != nil {
				*v *= factor
			}
		}
		if r.BaseCycles > MaxCycles || r.CyclesPerRule != nil && *r.CyclesPerRule > MaxCycles || r.NsPerRule != nil && *r.NsPerRule > MaxNsPerRule ||
			r.UncachedCyclesPerRule != nil && *r.UncachedCyclesPerRule > MaxCycles {
			return fmt.Errorf("calibration scale %s: x%v takes [[rule_cost]] %d (%s) above the bounds", RulesStage, factor, i, r.Engine)
		}
		r.Source = ScaledSource(r.Source, factor)
	}
	return nil
}

// ScaledSource is a scaled cost's source: src, noting the factor.
func ScaledSource(src string, factor float64) string {
	return fmt.Sprintf("%s; scaled x%v (calibration.scale)", src, factor)
}

// ScaleAll applies Scale for each stage of m, in ScaleStages' order,
// leaving the frame stages to the simulator.
func (p *Profile) ScaleAll(m map[string]float64) error {
	for _, name := range slices.Sorted(maps.Keys(m)) {
		if err := CheckScaleStage(name); err != nil {
			return fmt.Errorf("calibration scale: %w", err)
		}
	}
	for _, s := range ScaleStages() {
		if v, ok := m[s]; ok && !slices.Contains(FrameStages(), s) {
			if err := p.Scale(s, v); err != nil {
				return err
			}
		}
	}
	return nil
}
