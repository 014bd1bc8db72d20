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
