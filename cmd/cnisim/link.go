package main

import (
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
	sim "github.com/cnisim/cnisim/experiments/simulate"
)

// The simulator behind `run`, `experiment`, `reproduce` and `solve`,
// chosen here and nowhere else: the real one, or the deterministic fake
// when the binary is built with -tags cnisimfake (fakeModel, set by
// simulator_fake.go; nil in a normal build). Package variables are
// initialised in dependency order, so the choice does not depend on file
// names or init order. Tests swap these variables for their fakes.
var (
	simulate run.Model = chooseModel(fakeModel)

	// validateScenario checks what the scenario package cannot (plugin,
	// mode and profile names).
	validateScenario func(*scenario.Scenario) error = sim.Validate

	// warnScenario lists the keys of a checked scenario that have no
	// effect (nil in tests that swap the simulator out).
	warnScenario func(*scenario.Scenario) []string = sim.Warnings

	// pathStages lists the stages a scenario's datapaths cross at a cost
	// (nil in tests that swap the simulator out: sensitivity then varies
	// the stages the run's cpp_by_stage reports).
	pathStages func(*scenario.Scenario) ([]sim.StageCost, error) = sim.Stages
)

// chooseModel returns fake if the build provides one, else the simulator.
func chooseModel(fake run.Model) run.Model {
	if fake != nil {
		return fake
	}
	return sim.Model
}
