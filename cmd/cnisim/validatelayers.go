package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/cnisim/cnisim/calibration"
)

// printLayers tells, for a layered calibration.profile, what each layer
// contributes: its entries, how many replace an earlier layer's, and the
// merged total, so a user sees that a partial measured profile took effect.
// A single profile prints nothing (Resolve has already checked it).
//
// A layer whose entries an earlier layer's more specific entries shadow
// (calibration.Shadowed) gets one warning line on stderr.
func printLayers(w, stderr io.Writer, list string) error {
	parts, err := calibration.SplitLayers(list)
	if err != nil || len(parts) < 2 {
		return err
	}
	var ps []*calibration.Profile
	var desc []string
	for i, s := range parts {
		p, err := calibration.Load(s)
		if err != nil {
			return fmt.Errorf("calibration.profile layer %d: %w", i+1, err)
		}
		d := fmt.Sprintf("%s (%d stage costs, %d rule costs at %g GHz", s, len(p.Costs), len(p.RuleCosts), p.GHz)
		if i > 0 {
			before := calibration.Layer(ps...)
			after := calibration.Layer(append(ps, p)...)
			added := len(after.Costs) + len(after.RuleCosts) - len(before.Costs) - len(before.RuleCosts)
			d += fmt.Sprintf("; %d replace earlier entries, %d add", len(p.Costs)+len(p.RuleCosts)-added, added)
			if sh := calibration.Shadowed(before, p); len(sh) > 0 {
				defer fmt.Fprintf(stderr, "warning: calibration.profile layer %d (%s): %d cases where an earlier layer's more specific entry wins for some paths, e.g. %s; calibrate with --plugin and --placement to replace those\n", i+1, s, len(sh), sh[0])
			}
		}
		desc = append(desc, d+")")
		ps = append(ps, p)
	}
	m := calibration.Layer(ps...)
	fmt.Fprintf(w, "  calibration.profile layers: %s\n  layered profile %q: %d stage costs, %d rule costs at %g GHz (the last layer's); per-byte costs scale: %s\n",
		strings.Join(desc, ", then "), m.Name, len(m.Costs), len(m.RuleCosts), m.GHz, m.ScalingSummary())
	return nil
}
