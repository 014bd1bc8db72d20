package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/calibration"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// userFiles makes, in a fresh working directory, a scenario that names a
// user's plugin model (sub/antrea.toml) and profile (prof.toml) by
// relative paths, the profile also in its sweep. It returns the model's
// and profile's contents.
func userFiles(t *testing.T) (model, profile []byte) {
	t.Helper()
	model, err := os.ReadFile("../../models/cni/testdata/antrea.toml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := calibration.Builtin("paper")
	if err != nil {
		t.Fatal(err)
	}
	if profile, err = p.TOML(); err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	os.Mkdir("sub", 0o755)
	os.WriteFile("sub/antrea.toml", model, 0o644)
	os.WriteFile("prof.toml", profile, 0o644)
	os.WriteFile("sweep.toml", []byte(`name = "files"
replications = 2
duration = "20ms"
warmup = "5ms"
[cni]
plugin = "sub/antrea.toml"
[calibration]
profile = "prof.toml"
[sweep]
"calibration.profile" = ["paper", "prof.toml"]
`), 0o644)
	return model, profile
}

// Slurm: the files a scenario names are resolved to absolute paths (the
// tasks run in WORKDIR), and the scenario the tasks get loads from
// anywhere.
func TestSubmitSlurmResolvesFiles(t *testing.T) {
	userFiles(t)
	wd, _ := os.Getwd()
	_, code, stderr := submitRun(t, wd, "sweep.toml", "--shards", "2", "--workdir", "work", "--binary", filepath.Join(wd, "bin", "fakecnisim"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got, err := os.ReadFile("work/scenario.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`plugin = "` + filepath.Join(wd, "sub/antrea.toml") + `"`,
		`profile = "` + filepath.Join(wd, "prof.toml") + `"`,
		`"calibration.profile" = ["paper", "` + filepath.Join(wd, "prof.toml") + `"]`,
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("WORKDIR/scenario.toml lacks %s:\n%s", want, got)
		}
	}
	t.Chdir(t.TempDir()) // as a task: elsewhere
	if _, err := loadPlan(filepath.Join(wd, "work/scenario.toml"), nil, false); err != nil {
		t.Errorf("the tasks' scenario does not load: %v", err)
	}
}

// Kubernetes: the files travel in the ConfigMap, and the scenario names
// them where the pods mount it; the scenario loads there (the ConfigMap
// written out to a directory standing for the mount).
func TestSubmitK8sPacksFiles(t *testing.T) {
	model, profile := userFiles(t)
	code, out, stderr := cli("submit", "k8s", "sweep.toml", "--shards", "2", "--image", "x")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var cm corev1.ConfigMap
	if err := yaml.UnmarshalStrict([]byte(k8sDocs(t, out)[0]), &cm); err != nil {
		t.Fatal(err)
	}
	if cm.Data["file-1-antrea.toml"] != string(model) || cm.Data["file-2-prof.toml"] != string(profile) || len(cm.Data) != 3 {
		t.Fatalf("ConfigMap keys %v", keys(cm.Data))
	}
	sc := cm.Data["scenario.toml"]
	for _, want := range []string{`plugin = "/etc/cnisim/file-1-antrea.toml"`, `profile = "/etc/cnisim/file-2-prof.toml"`,
		`"calibration.profile" = ["paper", "/etc/cnisim/file-2-prof.toml"]`} {
		if !strings.Contains(sc, want) {
			t.Errorf("the pods' scenario lacks %s:\n%s", want, sc)
		}
	}
	mount := t.TempDir()
	for k, v := range cm.Data {
		os.WriteFile(filepath.Join(mount, k), []byte(v), 0o644)
	}
	local := filepath.Join(mount, "scenario.toml")
	os.WriteFile(local, []byte(strings.ReplaceAll(sc, "/etc/cnisim/", mount+"/")), 0o644)
	if _, err := loadPlan(local, nil, false); err != nil {
		t.Errorf("the pods' scenario does not load: %v", err)
	}
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// Counts are bounded where they are read: no int32 wrap-around in the
// manifests (completions: 1 for 4294967297 shards), each flag named with
// its bound; huge sweeps need --yes as for run.
func TestSubmitBounds(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.toml")
	var mtus, gbps []string
	for i := range 101 { // 101 x 101 = 10201 points
		mtus = append(mtus, strconv.Itoa(1500+i))
		gbps = append(gbps, strconv.Itoa(1+i))
	}
	os.WriteFile(big, []byte("name = \"big\"\n[sweep]\n\"cluster.mtu\" = ["+strings.Join(mtus, ", ")+
		"]\n\"cluster.link_gbps\" = ["+strings.Join(gbps, ", ")+"]\n"), 0o644)
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"k8s", smallScenario, "--image", "x", "--shards", "4294967297"}, "--shards 4294967297: must be between 1 and 100000"},
		{[]string{"k8s", smallScenario, "--image", "x", "--shards", "2", "--parallelism", "4294967295"}, "--parallelism 4294967295: must be between 1 and 100000"},
		{[]string{"k8s", smallScenario, "--image", "x", "--shards", "2", "--parallelism", "-1"}, "--parallelism -1"},
		{[]string{"k8s", smallScenario, "--image", "x", "--shards", "2", "--backoff-limit", "2147483648"}, "--backoff-limit 2147483648: must be between 0 and 2147483647"},
		{[]string{"k8s", smallScenario, "--image", "x", "--shards", "2", "--cpu", "1e9"}, "--cpu \"1e9\""},
		{[]string{"k8s", smallScenario, "--image", "x", "--shards", "-3"}, "--shards -3"},
		{[]string{"slurm", smallScenario, "--shards", "4294967297"}, "--shards 4294967297: must be between 1 and 100000"},
		{[]string{"slurm", smallScenario, "--shards", "2", "--cpus-per-task", "100000"}, "--cpus-per-task 100000: must be between 1 and 4096"},
		{[]string{"slurm", big, "--shards", "2"}, "10201 points, more than 10000; pass --yes"},
		{[]string{"k8s", big, "--shards", "2", "--image", "x"}, "10201 points, more than 10000; pass --yes"},
	} {
		code, out, stderr := cli(append([]string{"submit"}, c.args...)...)
		if first, _, _ := strings.Cut(stderr, "\n"); code != 2 || out != "" || !strings.Contains(first, c.msg) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, stderr, c.msg)
		}
	}
}
