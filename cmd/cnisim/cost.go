package main

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
)

// maxWall is the estimated wall time refused without --yes (assumed: a
// week of every core is orders of magnitude beyond an interactive run;
// the paper's experiments at full scale take hours).
var maxWall = 7 * 24 * time.Hour

// checkCost estimates the plan's cost before it runs and refuses, with
// one line naming --yes, a run that needs more memory than the machine
// has or more than maxWall of its cores (issue 19: 100 points x 1e6
// replications, http_load with 1e6 connections).
//
// A shard of N runs about 1/N of the units: its packets, CPU time and
// kept results are divided by N (the memory of a replication is not).
func checkCost(plan *scenario.Plan, parallel, shards int, yes bool) error {
	if yes {
		return nil
	}
	cores := runtime.GOMAXPROCS(0)
	if parallel == 0 {
		parallel = cores
	}
	c := run.Estimate(plan, parallel).Shard(shards)
	// Half the memory: the estimate is rough and the machine runs more
	// than this process.
	lim := run.Limits{Cores: min(cores, parallel), MemoryBytes: memTotal() / 2, MaxWall: maxWall}
	if err := c.Check(lim); err != nil {
		return usagef("%v; pass --yes to run it anyway", err)
	}
	return nil
}

// memTotal is the machine's physical memory from /proc/meminfo, or 1 TB
// where that cannot be read (then only the wall time bound refuses).
func memTotal() float64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 1e12
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err == nil && kb > 0 {
				return kb * 1024
			}
		}
	}
	return 1e12
}
