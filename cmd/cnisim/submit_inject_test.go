package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// fakeSbatch stands in for sbatch: it records its arguments (NUL-
// separated) and the job script it was given, runs that script with bash
// as a compute node would, and prints a job id as --parsable does.
const fakeSbatch = `#!/bin/bash
n=$(cat "$FAKE_LOG/count" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" >"$FAKE_LOG/count"
printf '%s\0' "$@" >"$FAKE_LOG/sbatch-$n"
script="${@: -1}"
cp -- "$script" "$FAKE_LOG/job-$n.sh"
bash -- "$script" >/dev/null 2>&1 || true
echo "$((100 + n));cluster"
`

// fakeCnisim records the arguments a job ran cnisim with.
const fakeCnisim = `#!/bin/bash
n=$(ls "$FAKE_LOG" | grep -c '^cnisim-' || true)
printf '%s\0' "$@" >"$FAKE_LOG/cnisim-$((n + 1))"
`

// hostile are values that would run "touch MARKER" if spliced into the
// script unquoted, in a comment, or in a here-document they could close.
func hostile(marker string) []string {
	cmd := "touch " + marker
	return []string{
		"a\n" + cmd + "\n",
		"$(" + cmd + ")",
		"`" + cmd + "`",
		"'; " + cmd + "; '",
		`"; ` + cmd + `; "`,
		"x\nEOF\n" + cmd + "\nEOF",
		"x\nCNISIM_JOB_EOF\n" + cmd + "\nCNISIM_JOB_EOF",
		"x\nCNISIM_SCENARIO_EOF\n" + cmd + "\nCNISIM_SCENARIO_EOF",
		"x\nCNISIM_JOB_EOF_1\n" + cmd,
		"x\r\n" + cmd + "\r\n",
		"%A %% $(" + cmd + ") \\",
		"x)\n" + cmd + "\n(",
		"-x; " + cmd,
	}
}

// submitRun generates the Slurm script for args, runs it with bash with
// the fake sbatch first on PATH, and returns the log directory. code is
// submit's exit status; ran reports that the script ran.
func submitRun(t *testing.T, dir string, args ...string) (logDir string, code int, stderr string) {
	t.Helper()
	code, out, stderr := cli(append([]string{"submit", "slurm"}, args...)...)
	if code != 0 {
		return "", code, stderr
	}
	logDir = filepath.Join(dir, "log")
	bin := filepath.Join(dir, "bin")
	for _, d := range []string{logDir, bin} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(bin, "sbatch"), []byte(fakeSbatch), 0o755)
	os.WriteFile(filepath.Join(bin, "fakecnisim"), []byte(fakeCnisim), 0o755)
	script := filepath.Join(dir, "submit.sh")
	os.WriteFile(script, []byte(out), 0o644)
	cmd := exec.Command("bash", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "FAKE_LOG="+logDir)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	if err := cmd.Run(); err != nil {
		t.Fatalf("bash submit.sh: %v\n%s\nscript:\n%s", err, se.String(), out)
	}
	if strings.TrimSpace(so.String()) != "101 102" {
		t.Errorf("the script printed %q, want the two job ids", so.String())
	}
	return logDir, 0, stderr
}

func nulArgs(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
}

// No value that reaches the Slurm script (the scenario's name, --workdir,
// --binary, --partition, --time, --sbatch) can run a command: the script
// and the jobs it submits run under bash with a fake sbatch, and the
// marker file is never created. The values arrive intact (sbatch and the
// jobs see exactly the strings given).
func TestSubmitSlurmHostileValues(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs the Slurm script under bash for 6 fields x 9 values (~5 s)")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("needs bash")
	}
	scenarioText, err := os.ReadFile(smallScenario)
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"name", "workdir", "binary", "partition", "time", "sbatch"} {
		t.Run(field, func(t *testing.T) {
			t.Parallel() // own directories; most of the time is bash and its children
			root := t.TempDir()
			marker := filepath.Join(root, "MARKER")
			for i, v := range hostile(marker) {
				dir := filepath.Join(root, "case"+string(rune('a'+i)))
				os.MkdirAll(dir, 0o755)
				sc := filepath.Join(dir, "sweep.toml")
				text := string(scenarioText)
				if field == "name" {
					text = strings.Replace(text, `name = "small"`, "name = "+tomlString(v), 1)
				}
				os.WriteFile(sc, []byte(text), 0o644)
				work := filepath.Join(dir, "work")
				binary := filepath.Join(dir, "bin", "fakecnisim")
				args := []string{sc, "--shards", "2"}
				switch field {
				case "workdir":
					work = filepath.Join(dir, "w", v)
				case "binary":
					binary = filepath.Join(dir, v)
				case "partition", "time":
					args = append(args, "--"+field, v)
				case "sbatch":
					args = append(args, "--sbatch", v)
				}
				args = append(args, "--workdir", work, "--binary", binary)
				logDir, code, stderr := submitRun(t, dir, args...)
				if _, err := os.Stat(marker); err == nil {
					t.Fatalf("%q in %s ran a command", v, field)
				}
				if code != 0 {
					if field != "name" || code != 2 {
						t.Fatalf("%q: exit %d: %s", v, code, stderr)
					}
					continue // a name the scenario refuses cannot reach the script
				}
				first := nulArgs(t, filepath.Join(logDir, "sbatch-1"))
				want := map[string]string{"partition": "--partition=" + v, "time": "--time=" + v, "sbatch": v}[field]
				if want != "" && !slices.Contains(first, want) {
					t.Errorf("%s %q did not reach sbatch intact: %q", field, v, first)
				}
				if field == "binary" {
					continue // the job could not exec the hostile path: nothing to compare
				}
				got, err := os.ReadFile(filepath.Join(work, "scenario.toml"))
				if err != nil || !strings.Contains(string(got), "replications = 3") {
					t.Errorf("%q: WORKDIR/scenario.toml: %v\n%s", v, err, got)
				}
				run := nulArgs(t, filepath.Join(logDir, "cnisim-1"))
				wantRun := []string{"run", work + "/scenario.toml", "--shards", "2", "--parallel", "1", "--out", work + "/shards"}
				if !slices.Equal(run, wantRun) {
					t.Errorf("%s %q: the shard job ran cnisim %q, want %q", field, v, run, wantRun)
				}
				merge := nulArgs(t, filepath.Join(logDir, "cnisim-2"))
				if !slices.Equal(merge, []string{"merge", work + "/shards", "--out", work + "/results"}) {
					t.Errorf("%s %q: the merge job ran cnisim %q", field, v, merge)
				}
			}
		})
	}
}

// tomlString writes s as a TOML basic string.
func tomlString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	return `"` + r.Replace(s) + `"`
}

// The here-document delimiter is never a line of the body.
func TestHeredocDelimiter(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		"a\n":               "<<'D'\na\nD",
		"a":                 "<<'D'\na\nD",
		"D\n":               "<<'D_1'\nD\nD_1",
		"x\nD\nD_1\ny\n":    "<<'D_2'\nx\nD\nD_1\ny\nD_2",
		"D \n D\nDD\n'D'\n": "<<'D'\nD \n D\nDD\n'D'\nD",
		"":                  "<<'D'\n\nD",
		"a\nD_1\n":          "<<'D'\na\nD_1\nD",
	} {
		if got := heredoc("D", body); got != want {
			t.Errorf("heredoc(%q) = %q, want %q", body, got, want)
		}
	}
}

// The Kubernetes manifests are marshalled from the API types: hostile
// values in --image, --binary, --pvc and --namespace come back intact
// after strict decoding, and none adds a document or a field.
func TestSubmitK8sHostileValues(t *testing.T) {
	t.Parallel()
	values := append(hostile("/tmp/never"), "x\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: evil}", "a: b", "- x", "{x: y}", "&a *a", "'", `"`)
	for _, v := range values {
		code, out, stderr := cli("submit", "k8s", smallScenario, "--shards", "2",
			"--image", v, "--binary", v, "--pvc", v, "--namespace", v)
		if code != 0 {
			t.Fatalf("%q: exit %d: %s", v, code, stderr)
		}
		docs := strings.Split(out, "\n---\n") // document markers are at the start of a line
		if len(docs) != 4 {
			t.Fatalf("%q: %d documents, want 3:\n%s", v, len(docs)-1, out)
		}
		docs = docs[1:]
		for i := range docs { // the newline before each marker ends the document before it
			docs[i] += "\n"
		}
		var cm corev1.ConfigMap
		var shards batchv1.Job
		if err := yaml.UnmarshalStrict([]byte(docs[0]), &cm); err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		if err := yaml.UnmarshalStrict([]byte(docs[1]), &shards); err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		pod := shards.Spec.Template.Spec
		c := pod.Containers[0]
		var claim string
		for _, vol := range pod.Volumes {
			if vol.PersistentVolumeClaim != nil {
				claim = vol.PersistentVolumeClaim.ClaimName
			}
		}
		if c.Image != v || c.Command[0] != v || claim != v || shards.Namespace != v || cm.Namespace != v {
			t.Errorf("%q came back as image %q, binary %q, claim %q, namespace %q", v, c.Image, c.Command[0], claim, shards.Namespace)
		}
	}
}
