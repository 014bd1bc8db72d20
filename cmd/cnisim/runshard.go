package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/experiments/shard"
)

// getenv reads the array task's index; tests replace it.
var getenv = os.Getenv

// shardOf decides whether `run` runs one shard: --shard I/N, else an array
// task named by the environment (Slurm, or a Kubernetes Indexed Job with
// --shards N), so one command line serves both engines.
func shardOf(f runFlags, shardSet bool, stderr io.Writer) (shard.Spec, bool, error) {
	if f.shards < 0 {
		return shard.Spec{}, false, usagef("--shards %d: must be >= 1", f.shards)
	}
	if shardSet {
		s, err := shard.ParseSpec(f.shard)
		if err != nil {
			return shard.Spec{}, false, usagef("--%v", err)
		}
		if f.shards > 0 && f.shards != s.Count {
			return shard.Spec{}, false, usagef("--shard %s and --shards %d disagree", f.shard, f.shards)
		}
		return s, true, needOut(f, s)
	}
	s, source, ok, err := shard.FromEnv(getenv, f.shards)
	if err != nil {
		return shard.Spec{}, false, usagef("%v", err)
	}
	if !ok {
		return shard.Spec{}, false, nil
	}
	fmt.Fprintf(stderr, "cnisim run: shard %s (from %s)\n", s, source)
	return s, true, needOut(f, s)
}

func needOut(f runFlags, s shard.Spec) error {
	if f.out == "" {
		return usagef("shard %s: --out DIR is needed, where the partial result %s goes", s, s.FileName())
	}
	return nil
}

// runShard runs one shard's units and writes its partial result.
func runShard(ctx context.Context, plan *scenario.Plan, s shard.Spec, cfg run.Config, f runFlags, stderr io.Writer) error {
	cfg.Units = shard.Select(run.Units(plan), s.Index, s.Count)
	urs, err := runUnits(ctx, plan, cfg, f, stderr)
	if err != nil {
		return err
	}
	data, err := shard.Marshal(shard.New(version, plan.Base.ResolvedString(), s, urs))
	if err != nil {
		return err
	}
	if err := results.WriteFiles(f.out, []results.File{{Name: s.FileName(), Data: data}}); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s (%d of %d units)\n", filepath.Join(f.out, s.FileName()), len(urs), plan.Len()*plan.Base.Replications)
	return nil
}
