package main

import (
	"errors"

	"github.com/spf13/pflag"

	"github.com/cnisim/cnisim/experiments/compare"
	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
)

// baselineFlag adds --baseline to run and merge.
func baselineFlag(fs *pflag.FlagSet, f *runFlags) {
	fs.StringArrayVar(&f.baselines, "baseline", nil,
		"compare every sweep point with the one at this swept `key=value` (repeatable), replication by replication: comparison.{json,csv} and a table")
}

// baselineOf checks --baseline against the plan's sweep; nil without one.
func baselineOf(plan *scenario.Plan, specs []string) (*compare.Baseline, error) {
	if len(specs) == 0 {
		return nil, nil
	}
	var vals []scenario.Override
	for _, s := range specs {
		o, err := scenario.ParseSet(s)
		var fe *scenario.FieldError
		if errors.As(err, &fe) {
			fe.Where = "--baseline " + s // ParseSet names --set
		}
		if err != nil {
			return nil, usagef("%v", err)
		}
		vals = append(vals, o)
	}
	b, err := compare.NewBaseline(plan, vals)
	if err != nil {
		return nil, usagef("--baseline: %v", err)
	}
	return b, nil
}

// pairs collects the units for --baseline's comparisons; a nil *pairs
// (no baseline) collects nothing.
type pairs struct{ c *compare.Collector }

func newPairs(b *compare.Baseline) *pairs {
	if b == nil {
		return nil
	}
	return &pairs{c: compare.NewCollector(b)}
}

func (p *pairs) add(u run.UnitResult) {
	if p != nil {
		p.c.Add(u)
	}
}

func (p *pairs) comparisons() *results.Comparisons {
	if p == nil {
		return nil
	}
	return p.c.Comparisons()
}
