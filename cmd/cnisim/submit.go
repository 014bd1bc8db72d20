package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/models/cni"
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

// Bounds of the shard and core counts. Kubernetes refuses an Indexed Job
// with completions or parallelism above 100,000 (the API server's
// validation of batch/v1 Job); Slurm's MaxArraySize is at most 4,000,001.
// One bound for both keeps a sweep's sharding portable and far from int32.
const (
	maxShards = 100_000
	maxCPUs   = 4096 // cores of one task or pod: well above any node's
)

// inRange refuses a flag's value outside [lo, hi], naming the flag.
func inRange(flag string, v, lo, hi int) error {
	if v < lo || v > hi {
		return usagef("%s %d: must be between %d and %d", flag, v, lo, hi)
	}
	return nil
}

func checkShards(n int) error {
	if n == 0 {
		return usagef("--shards N is required (N >= 1, at most %d)", maxShards)
	}
	return inRange("--shards", n, 1, maxShards)
}

// loadSweep loads the scenario and checks the shard count against it.
// Without yes, sweeps of more than maxPoints points are refused before
// their points are expanded and validated, as `run` does.
func loadSweep(path string, shards int, yes bool, stderr io.Writer) (*sweep, error) {
	if err := checkShards(shards); err != nil {
		return nil, err
	}
	plan, err := loadPlan(path, nil, yes)
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

// fileKeys are the scenario keys whose value may name a user's file, and
// how to tell a file from a built-in name (as the model layer does).
var fileKeys = []struct {
	key    string
	isFile func(string) bool
}{
	{"cni.plugin", func(v string) bool { return !slices.Contains(cni.Names(), v) }},
	{"calibration.profile", calibration.IsPath},
}

// rewriteFiles replaces every file a scenario names (in its base values
// and its sweep) by to(path), and re-renders the resolved text. The run
// resolves relative paths against its working directory, which a cluster
// job does not share.
func (sw *sweep) rewriteFiles(to func(key, path string) (string, error)) error {
	base := sw.plan.Base
	fields := map[string]*string{"cni.plugin": &base.CNI.Plugin, "calibration.profile": &base.Calibration.Profile}
	to = layered(to)
	for _, fk := range fileKeys {
		if p := fields[fk.key]; fk.isFile(*p) {
			v, err := to(fk.key, *p)
			if err != nil {
				return err
			}
			*p = v
		}
		vals := base.Sweep[fk.key]
		for i, x := range vals {
			if s, ok := x.(string); ok && fk.isFile(s) {
				v, err := to(fk.key, s)
				if err != nil {
					return err
				}
				vals[i] = v
			}
		}
	}
	sw.resolved = base.ResolvedString()
	return nil
}

// layered maps each file layer of a calibration.profile list
// ("paper,node1.toml") on its own, leaving built-in names as they are.
func layered(to func(key, path string) (string, error)) func(key, path string) (string, error) {
	return func(key, p string) (string, error) {
		if key != "calibration.profile" || !strings.Contains(p, calibration.LayerSep) {
			return to(key, p)
		}
		parts := strings.Split(p, calibration.LayerSep)
		for i, l := range parts {
			if calibration.IsPath(l) {
				v, err := to(key, l)
				if err != nil {
					return "", err
				}
				parts[i] = v
			}
		}
		return strings.Join(parts, calibration.LayerSep), nil
	}
}

// absFile is rewriteFiles' mapping for Slurm: the absolute path of a
// regular file (the compute nodes must see it at that path).
func absFile(key, p string) (string, error) {
	a, err := filepath.Abs(p)
	if err != nil {
		return "", usagef("%s = %q: %v", key, p, err)
	}
	if st, err := os.Stat(a); err != nil || !st.Mode().IsRegular() {
		return "", usagef("%s = %q: not a regular file (%s)", key, p, a)
	}
	return a, nil
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
