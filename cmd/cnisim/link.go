package main

import sim "github.com/cnisim/cnisim/experiments/simulate"

// The real simulator behind `run` (tests may swap in a fake).
func init() {
	simulate = sim.Model
	validateScenario = sim.Validate
	warnScenario = sim.Warnings
}
