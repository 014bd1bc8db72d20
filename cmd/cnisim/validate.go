package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/cnisim/cnisim/calibration"

	"github.com/cnisim/cnisim/internal/readfile"

	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/internal/tomlx"
)

// fileKind is one kind of input file `validate` recognises from its
// content. detect sees the top-level keys; check reports problems as a
// *usageError and prints a one-line summary on success. Model and profile
// files are appended to fileKinds by their packages' CLI glue.
type fileKind struct {
	name   string
	detect func(top map[string]any) bool
	check  func(path string, data []byte, stdout, stderr io.Writer) error
}

var fileKinds = []fileKind{
	{name: "scenario ([cluster], [workload], ... tables)", detect: isScenario, check: checkScenarioFile},
}

func init() {
	register(&command{name: "validate", summary: "check a scenario, model or profile file", run: runValidate})
}

func runValidate(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("validate", "validate FILE [--costs]", stderr)
	costs := fs.Bool("costs", false, "for a scenario: list, per sweep point, the stage costs its datapaths cross, with each entry's provenance and source")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := wantArgs(fs, 1, 1, "a file to check"); err != nil {
		return err
	}
	path := fs.Arg(0)
	data, err := readfile.Read(path, readfile.Limit, "a scenario, model or profile file")
	if err != nil {
		return usagef("%v", err)
	}
	var top map[string]any
	if _, err := tomlx.Parse(path, data, &top); err != nil {
		return usagef("%v", err)
	}
	for _, k := range fileKinds {
		if k.detect(top) {
			if !*costs {
				return k.check(path, data, stdout, stderr)
			}
			if !isScenario(top) {
				return usagef("--costs: %s is not a scenario (it lists a scenario's stage costs)", path)
			}
			plan, err := checkScenario(path, data, stdout, stderr)
			if err != nil {
				return err
			}
			return printCosts(path, plan, stdout)
		}
	}
	names := make([]string, len(fileKinds))
	for i, k := range fileKinds {
		names[i] = k.name
	}
	return usagef("%s: not a file cnisim knows (expected: %s)", path, strings.Join(names, "; "))
}

// isScenario: a scenario has at least one key no other file kind uses.
func isScenario(top map[string]any) bool {
	for _, k := range []string{"cluster", "cni", "tcp", "calibration", "workload", "sweep", "replications", "duration", "warmup"} {
		if _, ok := top[k]; ok {
			return true
		}
	}
	return false
}

func checkScenarioFile(path string, data []byte, stdout, stderr io.Writer) error {
	_, err := checkScenario(path, data, stdout, stderr)
	return err
}

// checkScenario loads and checks a scenario and prints its summary.
func checkScenario(path string, data []byte, stdout, stderr io.Writer) (*scenario.Plan, error) {
	plan, err := scenario.Load(path, data, scenario.Options{Validate: validateScenario, PathsFromFile: true})
	if err != nil {
		return nil, usagef("%v", err)
	}
	keys := make([]string, len(plan.Axes))
	for i, a := range plan.Axes {
		keys[i] = a.Key
	}
	sweep := ""
	if len(keys) > 0 {
		sweep = " over " + strings.Join(slices.Clip(keys), ", ")
	}
	fmt.Fprintf(stdout, "%s: valid scenario %q: %d point(s)%s x %d replication(s)\n",
		path, plan.Base.Name, plan.Len(), sweep, plan.Base.Replications)
	if err := printLayers(stdout, stderr, plan.Base.Calibration.Profile); err != nil {
		return nil, usagef("%s: %v", path, err)
	}
	printWarnings(stderr, plan)
	if plan.Len() > maxPoints {
		fmt.Fprintf(stdout, "note: more than %d points; `cnisim run` needs --yes\n", maxPoints)
	}
	return plan, nil
}

// costRow lays out a row of printCosts' table, its header too.
const costRow = "  %-12s %9s %10s %9s  %-10s %s\n"

// printCosts lists, per sweep point, the stages the scenario's datapaths
// cross at a cost and the profile entry behind each: where every number
// of the answer comes from.
func printCosts(path string, plan *scenario.Plan, stdout io.Writer) error {
	if pathStages == nil {
		return nil
	}
	var b strings.Builder
	for pt := range plan.Len() {
		p := plan.Point(pt)
		ss, err := pathStages(p.Scenario)
		if err != nil {
			return usagef("%s: %v", path, err)
		}
		b.WriteString("\n")
		if len(p.Params) > 0 {
			b.WriteString(scenario.FormatParams(p.Params) + "\n")
		}
		fmt.Fprintf(&b, costRow, "stage", "crossings", "cycles", "per byte", "provenance", "source")
		for _, s := range ss {
			cross, cyc, pb := strconv.Itoa(s.Crossings), strconv.FormatFloat(s.Cycles, 'g', 6, 64), strconv.FormatFloat(s.CyclesPerByte, 'g', 4, 64)
			switch {
			case s.Stage == calibration.RulesStage:
				cross, cyc, pb = "-", "-", "-"
			case slices.Contains(calibration.FrameStages(), s.Stage):
				cross, pb = "per frame", "-" // GRO's merged frames, GSO's cut segments
			}
			fmt.Fprintf(&b, costRow, s.Stage, cross, cyc, pb, s.Provenance, s.Source)
		}
	}
	_, err := io.WriteString(stdout, b.String())
	return err
}
