package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cnisim/cnisim/calibration"
)

func init() { listers["profiles"] = listProfiles }

// listProfiles prints every built-in calibration profile with its entry
// count, its provenance mix (stage costs, rule costs and the offloads'
// per-frame costs together), so a
// user sees how much of it is sourced, the policy engines it prices, and
// how its per-byte costs scale with the cluster's clock (per_byte_scaling).
func listProfiles() (listing, error) {
	l := listing{header: []string{"profile", "cpu ghz", "entries", "rule costs", "gro frames", "gso segments", "measured", "quoted", "derived", "assumed", "rule engines", "per byte", "description"}}
	for _, name := range calibration.BuiltinNames() {
		p, err := calibration.Builtin(name)
		if err != nil {
			return listing{}, err
		}
		n := map[calibration.Provenance]int{}
		for _, e := range p.Costs {
			n[e.Provenance]++
		}
		for _, r := range p.RuleCosts {
			n[r.Provenance]++
		}
		for _, g := range slices.Concat(p.GROFrames, p.GSOSegments) {
			n[g.Provenance]++
		}
		engines := strings.Join(p.RuleEngineNames(), ",")
		if engines == "" {
			engines = "-"
		}
		l.rows = append(l.rows, []string{p.Name, strconv.FormatFloat(p.GHz, 'g', 6, 64), fmt.Sprint(len(p.Costs)), fmt.Sprint(len(p.RuleCosts)), fmt.Sprint(len(p.GROFrames)), fmt.Sprint(len(p.GSOSegments)),
			fmt.Sprint(n[calibration.Measured]), fmt.Sprint(n[calibration.Quoted]), fmt.Sprint(n[calibration.Derived]), fmt.Sprint(n[calibration.Assumed]), engines, p.ScalingSummary(), p.Description})
	}
	return l, nil
}
