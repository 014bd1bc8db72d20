package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/experiments/shard"
)

// mergePoll is how often `merge --wait` looks for missing shards.
var mergePoll = 5 * time.Second

func init() {
	register(&command{name: "merge", summary: "merge the partial results of a sharded run", run: runMerge})
}

func runMerge(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("merge", "merge DIR|FILE... --out OUT [--format table|json|csv|csv-long] [--wait DURATION] [--baseline key=value]...", stderr)
	var f runFlags
	var wait time.Duration
	fs.StringVarP(&f.out, "out", "o", "", "write results.json, results.csv and scenario.toml to `OUT` (required)")
	fs.StringVarP(&f.format, "format", "f", "table", "also print the results in this format: table, json, csv or csv-long (one metric and member per row)")
	baselineFlag(fs, &f)
	fs.DurationVar(&wait, "wait", 0, "wait up to this long for missing shards to appear (a merge started with the shards)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := wantArgs(fs, 1, -1, "directories of partial results"); err != nil {
		return err
	}
	if f.out == "" {
		return usagef("--out OUT is required")
	}
	if wait < 0 {
		return usagef("--wait %v: must be >= 0 (0: refuse missing shards at once)", wait)
	}
	if !contains(formats, f.format) {
		return usagef("unknown format %q (valid: %s)", f.format, strings.Join(formats, ", "))
	}
	if err := checkOutDir(f.out, runSet); err != nil {
		return err
	}
	deadline := time.Now().Add(wait)
	for {
		set, err := readPartials(fs.Args())
		if errors.Is(err, shard.ErrMissing) && time.Now().Before(deadline) {
			fmt.Fprintf(stderr, "cnisim merge: waiting: %v\n", err)
			time.Sleep(min(mergePoll, time.Until(deadline)))
			continue
		}
		if err != nil {
			return usagef("refusing to merge: %v", err)
		}
		return merge(set, f, fs.Changed("format"), stdout, stderr)
	}
}

// readPartials reads the partial files named or found in the arguments
// and checks them as a set.
func readPartials(args []string) (*shard.Set, error) {
	var in []shard.Input
	for _, a := range args {
		names := []string{a}
		st, err := os.Stat(a)
		if errors.Is(err, os.ErrNotExist) {
			return nil, &shard.Refusal{Reason: shard.ErrMissing, Files: []string{a}, Msg: fmt.Sprintf("%s: no such file or directory", a)}
		}
		if err == nil && st.IsDir() {
			names, _ = filepath.Glob(filepath.Join(a, shard.Glob)) // the pattern is valid
			if len(names) == 0 {
				return nil, &shard.Refusal{Reason: shard.ErrMissing, Files: []string{a},
					Msg: fmt.Sprintf("%s: no partial results (%s)", a, shard.Glob)}
			}
		}
		for _, n := range names {
			data, err := shard.ReadFile(n)
			if err != nil {
				return nil, err
			}
			in = append(in, shard.Input{Name: n, Data: data})
		}
	}
	return shard.Combine(in)
}

// merge aggregates a checked set and writes what `run --out` writes.
func merge(set *shard.Set, f runFlags, formatSet bool, stdout, stderr io.Writer) error {
	src := set.Files[0].Name + " (its scenario)"
	plan, err := scenario.Load(src, []byte(set.Scenario()), scenario.Options{Validate: validateScenario})
	if err != nil {
		return usagef("refusing to merge: %v", err)
	}
	urs, err := set.Units(plan)
	if err != nil {
		return usagef("refusing to merge: %v", err)
	}
	if set.Version() != version {
		fmt.Fprintf(stderr, "cnisim merge: note: the shards ran cnisim %s, this is %s; results.json records %s\n",
			set.Version(), version, set.Version())
	}
	base, err := baselineOf(plan, f.baselines)
	if err != nil {
		return err
	}
	run.SortUnits(urs)
	tl := newRepOut(plan)
	pairs := newPairs(base)
	for _, u := range urs {
		tl.add(u)
		pairs.add(u)
	}
	return emit(run.Aggregate(plan, urs, set.Version()), pairs.comparisons(), tl, plan, f, formatSet, stdout, stderr)
}
