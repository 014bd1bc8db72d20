package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/cnisim/cnisim/calibration"
)

func init() { listers["profiles"] = listProfiles }

// listProfiles prints every built-in calibration profile with its entry
// count and provenance mix, so a user sees how much of it is sourced.
func listProfiles(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROFILE\tCPU_GHZ\tENTRIES\tQUOTED\tDERIVED\tASSUMED\tDESCRIPTION")
	for _, name := range calibration.BuiltinNames() {
		p, err := calibration.Builtin(name)
		if err != nil {
			return err
		}
		n := map[calibration.Provenance]int{}
		for _, e := range p.Costs {
			n[e.Provenance]++
		}
		fmt.Fprintf(tw, "%s\t%g\t%d\t%d\t%d\t%d\t%s\n", p.Name, p.GHz, len(p.Costs),
			n[calibration.Quoted], n[calibration.Derived], n[calibration.Assumed], p.Description)
	}
	return tw.Flush()
}
