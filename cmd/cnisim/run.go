package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/internal/readfile"
)

// maxPoints is the largest sweep run without --yes.
const maxPoints = 10_000

var formats = []string{"table", "json", "csv", "csv-long"}

func init() {
	register(&command{name: "run", summary: "run a scenario file (sweep x replications)", run: runRun})
}

type runFlags struct {
	out, format string
	seed        int64
	reps        int
	parallel    int
	sets        []string
	progress    bool
	yes         bool
	shard       string
	shards      int
	baselines   []string
	until       string
	maxReps     int
}

func runRun(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", "run SCENARIO.toml [--out DIR] [--format table|json|csv|csv-long] [--seed N] [--reps N]\n"+
		"                  [--parallel N] [--set key=value]... [--baseline key=value]... [--until METRIC=REL [--max-reps N]]\n"+
		"                  [--progress] [--yes] [--shard I/N | --shards N]", stderr)
	var f runFlags
	fs.StringVarP(&f.out, "out", "o", "", "write results.json, results.csv and scenario.toml to `DIR`")
	fs.StringVarP(&f.format, "format", "f", "table", "stdout format: table, json, csv or csv-long (one metric and member per row)")
	fs.Int64Var(&f.seed, "seed", 0, "override the scenario's seed")
	fs.IntVar(&f.reps, "reps", 0, "override the scenario's replications")
	fs.IntVarP(&f.parallel, "parallel", "p", 0, "replications run at once (0: all cores)")
	fs.StringArrayVarP(&f.sets, "set", "s", nil, "override a scenario key, as `key=value` (repeatable; cluster.mtu=9000)")
	baselineFlag(fs, &f)
	untilFlags(fs, &f)
	fs.BoolVar(&f.progress, "progress", false, "draw a progress bar on stderr even when it is not a terminal")
	fs.BoolVar(&f.yes, "yes", false, fmt.Sprintf("run sweeps of more than %d points", maxPoints))
	fs.StringVar(&f.shard, "shard", "", "run only shard `I/N` (I in 0..N-1) of the units and write DIR/partial-I-of-N.json (needs --out)")
	fs.IntVar(&f.shards, "shards", 0, "shard count when the index comes from the environment (JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkRunArgs(fs, f); err != nil {
		return err
	}
	spec, sharded, err := shardOf(f, fs.Changed("shard"), stderr)
	if err != nil {
		return err
	}
	set := runSet
	if sharded {
		set = nil // one file among the other shards' files
	}
	if err := checkOutDir(f.out, set); err != nil {
		return err
	}
	overrides, err := scenarioOverrides(fs, f)
	if err != nil {
		return err
	}
	plan, err := loadPlan(fs.Arg(0), overrides, f.yes)
	if err != nil {
		return err
	}
	if sharded && len(f.baselines) > 0 {
		return usagef("--baseline with --shard: pass it to cnisim merge, which pairs the shards' replications")
	}
	if sharded && f.until != "" {
		return usagef("--until with --shard: a shard runs a fixed share of the units; run the target's count (--reps) in shards")
	}
	if fs.Changed("max-reps") && f.until == "" {
		return usagef("--max-reps is --until's budget: give --until METRIC=REL")
	}
	base, err := baselineOf(plan, f.baselines)
	if err != nil {
		return err
	}
	var target run.Target
	costed := plan // what the cost check prices: with --until, the budget
	if f.until != "" {
		if target, err = parseUntil(f.until, f.maxReps, plan.Base.Replications); err != nil {
			return err
		}
		if costed, err = loadPlan(fs.Arg(0), withReps(overrides, target.MaxReps, "--until"), f.yes); err != nil {
			return err
		}
	}
	shards := 1
	if sharded {
		shards = spec.Count // this process runs one shard's units
	}
	if err := checkCost(costed, f.parallel, shards, f.yes); err != nil {
		return err
	}
	printWarnings(stderr, plan) // once the run will happen: a refusal stays one line
	if simulate == nil {
		return errors.New("no simulator linked into this build")
	}

	ctx, stop := signalContext()
	defer stop()
	cfg := run.Config{Parallel: f.parallel, Version: version}
	if sharded {
		return runShard(ctx, plan, spec, cfg, f, stderr)
	}
	if f.until != "" {
		var bl []scenario.Override
		if base != nil {
			bl = base.Values
		}
		reload := func(reps int) (*scenario.Plan, error) {
			return loadPlan(fs.Arg(0), withReps(overrides, reps, "--until"), true)
		}
		return runUntil(ctx, plan, target, bl, cfg, f, reload, fs.Changed("format"), stdout, stderr)
	}
	// streamed: replications are aggregated as they complete, not kept;
	// their timelines and flow logs (if the scenario asks) are rendered
	// as they come
	agg := run.NewAggregator(plan, cfg.Version)
	tl := newRepOut(plan)
	pairs := newPairs(base)
	err = withProgress(cfg, f, stderr, func(cfg run.Config) error {
		return run.Stream(ctx, plan, simulate, cfg, func(u run.UnitResult) error {
			tl.add(u)
			pairs.add(u)
			return agg.Add(u)
		})
	})
	if err != nil {
		return err
	}
	return emit(agg.Results(), pairs.comparisons(), tl, plan, f, fs.Changed("format"), stdout, stderr)
}

// runUnits runs cfg.Units (all when nil) with an optional progress bar and
// keeps every unit's sample (a shard's partial file holds them).
func runUnits(ctx context.Context, plan *scenario.Plan, cfg run.Config, f runFlags, stderr io.Writer) ([]run.UnitResult, error) {
	var urs []run.UnitResult
	err := withProgress(cfg, f, stderr, func(cfg run.Config) (err error) {
		urs, err = run.RunUnits(ctx, plan, simulate, cfg)
		return err
	})
	if err != nil {
		return nil, err
	}
	return urs, nil
}

// withProgress calls body with an optional progress bar and turns its
// error into the command's.
func withProgress(cfg run.Config, f runFlags, stderr io.Writer, body func(run.Config) error) error {
	var bar *run.Progress
	if f.progress || isTerminal(stderr) {
		bar = run.NewProgress(stderr)
		bar.Start()
		cfg.Progress, cfg.Simulated = bar.Update, bar.Simulated
	}
	err := body(cfg)
	if bar != nil {
		bar.Finish()
	}
	var ie *run.Interrupted
	if errors.As(err, &ie) {
		return fmt.Errorf("%w; nothing written", err)
	}
	if err != nil {
		var ue *run.UnitError
		if errors.As(err, &ue) && ue.Stack != nil {
			fmt.Fprintf(stderr, "%s\n", ue.Stack)
		}
		if ue != nil && ue.Stack == nil && scenario.BlamesKey(ue.Err) {
			// the input asked for what the model cannot do (a download that
			// cannot finish in the time bound): bad input, exit 2
			return usagef("%v", err)
		}
		return err
	}
	return nil
}

// checkRunArgs checks what run and sensitivity share: one scenario file,
// the format, the parallelism.
func checkRunArgs(fs *pflag.FlagSet, f runFlags) error {
	if err := wantArgs(fs, 1, 1, "a scenario file"); err != nil {
		return err
	}
	if !contains(formats, f.format) {
		return usagef("unknown format %q (valid: %s)", f.format, strings.Join(formats, ", "))
	}
	if f.parallel < 0 {
		return usagef("--parallel %d: must be >= 0 (0: all cores)", f.parallel)
	}
	return nil
}

// scenarioOverrides are the --set, --seed and --reps flags as overrides,
// in that order.
func scenarioOverrides(fs *pflag.FlagSet, f runFlags) ([]scenario.Override, error) {
	var overrides []scenario.Override
	for _, s := range f.sets {
		o, err := scenario.ParseSet(s)
		if err != nil {
			return nil, usagef("%v", err)
		}
		overrides = append(overrides, o)
	}
	if fs.Changed("seed") {
		overrides = append(overrides, scenario.Override{Key: "seed", Value: f.seed, Source: fmt.Sprintf("--seed %d", f.seed)})
	}
	if fs.Changed("reps") {
		overrides = append(overrides, scenario.Override{Key: "replications", Value: int64(f.reps), Source: fmt.Sprintf("--reps %d", f.reps)})
	}
	return overrides, nil
}

// loadPlan reads and checks a scenario file; every failure is bad input.
func loadPlan(path string, overrides []scenario.Override, yes bool) (*scenario.Plan, error) {
	data, err := readfile.Read(path, readfile.Limit, "a scenario file")
	if err != nil {
		return nil, usagef("%v", err)
	}
	opt := scenario.Options{Overrides: overrides, Validate: validateScenario, PathsFromFile: true}
	if !yes {
		opt.MaxPoints = maxPoints
	}
	plan, err := scenario.Load(path, data, opt)
	if errors.Is(err, scenario.ErrTooManyPoints) {
		return nil, usagef("%v; pass --yes to run them all", err)
	}
	if err != nil {
		return nil, usagef("%v", err)
	}
	return plan, nil
}

// emit renders every output in memory first, so nothing is written when
// rendering fails, then writes --out atomically and stdout.
func emit(res *results.Results, comps *results.Comparisons, tl *repOut, plan *scenario.Plan, f runFlags, formatSet bool, stdout, stderr io.Writer) error {
	var js, csv, long, toml, table bytes.Buffer
	if err := res.WriteJSON(&js); err != nil {
		return err
	}
	if err := res.WriteCSV(&csv); err != nil {
		return err
	}
	if err := res.WriteLongCSV(&long); err != nil {
		return err
	}
	if err := plan.Base.Resolved(&toml); err != nil {
		return err
	}
	if err := res.WriteTable(&table); err != nil {
		return err
	}
	var cjs, ccsv bytes.Buffer
	if comps != nil {
		if err := comps.WriteJSON(&cjs); err != nil {
			return err
		}
		if err := comps.WriteCSV(&ccsv); err != nil {
			return err
		}
		if err := comps.WriteTable(&table); err != nil {
			return err
		}
	}
	for _, msg := range res.Caveats() { // after the run: its results say it
		fmt.Fprintf(stderr, "warning: %s\n", msg)
	}
	if f.out != "" {
		files := []results.File{{Name: runSet[0], Data: js.Bytes()}, {Name: runSet[1], Data: csv.Bytes()},
			{Name: results.LongCSVFile, Data: long.Bytes()}, {Name: runSet[2], Data: toml.Bytes()}}
		if comps != nil {
			files = append(files, results.File{Name: results.ComparisonJSON, Data: cjs.Bytes()}, results.File{Name: results.ComparisonCSV, Data: ccsv.Bytes()})
		}
		files = append(files, tl.files(stderr)...)
		if err := results.WriteSet(f.out, files); err != nil {
			return err
		}
		names := make([]string, len(files))
		for i, fl := range files {
			names[i] = fl.Name
		}
		fmt.Fprintf(stderr, "wrote %s/{%s}\n", strings.TrimRight(f.out, "/"), strings.Join(names, ","))
		warnWide(res, stderr)
		if !formatSet {
			return nil
		}
	}
	if f.out == "" {
		tl.warnUnwritten(stderr)
	}
	if f.format == "csv" && f.out == "" { // with --out, said above
		warnWide(res, stderr)
	}
	byFormat := map[string]*bytes.Buffer{"table": &table, "json": &js, "csv": &csv, "csv-long": &long}
	_, err := stdout.Write(byFormat[f.format].Bytes())
	return err
}

// warnWide says when results.csv has more columns than a spreadsheet
// opens (a large cluster's per-node metrics), and where the same numbers
// are in rows.
func warnWide(res *results.Results, stderr io.Writer) {
	if n := res.CSVColumns(); n > results.SpreadsheetColumns {
		fmt.Fprintf(stderr, "note: results.csv has %d columns, more than a spreadsheet opens (%d); %s (--format csv-long) has the same numbers one metric and member per row\n",
			n, results.SpreadsheetColumns, results.LongCSVFile)
	}
}

// runSet is the output set of run --out and merge --out, written whole
// (results.WriteSet).
var runSet = []string{"results.json", "results.csv", "scenario.toml", results.LongCSVFile, results.TimelineFile, timelinePNG, results.FlowsFile, fctPNG,
	results.ComparisonJSON, results.ComparisonCSV, pcapDir}

// checkOutDir refuses, before anything runs, an --out the results could
// not be written to (results.CheckOut; set: the files of the output set,
// nil for a directory shared with other writers).
func checkOutDir(dir string, set []string) error {
	if dir == "" {
		return nil
	}
	if err := results.CheckOut(dir, set); err != nil {
		return usagef("--out %v", err)
	}
	return nil
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// withReps returns overrides with the replication count set last (after
// --reps, which it supersedes); why names the flag that set it.
func withReps(overrides []scenario.Override, reps int, why string) []scenario.Override {
	return append(slices.Clone(overrides), scenario.Override{Key: "replications", Value: int64(reps), Source: fmt.Sprintf("%s (%d replications)", why, reps)})
}
