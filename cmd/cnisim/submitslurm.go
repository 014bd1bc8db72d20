package main

import (
	"fmt"
	"io"
	"strings"
	"text/template"
)

// submitSlurm prints a driver script that submits the job array and the
// dependent merge job with two `sbatch --parsable` calls.
func submitSlurm(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("submit slurm", "submit slurm SCENARIO.toml --shards N [--partition P] [--time T] [--cpus-per-task C]\n"+
		"                           [--workdir DIR] [--binary PATH] [--sbatch ARG]... [--yes]", stderr)
	var o slurmOpts
	var yes bool
	fs.IntVar(&o.Shards, "shards", 0, fmt.Sprintf("array tasks, one shard each (required, 1..%d)", maxShards))
	fs.StringVar(&o.Partition, "partition", "", "Slurm partition (default: the cluster's)")
	fs.StringVar(&o.Time, "time", "", "time limit per job, as sbatch --time takes it (1:00:00)")
	fs.IntVar(&o.CPUs, "cpus-per-task", 1, fmt.Sprintf("cores per array task (1..%d); the task runs that many replications at once", maxCPUs))
	fs.StringVar(&o.Workdir, "workdir", "", "shared `DIR` for the scenario, partial results, logs and results (default: ./cnisim-NAME)")
	fs.StringVar(&o.Binary, "binary", defaultBinary(), "cnisim as the compute nodes see it")
	fs.StringArrayVar(&o.Extra, "sbatch", nil, "extra sbatch option for both jobs, such as --account=proj (repeatable)")
	fs.BoolVar(&yes, "yes", false, fmt.Sprintf("submit sweeps of more than %d points", maxPoints))
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := wantArgs(fs, 1, 1, "a scenario file"); err != nil {
		return err
	}
	if err := checkShards(o.Shards); err != nil {
		return err
	}
	if err := inRange("--cpus-per-task", o.CPUs, 1, maxCPUs); err != nil {
		return err
	}
	sw, err := loadSweep(fs.Arg(0), o.Shards, yes, stderr)
	if err != nil {
		return err
	}
	// The tasks run in WORKDIR on other machines: the scenario's own files
	// (a plugin model, a profile) are named by absolute paths.
	if err := sw.rewriteFiles(absFile); err != nil {
		return err
	}
	if o.Shards > slurmDefaultMaxArray {
		fmt.Fprintf(stderr, "cnisim submit: note: %d array tasks: Slurm's default MaxArraySize (slurm.conf) allows %d\n",
			o.Shards, slurmDefaultMaxArray)
	}
	if o.Workdir == "" {
		o.Workdir = "cnisim-" + dnsName(sw.plan.Base.Name)
	}
	if o.Workdir, err = absPath(o.Workdir); err != nil {
		return err
	}
	o.Version, o.Name, o.Resolved = version, sw.plan.Base.Name, sw.resolved
	o.Points, o.Reps, o.Units, o.Yes = sw.plan.Len(), sw.plan.Base.Replications, sw.units, sw.yes
	o.PerShard = (sw.units + o.Shards - 1) / o.Shards
	return slurmScript.Execute(stdout, o)
}

// slurmDefaultMaxArray is Slurm's default MaxArraySize (slurm.conf(5)):
// array indices up to 1000.
const slurmDefaultMaxArray = 1001

type slurmOpts struct {
	Shards, CPUs                  int
	Partition, Time               string
	Workdir, Binary               string
	Extra                         []string
	Version, Name, Resolved       string
	Points, Reps, Units, PerShard int
	Yes                           bool
}

// Last is the last array index.
func (o slurmOpts) Last() int { return o.Shards - 1 }

// JobName is the jobs' name: only letters, digits and dashes.
func (o slurmOpts) JobName() string { return "cnisim-" + dnsName(o.Name) }

// Log is sbatch's --output pattern for a log file in WORKDIR/logs: a "%"
// of the directory is doubled, since sbatch expands %A, %a, %j there.
func (o slurmOpts) Log(pattern string) string {
	return strings.ReplaceAll(o.Workdir, "%", "%%") + "/logs/" + pattern
}

// ShardJob and MergeJob are the two jobs' scripts, every value in them
// quoted for the shell.
func (o slurmOpts) ShardJob() string {
	yes := ""
	if o.Yes {
		yes = " --yes"
	}
	return fmt.Sprintf("#!/bin/bash\n# SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT pick the shard.\n"+
		"exec %s run %s/scenario.toml --shards %d --parallel \"${SLURM_CPUS_PER_TASK:-1}\" --out %s/shards%s\n",
		shellQuote(o.Binary), shellQuote(o.Workdir), o.Shards, shellQuote(o.Workdir), yes)
}

func (o slurmOpts) MergeJob() string {
	return fmt.Sprintf("#!/bin/bash\nexec %s merge %s/shards --out %s/results\n",
		shellQuote(o.Binary), shellQuote(o.Workdir), shellQuote(o.Workdir))
}

// shellQuote quotes s for a POSIX shell: as it is when it holds only
// characters no shell treats specially, else in single quotes, where
// nothing is special, newlines included (a single quote inside closes the
// quotes, is escaped with a backslash, and reopens them).
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// commentQuote renders s for a "#" comment line: Go-quoted, so that a
// newline (which would end the comment and start a command) shows as \n.
func commentQuote(s string) string { return fmt.Sprintf("%q", s) }

// heredoc returns body as a here-document with a quoted delimiter (no
// expansion inside), "<<'D'\nbody\nD": D is base, or base_1, base_2 ...,
// the first that is no line of body, so that nothing in body can end the
// here-document early. body gets a final newline if it lacks one.
func heredoc(base, body string) string {
	if !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	lines := strings.Split(body, "\n")
	d := base
	for i := 1; contains(lines, d); i++ {
		d = fmt.Sprintf("%s_%d", base, i)
	}
	return "<<'" + d + "'\n" + body + d
}

// The generated script splices no value into shell text unquoted: values
// in commands go through q (shellQuote), values in comments through c
// (commentQuote), and the three bodies fed to commands (the scenario,
// the two job scripts, written to WORKDIR and given to sbatch as files)
// are here-documents whose delimiter is chosen not to occur in them, outside
// any command substitution. The jobs' options go on sbatch's command line rather than
// in #SBATCH lines, so paths with spaces survive. --kill-on-invalid-dep
// cancels the merge when a task fails, instead of leaving it pending.
var slurmScript = template.Must(template.New("slurm").Funcs(template.FuncMap{
	"q": shellQuote, "c": commentQuote, "heredoc": heredoc}).Parse(
	`#!/bin/bash
# Generated by cnisim {{c .Version}}: scenario {{c .Name}}, {{.Points}} points x {{.Reps}} replications
# = {{.Units}} units in {{.Shards}} shards (at most {{.PerShard}} units per array task).
# Run it where sbatch works (a login node): bash THIS_FILE
# It submits a job array of {{.Shards}} tasks, each writing one partial result to
# WORKDIR/shards, then a merge job that starts when every task has succeeded
# (afterok) and writes results.json, results.csv, results-long.csv and scenario.toml to
# WORKDIR/results. It prints the two job ids.
set -euo pipefail
WORKDIR={{q .Workdir}}
mkdir -p "$WORKDIR/shards" "$WORKDIR/logs"
if compgen -G "$WORKDIR/shards/partial-*.json" >/dev/null; then
  echo "$WORKDIR/shards already holds partial results: remove them or choose another --workdir" >&2
  exit 1
fi
# The resolved scenario (every shard runs exactly this text) and the jobs.
cat >"$WORKDIR/scenario.toml" {{heredoc "CNISIM_SCENARIO_EOF" .Resolved}}
cat >"$WORKDIR/shard-job.sh" {{heredoc "CNISIM_JOB_EOF" .ShardJob}}
cat >"$WORKDIR/merge-job.sh" {{heredoc "CNISIM_JOB_EOF" .MergeJob}}
array=$(sbatch --parsable --job-name={{q .JobName}} --array=0-{{.Last}} \
  --cpus-per-task={{.CPUs}}{{if .Partition}} --partition={{q .Partition}}{{end}}{{if .Time}} --time={{q .Time}}{{end}}{{range .Extra}} {{q .}}{{end}} \
  --chdir="$WORKDIR" --output={{q (.Log "shard-%A_%a.log")}} "$WORKDIR/shard-job.sh")
array=${array%%;*}
merge=$(sbatch --parsable --job-name={{q (print .JobName "-merge")}} --dependency="afterok:$array" --kill-on-invalid-dep=yes \
  --cpus-per-task=1{{if .Partition}} --partition={{q .Partition}}{{end}}{{if .Time}} --time={{q .Time}}{{end}}{{range .Extra}} {{q .}}{{end}} \
  --chdir="$WORKDIR" --output={{q (.Log "merge-%j.log")}} "$WORKDIR/merge-job.sh")
merge=${merge%%;*}
echo "submitted array job $array ({{.Shards}} tasks) and merge job $merge; results in $WORKDIR/results" >&2
echo "$array $merge"
`))
