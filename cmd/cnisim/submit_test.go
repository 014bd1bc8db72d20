package main

import (
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

// resolvedSmall is the scenario text every shard must run.
func resolvedSmall(t *testing.T) string {
	t.Helper()
	plan, err := loadPlan(smallScenario, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	return plan.Base.ResolvedString()
}

// k8sDocs splits multi-document YAML, dropping the leading comments.
func k8sDocs(t *testing.T, out string) []string {
	t.Helper()
	parts := strings.Split(out, "---\n")
	if len(parts) != 4 || strings.TrimSpace(strings.ReplaceAll(parts[0], "#", "")) == "" && !strings.HasPrefix(parts[0], "#") {
		t.Fatalf("want a comment header and 3 documents, got %d parts:\n%s", len(parts), out)
	}
	return parts[1:]
}

// The manifests decode strictly (unknown fields and wrong types are
// errors) into the official API types and carry the right fields; server
// rules the types do not express are checked by hand.
func TestSubmitK8sManifests(t *testing.T) {
	t.Parallel()
	code, out, stderr := cli("submit", "k8s", smallScenario, "--shards", "5", "--parallelism", "2",
		"--image", "registry.example/cnisim:1.0", "--pvc", "sweeps", "--cpu", "2", "--namespace", "lab")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "12 units in 5 shards") {
		t.Errorf("stderr %q lacks the cost summary", stderr)
	}
	docs := k8sDocs(t, out)
	var cm corev1.ConfigMap
	var shards, merge batchv1.Job
	for i, dst := range []any{&cm, &shards, &merge} {
		if err := yaml.UnmarshalStrict([]byte(docs[i]), dst); err != nil {
			t.Fatalf("document %d: %v\n%s", i, err, docs[i])
		}
	}
	if cm.Kind != "ConfigMap" || cm.APIVersion != "v1" || cm.Data["scenario.toml"] != resolvedSmall(t) {
		t.Errorf("ConfigMap %s/%s must hold the resolved scenario:\n%s", cm.APIVersion, cm.Kind, cm.Data["scenario.toml"])
	}
	s := shards.Spec
	if shards.APIVersion != "batch/v1" || shards.Kind != "Job" || shards.Namespace != "lab" ||
		s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion ||
		s.Completions == nil || *s.Completions != 5 || s.Parallelism == nil || *s.Parallelism != 2 {
		t.Errorf("shard Job: %+v", shards)
	}
	pod := s.Template.Spec
	c := pod.Containers[0]
	wantCmd := []string{"/usr/local/bin/cnisim", "run", "/etc/cnisim/scenario.toml", "--shards", "5", "--parallel", "2", "--out", "/results/cnisim-small/shards"}
	if !slices.Equal(c.Command, wantCmd) || c.Image != "registry.example/cnisim:1.0" {
		t.Errorf("shard container %v %q", c.Command, c.Image)
	}
	if pod.RestartPolicy != corev1.RestartPolicyNever { // required for Indexed Jobs' failure accounting
		t.Errorf("restartPolicy %q", pod.RestartPolicy)
	}
	if q := c.Resources.Requests[corev1.ResourceCPU]; q.String() != "2" {
		t.Errorf("cpu request %s", q.String())
	}
	if sc := pod.SecurityContext; sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || *sc.RunAsUser == 0 {
		t.Error("pods must run as non-root")
	}
	vols := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		vols[v.Name] = v
	}
	if v := vols["results"]; v.PersistentVolumeClaim == nil || v.PersistentVolumeClaim.ClaimName != "sweeps" {
		t.Errorf("results volume %+v", v)
	}
	if v := vols["scenario"]; v.ConfigMap == nil || v.ConfigMap.Name != cm.Name {
		t.Errorf("scenario volume %+v, ConfigMap %q", v, cm.Name)
	}
	for _, m := range c.VolumeMounts {
		if _, ok := vols[m.Name]; !ok {
			t.Errorf("mount of unknown volume %q", m.Name)
		}
	}
	mc := merge.Spec.Template.Spec.Containers[0].Command
	if merge.Kind != "Job" || merge.Spec.CompletionMode != nil || !slices.Contains(mc, "merge") ||
		!slices.Contains(mc, "/results/cnisim-small/shards") || !slices.Contains(mc, "--wait") {
		t.Errorf("merge Job %v", mc)
	}
	// Server-side rules: DNS-1123 names of at most 63 characters, distinct.
	names := []string{cm.Name, shards.Name, merge.Name}
	for _, n := range names {
		if len(n) > 63 || n != dnsName(n) {
			t.Errorf("name %q is not a DNS-1123 label", n)
		}
	}
	if names[0] == names[1] || names[1] == names[2] {
		t.Errorf("names %v", names)
	}
	// Strict decoding catches an unknown field; but it matches names
	// case-insensitively (encoding/json), so the round trip back to the
	// same bytes is what proves every field is spelt as the API spells it.
	bad := strings.Replace(docs[1], "completionMode:", "completionsMode:", 1)
	if err := yaml.UnmarshalStrict([]byte(bad), &batchv1.Job{}); err == nil {
		t.Error("strict decoding accepted an unknown field")
	}
	for i, obj := range []any{&cm, &shards, &merge} {
		again, err := yaml.Marshal(obj)
		if err != nil || string(again) != docs[i] {
			t.Errorf("document %d does not survive a decode/encode round trip (%v):\n%s\n---\n%s", i, err, docs[i], again)
		}
	}
}

func TestSubmitBadUsage(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"submit"}, "missing the engine"},
		{[]string{"submit", "pbs"}, `unknown engine "pbs"`},
		{[]string{"submit", "k8s", smallScenario, "--shards", "2"}, "--image IMAGE is required"},
		{[]string{"submit", "k8s", smallScenario, "--image", "x"}, "--shards N is required"},
		{[]string{"submit", "k8s", smallScenario, "--shards", "2", "--image", "x", "--cpu", "lots"}, "--cpu"},
		{[]string{"submit", "slurm", smallScenario}, "--shards N is required"},
		{[]string{"submit", "slurm", "nope.toml", "--shards", "2"}, "nope.toml"},
		{[]string{"submit", "slurm", smallScenario, "--shards", "2", "--cpus-per-task", "0"}, "--cpus-per-task"},
	} {
		code, out, stderr := cli(c.args...)
		if code != 2 || out != "" || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q (want %q)", c.args, code, out, stderr, c.msg)
		}
	}
}

// The Slurm driver is valid bash, submits an array of N tasks and a merge
// that depends on it, and embeds the resolved scenario.
func TestSubmitSlurmScript(t *testing.T) {
	work := filepath.Join(t.TempDir(), "with space")
	code, out, stderr := cli("submit", "slurm", smallScenario, "--shards", "4", "--partition", "debug",
		"--time", "0:10:00", "--workdir", work, "--binary", "/opt/cnisim/bin/cnisim", "--sbatch", "--account=it's")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"--array=0-3", `--dependency="afterok:$array"`, "--kill-on-invalid-dep=yes", "--partition=debug", "--time=0:10:00",
		`'--account=it'\''s'`, "WORKDIR='" + work + "'",
		"exec /opt/cnisim/bin/cnisim run '" + work + "'/scenario.toml --shards 4 ",
		"exec /opt/cnisim/bin/cnisim merge '" + work + "'/shards --out '" + work + "'/results",
		"<<'CNISIM_SCENARIO_EOF'\n" + resolvedSmall(t) + "CNISIM_SCENARIO_EOF\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("script lacks %q", want)
		}
	}
	script := filepath.Join(t.TempDir(), "submit.sh")
	os.WriteFile(script, []byte(out), 0o755)
	if b, err := exec.Command("bash", "-n", script).CombinedOutput(); err != nil {
		t.Errorf("bash -n: %v: %s", err, b)
	}
}

func TestShellQuote(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"abc": "abc", "/a/b-c_d.e": "/a/b-c_d.e", "": "''", "a b": "'a b'", "it's": `'it'\''s'`, "$x": "'$x'"} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
