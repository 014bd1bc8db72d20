package simulate

import (
	"strings"
	"testing"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/models/datapath"
)

// A costed step past calibration.MaxCycles per packet is refused, naming
// policy_rules when rules make it so; at the bound it passes (issue 19:
// cycles >= 2.2e16 wrapped the picosecond clock).
func TestCheckStageCycles(t *testing.T) {
	sc := scenario.Defaults()
	step := func(count int, cycles, rules, perByte float64) datapath.CostedPath {
		return datapath.CostedPath{Steps: []datapath.CostedStep{{Step: datapath.Step{Kind: datapath.Netfilter, Count: count}, Cycles: cycles, RuleCycles: rules, CyclesPerByte: perByte}}}
	}
	if err := checkStageCycles(&sc, step(1, calibration.MaxCycles, 0, 0)); err != nil {
		t.Errorf("at the bound: %v", err)
	}
	for _, p := range []datapath.CostedPath{step(2, calibration.MaxCycles, 0, 0), step(1, 1, calibration.MaxCycles, 0), step(1, 0, 0, 1e6)} {
		if err := checkStageCycles(&sc, p); err == nil || !strings.HasPrefix(err.Error(), "calibration.profile: stage netfilter") {
			t.Errorf("%+v: got %v", p.Steps[0], err)
		}
	}
	sc.CNI.PolicyRules = 1_000_000
	if err := checkStageCycles(&sc, step(1, 0, 2e10, 0)); err == nil || !strings.HasPrefix(err.Error(), "cni.policy_rules = 1000000") {
		t.Errorf("rules: got %v", err)
	}
}
