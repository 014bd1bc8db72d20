package main

import (
	"errors"
	"fmt"
	"github.com/spf13/pflag"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/cnisim/cnisim/experiments/catalog"
	"github.com/cnisim/cnisim/experiments/report"
	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
)

func init() {
	register(&command{name: "experiment", summary: "run one named experiment: results, plots, comparison with the sources", run: runExperiment})
}

type experimentFlags struct {
	out      string
	quick    bool
	reps     int
	parallel int
	progress bool
	sets     []string
	// overrides are sets parsed (check)
	overrides []scenario.Override
}

func (f *experimentFlags) define(fs *pflag.FlagSet, outHelp string) {
	fs.StringVarP(&f.out, "out", "o", "", outHelp)
	fs.BoolVar(&f.quick, "quick", false, "the quick form: few, short replications (seconds instead of minutes)")
	fs.IntVar(&f.reps, "reps", 0, "override every scenario's replications (--reps 50: the paper's repetitions)")
	fs.IntVarP(&f.parallel, "parallel", "p", 0, "replications run at once (0: all cores)")
	fs.BoolVar(&f.progress, "progress", false, "draw a progress bar on stderr even when it is not a terminal")
	fs.StringArrayVarP(&f.sets, "set", "s", nil, "run every scenario with a key overridden, as `key=value` (repeatable; tcp.linux_cubic=true); not a key the experiment sweeps")
}

func (f *experimentFlags) check() error {
	if f.reps < 0 {
		return usagef("--reps %d: must be >= 1 (0: the experiment's own)", f.reps)
	}
	if f.parallel < 0 {
		return usagef("--parallel %d: must be >= 0 (0: all cores)", f.parallel)
	}
	if simulate == nil {
		return errors.New("no simulator linked into this build")
	}
	f.overrides = nil
	for _, s := range f.sets {
		o, err := scenario.ParseSet(s)
		if err != nil {
			return usagef("%v", err)
		}
		if strings.HasPrefix(o.Key, "trace.") {
			return usagef("--set %s: packet captures are written by cnisim run: run an experiment's written scenario with it (cnisim run DIR/scenario.toml --set trace.pcap=true --out OUT)", s)
		}
		f.overrides = append(f.overrides, o)
	}
	return nil
}

// memoryLimit is the Go heap's soft limit for experiment and reproduce
// (unless GOMEMLIMIT is set): an RR replication holds one latency per
// transaction until it ends (tens of MB for a 10 s intra-host test), and
// without a limit the collector lets two concurrent ones double the heap
// beyond the 500 MB the issue allows. Measured: fig3-rr-intra, 3 reps, peak
// RSS 639 MB -> 375 MB at a 300 MiB limit for 4% more CPU.
const memoryLimit = 350 << 20

func limitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}

// runner is the catalog's runner over the simulator behind `run`.
func (f *experimentFlags) runner(stderr io.Writer) *catalog.Runner {
	limitMemory()
	r := &catalog.Runner{Model: simulate, Validate: validateScenario, Parallel: f.parallel,
		Version: version, Quick: f.quick, Reps: f.reps, Sets: f.overrides, Log: stderr}
	if f.progress || isTerminal(stderr) {
		r.Bar = func() (func(int, int), func()) {
			b := run.NewProgress(stderr)
			b.Start()
			return b.Update, b.Finish
		}
	}
	return r
}

func runExperiment(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("experiment", "experiment NAME [--out DIR] [--quick] [--reps N] [--parallel N] [--set key=value]...\n\n"+
		"Experiments (cnisim list experiments):\n  "+strings.Join(catalog.Names(), ", "), stderr)
	var f experimentFlags
	f.define(fs, "write results.json, results.csv, the scenario file(s) and the figures to `DIR` (default out/NAME)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := wantArgs(fs, 1, 1, "an experiment name (cnisim list experiments)"); err != nil {
		return err
	}
	e, err := catalog.Lookup(fs.Arg(0))
	if err != nil {
		return usagef("%v", err)
	}
	if err := f.check(); err != nil {
		return err
	}
	if f.out == "" {
		f.out = filepath.Join("out", e.Name)
	}
	if err := checkOutDir(f.out, results.ExperimentFiles); err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	start := time.Now()
	sec, err := f.runner(stderr).Produce(ctx, e, f.out, "")
	if err != nil {
		return err
	}
	if sec.Skipped != "" {
		return fmt.Errorf("%s: %s", e.Name, sec.Skipped)
	}
	with := ""
	for _, o := range f.overrides {
		with += ", with " + o.Source
	}
	fmt.Fprintf(stderr, "%s: wrote %s in %s%s\n", e.Name, f.out, time.Since(start).Round(time.Millisecond), with)
	// The section's tables and comparisons, without the figures, on stdout.
	sec.Figures, sec.Files, sec.Command = nil, nil, ""
	_, err = stdout.Write(report.Markdown(&report.Document{Title: e.Name, Sections: []report.Section{sec}}))
	return err
}
