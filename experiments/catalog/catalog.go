package catalog

import (
	"embed"
	"fmt"
	"slices"
	"strings"

	"github.com/cnisim/cnisim/experiments/scenario"
)

//go:embed scenarios/*.toml
var files embed.FS

// Experiment is one named study.
type Experiment struct {
	Name  string
	Title string // one line: what is simulated
	About string // what it shows and how to read it
	// Scenarios are file names under scenarios/, run in this order.
	Scenarios []string
	// Quick overrides every scenario for the --quick form (few, short
	// replications); Paper notes how the full form relates to the source.
	Quick []Setting
	// Precision, if set, raises the full form's replications until the
	// intervals are narrow enough to show what the experiment compares.
	Precision *Precision
	// Needs lists the workload kinds the experiment uses.
	Needs []string
	// Analyse turns the runs into figures, tables and checks.
	Analyse func(d *Data) (*Output, error)
}

// Setting is one scenario key and value (a TOML value: string, int64,
// float64, bool).
type Setting struct {
	Key   string
	Value any
}

// registry is the catalog in report order: the paper's figures, the
// vendor analysis, the what-if studies, then the testbed validation. It is
// the one list: each experiment is declared as a variable in its own file.
var registry = []*Experiment{
	paperFig3, paperFig4, paperFig5, paperFig6, paperFig7,
	blogAsyncCurl, blogMtu9000, blogWrk,
	whatifMtu, whatifPolicyRules, whatifEncapVsDirect, whatifEncryptionMtu, whatifOffloads, whatifServices, whatifFabric,
	whatifDCTCP, whatifQueries, whatifLinuxCubic, whatifHostQdisc, testbedValidation,
}

// All returns the experiments in report order (a copy: callers may
// reorder it).
func All() []*Experiment { return slices.Clone(registry) }

// perPlugin names one scenario file per plugin: prefix+plugin.toml.
func perPlugin(prefix string, plugins []string) []string {
	var fs []string
	for _, p := range plugins {
		fs = append(fs, prefix+p+".toml")
	}
	return fs
}

// Names lists the experiment names in report order.
func Names() []string {
	var out []string
	for _, e := range All() {
		out = append(out, e.Name)
	}
	return out
}

// Lookup finds an experiment by name.
func Lookup(name string) (*Experiment, error) {
	for _, e := range registry {
		if e.Name == name {
			return e, nil
		}
	}
	return nil, fmt.Errorf("unknown experiment %q (valid: %s)", name, strings.Join(Names(), ", "))
}

// ScenarioFile returns an embedded scenario file.
func ScenarioFile(name string) ([]byte, error) {
	return files.ReadFile("scenarios/" + name)
}

// Load reads one of e's scenario files with the overrides of the form
// asked for: the quick settings, then reps (if > 0), then extra.
func (e *Experiment) Load(file string, quick bool, reps int, validate func(*scenario.Scenario) error) (*scenario.Plan, error) {
	return e.LoadWith(file, quick, reps, nil, validate)
}

// LoadWith is Load with a user's --set overrides applied last. A key the
// scenario sweeps is refused: the experiment's analysis reads every value
// of its axes.
func (e *Experiment) LoadWith(file string, quick bool, reps int, sets []scenario.Override, validate func(*scenario.Scenario) error) (*scenario.Plan, error) {
	data, err := ScenarioFile(file)
	if err != nil {
		return nil, fmt.Errorf("experiment %s: %w", e.Name, err)
	}
	var ovs []scenario.Override
	if quick {
		for _, s := range e.Quick {
			ovs = append(ovs, scenario.Override{Key: s.Key, Value: s.Value,
				Source: fmt.Sprintf("experiment %s --quick (%s = %s)", e.Name, s.Key, scenario.Format(s.Value))})
		}
	}
	if reps > 0 {
		ovs = append(ovs, scenario.Override{Key: "replications", Value: int64(reps), Source: fmt.Sprintf("--reps %d", reps)})
	}
	plan, err := scenario.Load(file, data, scenario.Options{Overrides: ovs, Validate: validate})
	if err != nil {
		return nil, fmt.Errorf("experiment %s: %w", e.Name, err)
	}
	if len(sets) == 0 {
		return plan, nil
	}
	for _, s := range sets { // the axes of the file as written: a set would remove its own
		for _, a := range plan.Axes {
			if a.Key == s.Key {
				return nil, &SweptError{Exp: e.Name, Key: s.Key, File: file, Source: s.Source}
			}
		}
	}
	plan, err = scenario.Load(file, data, scenario.Options{Overrides: append(ovs, sets...), Validate: validate})
	if err != nil {
		return nil, fmt.Errorf("experiment %s: %w", e.Name, err)
	}
	return plan, nil
}

// SweptError is a --set of a key one of an experiment's scenarios sweeps:
// the experiment cannot run under it (reproduce skips it).
type SweptError struct {
	Exp, Key, File string
	Source         string // the flag, "--set key=value"
}

func (e *SweptError) Error() string {
	return fmt.Sprintf("experiment %s: %s: the experiment sweeps %s (scenario %s), so it cannot be set", e.Exp, e.Source, e.Key, e.File)
}
