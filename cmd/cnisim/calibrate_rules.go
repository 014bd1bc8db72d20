package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/calibration/perf"
	"github.com/cnisim/cnisim/internal/readfile"
	"github.com/spf13/pflag"
)

const calibrateRulesSynopsis = "calibrate rules --engine E --zero FILE.json... --rules N --with FILE.json...\n" +
	"                        [--beyond N --beyond-with FILE.json... --table-bytes B --cache-bytes C]\n" +
	"                        [--source TEXT]"

type calibrateRulesFlags struct {
	engine, source         string
	zero, with, beyondWith []string
	rules, beyond          int
	tableBytes, cacheBytes float64
}

// runCalibrateRules prices an engine's policy rules from `calibrate perf
// --format json` outputs of one path: captures without rules, with a table
// that fits the cache (--rules) and optionally with one beyond it
// (--beyond, the cache term). It prints the [[rule_cost]] table to add to
// a profile.
func runCalibrateRules(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("calibrate rules", calibrateRulesSynopsis, stderr)
	var f calibrateRulesFlags
	fs.StringVar(&f.engine, "engine", "", "policy engine priced: "+strings.Join(calibration.RuleEngines, ", ")+" (required)")
	fs.StringSliceVar(&f.zero, "zero", nil, "`FILE.json` of calibrate perf --format json for captures without rules (repeatable or comma list; required)")
	fs.IntVar(&f.rules, "rules", 0, "rules every data packet walked, none matching, in the --with captures (required, > 0; a table that fits the cache)")
	fs.StringSliceVar(&f.with, "with", nil, "`FILE.json` for captures with --rules rules (required)")
	fs.IntVar(&f.beyond, "beyond", 0, "rules in the --beyond-with captures, a table beyond the cache (the cache term)")
	fs.StringSliceVar(&f.beyondWith, "beyond-with", nil, "`FILE.json` for captures with --beyond rules")
	fs.Float64Var(&f.tableBytes, "table-bytes", 0, "bytes of the engine's rule table per rule (iptables-legacy: IPT_SO_GET_INFO size / rules; nftables: about 160 for an address and port match)")
	fs.Float64Var(&f.cacheBytes, "cache-bytes", 0, "bytes of cache the rules may hold (e.g. half the L2 of the node's CPU)")
	fs.StringVar(&f.source, "source", "", "what the captures are: command, date, kernel, CPU (goes into the entry's source)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := wantArgs(fs, 0, 0, "no arguments"); err != nil {
		return err
	}
	if err := f.check(fs); err != nil {
		return err
	}
	zero, err := netfilterCPPs("--zero", f.zero)
	if err != nil {
		return err
	}
	with, err := netfilterCPPs("--with", f.with)
	if err != nil {
		return err
	}
	src := fmt.Sprintf("cnisim calibrate rules from %s (no rules) and %s (%d rules)", strings.Join(f.zero, ", "), strings.Join(f.with, ", "), f.rules)
	if f.source != "" {
		src += "; " + f.source
	}
	rc, err := perf.RuleCostFromStage(f.engine, zero, with, f.rules, src)
	if err != nil {
		return err
	}
	if f.beyond > 0 {
		beyond, err := netfilterCPPs("--beyond-with", f.beyondWith)
		if err != nil {
			return err
		}
		if err := perf.AddCacheTerm(&rc, zero, beyond, f.beyond, f.tableBytes, f.cacheBytes,
			fmt.Sprintf("%s (%d rules), %.0f table bytes per rule, %.0f cache bytes", strings.Join(f.beyondWith, ", "), f.beyond, f.tableBytes, f.cacheBytes)); err != nil {
			return err
		}
	}
	return toml.NewEncoder(stdout).Encode(struct {
		RuleCost []calibration.RuleCost `toml:"rule_cost"`
	}{[]calibration.RuleCost{rc}})
}

// check validates the flags once, naming the flag and the allowed values.
func (f *calibrateRulesFlags) check(fs *pflag.FlagSet) error {
	switch {
	case !slices.Contains(calibration.RuleEngines, f.engine):
		return usagef("--engine %q: want one of %s", f.engine, strings.Join(calibration.RuleEngines, ", "))
	case len(f.zero) == 0 || len(f.with) == 0:
		return usagef("--zero and --with are required (calibrate perf --format json of captures without rules and with --rules rules)")
	case f.rules <= 0:
		return usagef("--rules %d: want the rules every data packet walked in the --with captures, > 0", f.rules)
	}
	cache := []string{"beyond", "beyond-with", "table-bytes", "cache-bytes"}
	n := 0
	for _, name := range cache {
		if fs.Changed(name) {
			n++
		}
	}
	switch {
	case n != 0 && n != len(cache):
		return usagef("the cache term needs all of --beyond, --beyond-with, --table-bytes and --cache-bytes (%d of 4 given)", n)
	case n == 0:
		return nil
	case f.beyond <= f.rules:
		return usagef("--beyond %d: want more rules than --rules %d (a table beyond the cache)", f.beyond, f.rules)
	case !(f.tableBytes > 0 && f.tableBytes <= calibration.MaxTableBytesPerRule):
		return usagef("--table-bytes %v: want a number in (0, %d]", f.tableBytes, calibration.MaxTableBytesPerRule)
	case !(f.cacheBytes > 0 && f.cacheBytes <= calibration.MaxCacheBytes):
		return usagef("--cache-bytes %v: want a number in (0, %d]", f.cacheBytes, int64(calibration.MaxCacheBytes))
	}
	return nil
}

// netfilterCPPs reads the netfilter stage's cycles per data packet from
// each `calibrate perf --format json` file.
func netfilterCPPs(flag string, files []string) ([]float64, error) {
	var out []float64
	for _, file := range files {
		data, err := readfile.Read(file, readfile.Limit, "calibrate perf --format json output")
		if err != nil {
			return nil, usagef("%s %v", flag, err)
		}
		var j perfJSON
		if err := json.Unmarshal(data, &j); err != nil {
			return nil, usagef("%s %s: not calibrate perf --format json output: %v", flag, file, err)
		}
		if j.Stages == nil {
			return nil, usagef("%s %s: no \"stages\": not calibrate perf --format json output", flag, file)
		}
		out = append(out, j.Stages["netfilter"].CPP) // absent: perf saw no netfilter work
	}
	return out, nil
}
