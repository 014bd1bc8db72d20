package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/experiments/sensitivity"
	"github.com/cnisim/cnisim/models/datapath"
)

func init() {
	register(&command{name: "sensitivity", summary: "how much each calibrated stage cost moves a scenario's answers (elasticities)", run: runSensitivity})
}

// defaultSensitivityMetrics are what sensitivity reports without
// --metric: those the workload reports.
var defaultSensitivityMetrics = []string{results.ThroughputMbps, results.TransactionsPerSec, results.RTTMicros, results.CPUCoresUsed,
	results.CPUCoresUsedBusiest, results.FCTMicros}

// sensitivitySet is the output set of sensitivity --out.
var sensitivitySet = []string{"results.json", "results.csv", "scenario.toml", results.SensitivityJSON, results.SensitivityCSV, results.LongCSVFile}

type sensitivityFlags struct {
	runFlags
	stages  []string
	metrics []string
	step    string
}

func runSensitivity(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sensitivity", "sensitivity SCENARIO.toml [--stages S,S...] [--step 20%] [--metric M]... [--out DIR] [--format table|json|csv]\n"+
		"                  [--seed N] [--reps N] [--parallel N] [--set key=value]... [--progress] [--yes]", stderr)
	var f sensitivityFlags
	fs.StringSliceVar(&f.stages, "stages", nil, "the stages to vary (cnisim list stages; rules: the [[rule_cost]] entries; gro_frame, gso_segment: the offloads' per-frame costs; default: every stage the scenario's datapaths cross at a cost, rules when policy rules or Services are walked, and the frame costs the offloads pay)")
	fs.StringVar(&f.step, "step", "20%", "how far each cost is varied, down and up: 20% or 0.2 (the costs at 0.8x and 1.2x)")
	fs.StringArrayVar(&f.metrics, "metric", nil, "a metric to report, repeatable (a group's member as group.member; default: throughput, transactions, RTT, cores, FCT as the workload reports them)")
	fs.StringVarP(&f.out, "out", "o", "", "write the base run's results.json, results.csv, scenario.toml and sensitivity.{json,csv} to `DIR`")
	fs.StringVarP(&f.format, "format", "f", "table", "stdout format: table, json or csv")
	fs.Int64Var(&f.seed, "seed", 0, "override the scenario's seed")
	fs.IntVar(&f.reps, "reps", 0, "override the scenario's replications")
	fs.IntVarP(&f.parallel, "parallel", "p", 0, "replications run at once (0: all cores)")
	fs.StringArrayVarP(&f.sets, "set", "s", nil, "override a scenario key, as `key=value` (repeatable)")
	fs.BoolVar(&f.progress, "progress", false, "draw a progress bar on stderr even when it is not a terminal")
	fs.BoolVar(&f.yes, "yes", false, "run even when the cost estimate says it is too large")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkRunArgs(fs, f.runFlags); err != nil {
		return err
	}
	if f.format == "csv-long" {
		return usagef("--format csv-long: sensitivity prints table, json or csv (--out writes the base run's %s)", results.LongCSVFile)
	}
	step, err := parseStep(f.step)
	if err != nil {
		return err
	}
	for _, s := range f.stages {
		if !slices.Contains(calibration.ScaleStages(), s) {
			return usagef("--stages %s: not a stage (allowed: %s)", s, strings.Join(calibration.ScaleStages(), ", "))
		}
	}
	if err := checkOutDir(f.out, sensitivitySet); err != nil {
		return err
	}
	overrides, err := scenarioOverrides(fs, f.runFlags)
	if err != nil {
		return err
	}
	path := fs.Arg(0)
	plan, err := loadPlan(path, overrides, f.yes)
	if err != nil {
		return err
	}
	for _, ax := range plan.Axes {
		if s, ok := strings.CutPrefix(ax.Key, "calibration.scale."); ok && (len(f.stages) == 0 || slices.Contains(f.stages, s)) {
			return usagef("the scenario sweeps %s: sensitivity varies each stage's scale itself (pin it with --set, or leave %s out of --stages)", ax.Key, s)
		}
	}
	// each stage's two plans, loaded (and checked) once: a stage given
	// that the profile does not price is refused before anything runs
	plans := map[string][2]*scenario.Plan{}
	plansOf := func(s string) ([2]*scenario.Plan, error) {
		if ps, ok := plans[s]; ok {
			return ps, nil
		}
		var ps [2]*scenario.Plan
		lo, hi := sensitivity.Factors(plan.Base.Calibration.ScaleOf(s), step)
		for i, factor := range []float64{lo, hi} {
			p, err := variedPlan(path, overrides, s, factor)
			if err != nil {
				return ps, err
			}
			ps[i] = p
		}
		plans[s] = ps
		return ps, nil
	}
	for _, s := range f.stages {
		if _, err := plansOf(s); err != nil {
			return err
		}
	}
	// the base run, then two runs per stage: priced up front when the
	// stages are given, else the base now and the rest once it has said
	// which stages the scenario crosses
	if err := checkSensitivityCost(path, overrides, plan, len(f.stages), f); err != nil {
		return err
	}
	if simulate == nil {
		return errors.New("no simulator linked into this build")
	}
	printWarnings(stderr, plan)
	ctx, stop := signalContext()
	defer stop()
	cfg := run.Config{Parallel: f.parallel, Version: version}
	base, err := runUnits(ctx, plan, cfg, f.runFlags, stderr)
	if err != nil {
		return err
	}
	crossed, prov, err := crossedStages(plan, base)
	if err != nil {
		return err
	}
	stages := f.stages
	if len(stages) == 0 {
		if stages = crossed; len(stages) == 0 {
			return usagef("the scenario's datapaths cross no priced stage: nothing to vary")
		}
	}
	want := f.metrics
	if len(want) == 0 {
		want = defaultSensitivityMetrics
	}
	metrics, missing := sensitivity.Reported(base, want)
	if len(f.metrics) > 0 && len(missing) > 0 {
		return usagef("--metric: the run reports no %s (cnisim list metrics; a group's member as group.member, as the results name it)", strings.Join(missing, ", "))
	}
	if len(metrics) == 0 {
		return usagef("the run reports none of %s: name one with --metric", strings.Join(want, ", "))
	}
	if len(f.stages) == 0 {
		fmt.Fprintf(stderr, "cnisim sensitivity: the run crosses %d stages: %s; %d more runs of the scenario\n", len(stages), strings.Join(stages, ", "), 2*len(stages))
		if err := checkSensitivityCost(path, overrides, plan, len(stages), f); err != nil {
			return err
		}
	}
	var varied []sensitivity.Varied
	for i, s := range stages {
		ps, err := plansOf(s)
		if err != nil {
			return err
		}
		v := sensitivity.Varied{Stage: s}
		for j, units := range []*[]run.UnitResult{&v.Lower, &v.Upper} {
			fmt.Fprintf(stderr, "cnisim sensitivity: %s x%s (%d of %d)\n", s,
				strconv.FormatFloat(ps[j].Base.Calibration.ScaleOf(s), 'g', 4, 64), 2*i+j+1, 2*len(stages))
			if *units, err = runUnits(ctx, ps[j], cfg, f.runFlags, stderr); err != nil {
				return err
			}
		}
		varied = append(varied, v)
	}
	sens := sensitivity.Elasticities(plan, step, metrics, base, varied, func(pt int, stage string) string { return prov[pt][stage] })
	return emitSensitivity(run.Aggregate(plan, base, version), sens, plan, f, fs.Changed("format"), stdout, stderr)
}

// crossedStages are the stages the plan's points' datapaths cross at a
// cost (pathStages) and those its base run reports in cpp_by_stage, in
// the kinds' order, and each point's stages' provenance.
func crossedStages(plan *scenario.Plan, base []run.UnitResult) ([]string, map[int]map[string]string, error) {
	seen := map[string]bool{}
	for _, s := range sensitivity.Stages(base) {
		seen[s] = true
	}
	prov := map[int]map[string]string{}
	priced := map[string]bool{} // by some point's paths
	if pathStages != nil {
		for pt := range plan.Len() {
			ss, err := pathStages(plan.Point(pt).Scenario)
			if err != nil {
				return nil, nil, err
			}
			prov[pt] = map[string]string{}
			for _, s := range ss {
				seen[s.Stage], priced[s.Stage] = true, true
				prov[pt][s.Stage] = s.Provenance
			}
		}
	}
	netdev := datapath.Netdev.String()
	if pathStages != nil && !priced[netdev] && slices.ContainsFunc(calibration.FrameStages(), func(s string) bool { return priced[s] }) {
		// the model charges the offloads' per-frame work to netdev
		// (models/network/account.go, as perf attributes it): where the
		// paths price no netdev stage, its cycles are the frame stages',
		// and scaling netdev would move nothing
		delete(seen, netdev)
	}
	return slices.DeleteFunc(calibration.ScaleStages(), func(s string) bool { return !seen[s] }), prov, nil
}

// variedPlan is the scenario with a stage's costs scaled by factor.
func variedPlan(path string, overrides []scenario.Override, stage string, factor float64) (*scenario.Plan, error) {
	key := "calibration.scale." + stage
	return loadPlan(path, append(slices.Clone(overrides), scenario.Override{Key: key, Value: factor, Source: "sensitivity " + key}), true)
}

// checkSensitivityCost prices the base run and, for stages > 0, the two
// runs per stage: the scenario's replications times 1 + 2 x stages (the
// base run only with stages = 0).
func checkSensitivityCost(path string, overrides []scenario.Override, plan *scenario.Plan, stages int, f sensitivityFlags) error {
	if stages == 0 {
		return checkCost(plan, f.parallel, 1, f.yes)
	}
	all, err := loadPlan(path, withReps(overrides, plan.Base.Replications*(1+2*stages), "sensitivity's runs"), true)
	if err != nil {
		return err
	}
	return checkCost(all, f.parallel, 1, f.yes)
}

// parseStep reads --step: a fraction (0.2) or a percentage (20%).
func parseStep(s string) (float64, error) {
	x, err := parseFraction(s)
	if err != nil || math.IsNaN(x) {
		return 0, usagef("--step %q: want a fraction or a percentage (0.2 or 20%%)", s)
	}
	if err := sensitivity.CheckStep(x); err != nil {
		return 0, usagef("--step %s: %v", s, err)
	}
	return x, nil
}

// emitSensitivity renders everything first, then writes --out whole and
// stdout: the base run's results and the elasticities.
func emitSensitivity(res *results.Results, sens *results.Sensitivity, plan *scenario.Plan, f sensitivityFlags, formatSet bool, stdout, stderr io.Writer) error {
	var js, csv, long, toml, sjs, scsv, table bytes.Buffer
	for _, w := range []func() error{
		func() error { return res.WriteJSON(&js) }, func() error { return res.WriteCSV(&csv) },
		func() error { return res.WriteLongCSV(&long) },
		func() error { return plan.Base.Resolved(&toml) }, func() error { return sens.WriteJSON(&sjs) },
		func() error { return sens.WriteCSV(&scsv) }, func() error { return sens.WriteTable(&table) },
	} {
		if err := w(); err != nil {
			return err
		}
	}
	if f.out != "" {
		files := []results.File{{Name: sensitivitySet[0], Data: js.Bytes()}, {Name: sensitivitySet[1], Data: csv.Bytes()},
			{Name: sensitivitySet[2], Data: toml.Bytes()}, {Name: sensitivitySet[3], Data: sjs.Bytes()}, {Name: sensitivitySet[4], Data: scsv.Bytes()},
			{Name: sensitivitySet[5], Data: long.Bytes()}}
		if err := results.WriteSet(f.out, files); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "wrote %s/{%s}\n", strings.TrimRight(f.out, "/"), strings.Join(sensitivitySet, ","))
		if !formatSet {
			return nil
		}
	}
	byFormat := map[string]*bytes.Buffer{"table": &table, "json": &sjs, "csv": &scsv}
	_, err := stdout.Write(byFormat[f.format].Bytes())
	return err
}
