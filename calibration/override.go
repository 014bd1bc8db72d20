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

// Scale multiplies the costs of every entry of a stage kind, per crossing
// and per byte, as a scenario's `[calibration.scale] vxlan = 1.2` asks (a
// sensitivity question: the answer with that cost 20% dearer). The
// entries keep their provenance, their source noting the factor. A stage
// the profile does not price, or a product above the bounds, is an error.
func (p *Profile) Scale(stage string, factor float64) error {
	if _, err := datapath.ParseKind(stage); err != nil {
		return fmt.Errorf("calibration scale: %w", err)
	}
	if !inRange(factor, 0, MaxScale) {
		return fmt.Errorf("calibration scale %s: the factor must be a number in 0..%g, got %v", stage, float64(MaxScale), factor)
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
		e.Source = fmt.Sprintf("%s; scaled x%v (calibration.scale)", e.Source, factor)
	}
	if !found {
		return fmt.Errorf("calibration scale %s: the profile prices no %s stage (cnisim list profiles; [calibration.cycles] adds one)", stage, stage)
	}
	return nil
}

// ScaleAll applies Scale for each stage of m in canonical kind order.
func (p *Profile) ScaleAll(m map[string]float64) error {
	for _, name := range slices.Sorted(maps.Keys(m)) {
		if _, err := datapath.ParseKind(name); err != nil {
			return fmt.Errorf("calibration scale: %w", err)
		}
	}
	for _, k := range datapath.Kinds() {
		if v, ok := m[k.String()]; ok {
			if err := p.Scale(k.String(), v); err != nil {
				return err
			}
		}
	}
	return nil
}
