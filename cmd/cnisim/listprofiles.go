package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/cnisim/cnisim/calibration"
)

func init() { listers["profiles"] = listProfiles }

// listProfiles prints every built-in calibration profile with its entry
// count, its provenance mix (stage costs and rule costs together), so a
// user sees how much of it is sourced, and the policy engines it prices.
func listProfiles(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROFILE\tCPU_GHZ\tENTRIES\tRULE_COSTS\tMEASURED\tQUOTED\tDERIVED\tASSUMED\tRULE_ENGINES\tDESCRIPTION")
	for _, name := range calibration.BuiltinNames() {
		p, err := calibration.Builtin(name)
		if err != nil {
			return err
		}
		n := map[calibration.Provenance]int{}
		for _, e := range p.Costs {
			n[e.Provenance]++
		}
		for _, r := range p.RuleCosts {
			n[r.Provenance]++
		}
		engines := strings.Join(p.RuleEngineNames(), ",")
		if engines == "" {
			engines = "-"
		}
		fmt.Fprintf(tw, "%s\t%g\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", p.Name, p.GHz, len(p.Costs), len(p.RuleCosts),
			n[calibration.Measured], n[calibration.Quoted], n[calibration.Derived], n[calibration.Assumed], engines, p.Description)
	}
	return tw.Flush()
}
