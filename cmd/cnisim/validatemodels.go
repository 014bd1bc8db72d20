package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/models/cni"
)

// CNI model files and calibration profiles for `cnisim validate`.
func init() {
	fileKinds = append(fileKinds,
		fileKind{name: "CNI model ([[mode]] tables)", detect: isModel, check: checkModelFile},
		fileKind{name: "calibration profile ([[cost]] tables)", detect: isProfile, check: checkProfileFile},
	)
}

func isModel(top map[string]any) bool { _, ok := top["mode"]; return ok }
func isProfile(top map[string]any) bool {
	_, cost := top["cost"]
	_, rule := top["rule_cost"]
	return cost || rule
}

func checkModelFile(path string, data []byte, stdout, _ io.Writer) error {
	m, err := cni.Parse(path, data)
	if err != nil {
		return usagef("%v", err)
	}
	fmt.Fprintf(stdout, "%s: valid CNI model %q, modes %v (default %s)\n", path, m.Name, m.ModeNames(), m.DefaultMode)
	for _, md := range m.Modes {
		if len(md.Engines) > 1 {
			fmt.Fprintf(stdout, "  mode %s: policy engines %v (default %s)\n", md.Name, md.Engines, md.Engine)
		}
	}
	return nil
}

func checkProfileFile(path string, data []byte, stdout, _ io.Writer) error {
	p, err := calibration.Parse(data, path)
	if err != nil {
		return usagef("%v", err)
	}
	if err := p.Validate(); err != nil {
		return usagef("%v", err)
	}
	engines := "none"
	if n := p.RuleEngineNames(); len(n) > 0 {
		engines = strings.Join(n, ", ")
	}
	fmt.Fprintf(stdout, "%s: valid calibration profile %q at %g GHz: %d stage costs, rule costs for %s; per-byte costs scale: %s\n",
		path, p.Name, p.CPUGHz(), len(p.Costs), engines, p.ScalingSummary())
	return nil
}
