package main

import (
	"fmt"
	"io"

	"github.com/cnisim/cnisim/experiments/scenario"
)

// printWarnings writes each distinct warning of the plan's points once, in
// point order, as one "warning: ..." line on w (stderr: stdout stays the
// results).
func printWarnings(w io.Writer, plan *scenario.Plan) {
	if warnScenario == nil {
		return
	}
	seen := map[string]bool{}
	for i := range plan.Len() {
		for _, msg := range warnScenario(plan.Point(i).Scenario) {
			if !seen[msg] {
				seen[msg] = true
				fmt.Fprintf(w, "warning: %s\n", msg)
			}
		}
	}
}
