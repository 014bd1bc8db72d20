package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cnisim/cnisim/experiments/experimentstest"
)

// runShards runs every shard of smallScenario (4 points x reps) into dir.
func runShards(t *testing.T, dir string, n int, extra ...string) {
	t.Helper()
	for i := range n {
		args := append([]string{"run", smallScenario, "--shard", fmt.Sprintf("%d/%d", i, n), "--out", dir}, extra...)
		if code, _, stderr := cli(args...); code != 0 {
			t.Fatalf("shard %d/%d: exit %d: %s", i, n, code, stderr)
		}
	}
}

func readOut(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range []string{"results.json", "results.csv", "scenario.toml"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		out[f] = string(b)
	}
	return out
}

// The merge of N shards writes the single run's files, byte for byte, for
// N from one to more shards than units (4 points x 3 replications = 12).
func TestMergeEqualsSingleRun(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs a sweep whole and in shards (~2 s)")
	}
	withModel(t, experimentstest.Fake)
	tmp := t.TempDir()
	single := filepath.Join(tmp, "single")
	if code, _, stderr := cli("run", smallScenario, "--out", single, "--reps", "3"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := readOut(t, single)
	for _, n := range []int{1, 2, 4, 5, 12, 13} {
		shards := filepath.Join(tmp, fmt.Sprint("shards", n))
		runShards(t, shards, n, "--reps", "3")
		merged := filepath.Join(tmp, fmt.Sprint("merged", n))
		if code, stdout, stderr := cli("merge", shards, "--out", merged); code != 0 || stdout != "" {
			t.Fatalf("%d shards: exit %d, stdout %q: %s", n, code, stdout, stderr)
		}
		got := readOut(t, merged)
		for f := range want {
			if got[f] != want[f] {
				t.Errorf("%d shards: merged %s differs from the single run:\n%s\n---\n%s", n, f, got[f], want[f])
			}
		}
	}
}

// Any order of the partial files, any split over directories: same bytes.
func TestMergeAnyPermutation(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: merges every order of the shards (~2 s)")
	}
	withModel(t, experimentstest.Fake)
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "shards")
	runShards(t, dir, 4)
	files := make([]string, 4)
	for i := range files {
		files[i] = filepath.Join(dir, fmt.Sprintf("partial-%d-of-4.json", i))
	}
	var first string
	for k, perm := range permutations(4) {
		args := []string{"merge", "--format", "json", "--out", filepath.Join(tmp, fmt.Sprint("m", k))}
		for _, i := range perm {
			args = append(args, files[i])
		}
		code, stdout, stderr := cli(args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", perm, code, stderr)
		}
		if k == 0 {
			first = stdout
		} else if stdout != first {
			t.Fatalf("order %v gives different results", perm)
		}
	}
	// Split over two directories.
	other := filepath.Join(tmp, "other")
	os.MkdirAll(other, 0o755)
	for _, i := range []int{1, 3} {
		if err := os.Rename(files[i], filepath.Join(other, filepath.Base(files[i]))); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr := cli("merge", other, dir, "--format", "json", "--out", filepath.Join(tmp, "split"))
	if code != 0 || stdout != first {
		t.Errorf("two directories: exit %d, same=%v: %s", code, stdout == first, stderr)
	}
}

func permutations(n int) [][]int {
	if n == 1 {
		return [][]int{{0}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for pos := 0; pos <= len(p); pos++ {
			q := append(append(append([]int{}, p[:pos]...), n-1), p[pos:]...)
			out = append(out, q)
		}
	}
	return out
}

// Each refusal exits 2, names the shard files concerned and writes nothing.
func TestMergeRefusals(t *testing.T) {
	withModel(t, experimentstest.Fake)
	tmp := t.TempDir()
	good := filepath.Join(tmp, "good")
	runShards(t, good, 4)
	part := func(dir string, i, n int) string {
		return filepath.Join(dir, fmt.Sprintf("partial-%d-of-%d.json", i, n))
	}
	// mk makes a directory holding copies of good's shards (the listed
	// ones) and returns it.
	mk := func(name string, shards ...int) string {
		d := filepath.Join(tmp, name)
		os.MkdirAll(d, 0o755)
		for _, i := range shards {
			b, _ := os.ReadFile(part(good, i, 4))
			os.WriteFile(part(d, i, 4), b, 0o644)
		}
		return d
	}
	missing := mk("missing", 0, 2)
	dup := mk("dup", 1)
	trunc := mk("trunc", 0, 1, 2, 3)
	b, _ := os.ReadFile(part(trunc, 2, 4))
	os.WriteFile(part(trunc, 2, 4), b[:len(b)-40], 0o644)
	flipped := mk("flipped", 0, 1, 2, 3)
	b, _ = os.ReadFile(part(flipped, 3, 4))
	os.WriteFile(part(flipped, 3, 4), bytes.Replace(b, []byte(`"seed":`), []byte(`"seed":1`), 1), 0o644)
	otherSeed := mk("seed", 0, 1, 2)
	if code, _, stderr := cli("run", smallScenario, "--shard", "3/4", "--seed", "8", "--out", otherSeed); code != 0 {
		t.Fatal(stderr)
	}
	otherVersion := mk("version", 0, 1, 2)
	old := version
	version = "9.9.9"
	code, _, stderr := cli("run", smallScenario, "--shard", "3/4", "--out", otherVersion)
	version = old
	if code != 0 {
		t.Fatal(stderr)
	}
	otherCount := mk("count", 0, 1, 2, 3)
	runShards(t, otherCount, 3)
	empty := mk("empty")
	fifoDir := mk("fifo", 0, 1, 2)
	if err := syscall.Mkfifo(part(fifoDir, 3, 4), 0o644); err != nil {
		t.Fatal(err)
	}
	subdir := mk("subdir", 0, 1, 2)
	os.Mkdir(part(subdir, 3, 4), 0o755)

	for _, c := range []struct {
		name string
		dirs []string
		want []string
	}{
		{"missing", []string{missing}, []string{"missing shards 1/4, 3/4", "partial-1-of-4.json", "partial-3-of-4.json"}},
		{"duplicate", []string{good, dup}, []string{"shard 1/4 present twice", part(good, 1, 4), part(dup, 1, 4)}},
		{"truncated", []string{trunc}, []string{"corrupt or truncated", part(trunc, 2, 4)}},
		{"edited", []string{flipped}, []string{"corrupt or truncated", part(flipped, 3, 4), "checksum"}},
		{"other scenario", []string{otherSeed}, []string{"different scenarios", part(otherSeed, 3, 4), part(otherSeed, 0, 4)}},
		{"other version", []string{otherVersion}, []string{"different cnisim versions", "9.9.9 in " + part(otherVersion, 3, 4)}},
		{"other count", []string{otherCount}, []string{"different shard counts", part(otherCount, 2, 3)}},
		{"empty dir", []string{empty}, []string{empty + ": no partial results"}},
		{"no such dir", []string{filepath.Join(tmp, "nope")}, []string{"nope: no such file or directory"}},
		{"device", []string{"/dev/zero"}, []string{"/dev/zero: not a regular file"}},
		{"fifo", []string{part(fifoDir, 3, 4)}, []string{part(fifoDir, 3, 4) + ": not a regular file"}},
		{"fifo in dir", []string{fifoDir}, []string{part(fifoDir, 3, 4) + ": not a regular file"}},
		{"dir as partial", []string{subdir}, []string{part(subdir, 3, 4) + ": is a directory"}},
	} {
		out := filepath.Join(tmp, "out-"+strings.ReplaceAll(c.name, " ", "-"))
		code, stdout, stderr := cli(append([]string{"merge", "--out", out}, c.dirs...)...)
		if code != 2 {
			t.Errorf("%s: exit %d, want 2 (stderr %q)", c.name, code, stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%s: stderr %q lacks %q", c.name, stderr, w)
			}
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) || stdout != "" {
			t.Errorf("%s: wrote something (stat %v, stdout %q)", c.name, err, stdout)
		}
	}
}

// merge --wait picks up a shard that arrives while it waits, and gives up
// with the missing-shard refusal when none does.
func TestMergeWait(t *testing.T) {
	withModel(t, experimentstest.Fake)
	old := mergePoll
	mergePoll = 10 * time.Millisecond
	t.Cleanup(func() { mergePoll = old })
	tmp := t.TempDir()
	dir, late := filepath.Join(tmp, "shards"), filepath.Join(tmp, "late")
	runShards(t, dir, 2)
	os.MkdirAll(late, 0o755)
	os.Rename(filepath.Join(dir, "partial-1-of-2.json"), filepath.Join(late, "partial-1-of-2.json"))

	code, _, stderr := cli("merge", dir, "--out", filepath.Join(tmp, "gaveup"), "--wait", "50ms")
	if code != 2 || !strings.Contains(stderr, "waiting") || !strings.Contains(stderr, "missing shards 1/2") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		os.Rename(filepath.Join(late, "partial-1-of-2.json"), filepath.Join(dir, "partial-1-of-2.json"))
	}()
	code, _, stderr = cli("merge", dir, "--out", filepath.Join(tmp, "merged"), "--wait", "10s")
	if code != 0 {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

// The shard comes from --shard, Slurm's or Kubernetes' environment.
func TestRunShardSources(t *testing.T) {
	withModel(t, experimentstest.Fake)
	setEnv := func(kv map[string]string) {
		getenv = func(k string) string { return kv[k] }
	}
	t.Cleanup(func() { getenv = os.Getenv })
	tmp := t.TempDir()
	for _, c := range []struct {
		name string
		env  map[string]string
		args []string
		code int
		file string
		msg  string
	}{
		{"flag", nil, []string{"--shard", "1/4"}, 0, "partial-1-of-4.json", ""},
		{"slurm", map[string]string{"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0"}, nil, 0, "partial-2-of-4.json", "from SLURM_ARRAY_TASK_ID=2"},
		{"slurm 1-based", map[string]string{"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1"}, nil, 0, "partial-3-of-4.json", ""},
		{"k8s", map[string]string{"JOB_COMPLETION_INDEX": "0"}, []string{"--shards", "3"}, 0, "partial-0-of-3.json", "from JOB_COMPLETION_INDEX=0"},
		{"flag wins over env", map[string]string{"JOB_COMPLETION_INDEX": "0"}, []string{"--shard", "2/3"}, 0, "partial-2-of-3.json", ""},
		{"k8s without --shards", map[string]string{"JOB_COMPLETION_INDEX": "0"}, nil, 2, "", "needs the shard count"},
		{"--shards without index", nil, []string{"--shards", "3"}, 2, "", "needs an index"},
		{"index out of range", nil, []string{"--shard", "4/4"}, 2, "", "0..3"},
		{"flags disagree", nil, []string{"--shard", "1/4", "--shards", "3"}, 2, "", "disagree"},
		{"no --out", nil, []string{"--shard", "1/4", "--no-out"}, 2, "", "--out DIR is needed"},
	} {
		setEnv(c.env)
		out := filepath.Join(tmp, strings.ReplaceAll(c.name, " ", "-"))
		args := append([]string{"run", smallScenario}, c.args...)
		if len(c.args) > 0 && c.args[len(c.args)-1] == "--no-out" {
			args = args[:len(args)-1]
		} else {
			args = append(args, "--out", out)
		}
		code, _, stderr := cli(args...)
		if code != c.code || !strings.Contains(stderr, c.msg) {
			t.Errorf("%s: exit %d (want %d), stderr %q (want %q)", c.name, code, c.code, stderr, c.msg)
		}
		entries, _ := os.ReadDir(out)
		if c.file == "" && len(entries) > 0 || c.file != "" && (len(entries) != 1 || entries[0].Name() != c.file) {
			t.Errorf("%s: wrote %v, want %q", c.name, entries, c.file)
		}
	}
}
