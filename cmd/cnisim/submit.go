package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/cnisim/cnisim/experiments/scenario"
)

func init() {
	register(&command{name: "submit", summary: "print a Slurm job array or Kubernetes Indexed Job for a sharded sweep", run: runSubmit})
}

func runSubmit(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "slurm":
			return submitSlurm(args[1:], stdout, stderr)
		case "k8s":
			return submitK8s(args[1:], stdout, stderr)
		}
		if !strings.HasPrefix(args[0], "-") {
			return usagef("unknown engine %q (valid: slurm, k8s)", args[0])
		}
	}
	fs := newFlags("submit", "submit slurm|k8s SCENARIO.toml --shards N [...]", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if len(args) == 0 {
		return usagef("missing the engine: slurm or k8s")
	}
	return usagef("unknown engine %q (valid: slurm, k8s)", args[0])
}

// sweep is what both engines need to know about the scenario.
type sweep struct {
	plan     *scenario.Plan
	resolved string // every shard runs exactly this text
	units    int
	yes      bool // the sweep is larger than run's limit without --yes
}

// loadSweep loads the scenario and checks the shard count against it.
func loadSweep(path string, shards int, stderr io.Writer) (*sweep, error) {
	if shards < 1 {
		return nil, usagef("--shards N is required (N >= 1)")
	}
	plan, err := loadPlan(path, nil, true)
	if err != nil {
		return nil, err
	}
	sw := &sweep{plan: plan, resolved: plan.Base.ResolvedString(),
		units: plan.Len() * plan.Base.Replications, yes: plan.Len() > maxPoints}
	per := (sw.units + shards - 1) / shards
	fmt.Fprintf(stderr, "cnisim submit: %d points x %d replications = %d units in %d shards: at most %d units per shard\n",
		plan.Len(), plan.Base.Replications, sw.units, shards, per)
	if shards > sw.units {
		fmt.Fprintf(stderr, "cnisim submit: warning: %d shards for %d units: %d shards will have nothing to do\n",
			shards, sw.units, shards-sw.units)
	}
	return sw, nil
}

// dnsName turns a scenario name into a DNS-1123 label fragment.
func dnsName(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// absPath makes a path absolute: the jobs run elsewhere, later.
func absPath(p string) (string, error) {
	a, err := filepath.Abs(p)
	if err != nil {
		return "", usagef("%v", err)
	}
	return a, nil
}

// defaultBinary is this cnisim's own path, for clusters that share it.
func defaultBinary() string {
	if p, err := os.Executable(); err == nil {
		return p
	}
	return "cnisim"
}
