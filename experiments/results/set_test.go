package results

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

func set(tag string, names ...string) []File {
	var fs []File
	for _, n := range names {
		fs = append(fs, File{Name: n, Data: []byte(tag + " " + n)})
	}
	return fs
}

// readSet returns the set's files (marker left out) and the tags in them.
func readSet(t *testing.T, dir string) (names, tags []string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if d.IsDir() || d.Name() == Marker {
			return nil
		}
		b, _ := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		names = append(names, filepath.ToSlash(rel))
		tag, _, _ := strings.Cut(string(b), " ")
		if !slices.Contains(tags, tag) {
			tags = append(tags, tag)
		}
		return nil
	})
	return names, tags
}

// A set replaces the previous one as a whole (a file only the old set had
// is gone), subdirectories included, with nothing left beside it.
func TestWriteSetReplaces(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "a", "out")
	if err := WriteSet(dir, set("one", "results.json", "old.png", "scenarios/x.toml")); err != nil {
		t.Fatal(err)
	}
	if err := WriteSet(dir, set("two", "results.json", "scenarios/y.toml")); err != nil {
		t.Fatal(err)
	}
	names, tags := readSet(t, dir)
	if !slices.Equal(names, []string{"results.json", "scenarios/y.toml"}) || !slices.Equal(tags, []string{"two"}) {
		t.Errorf("files %v, tags %v", names, tags)
	}
	if ents, _ := os.ReadDir(filepath.Dir(dir)); len(ents) != 1 {
		t.Errorf("beside the set: %v", ents)
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o755 {
		t.Errorf("mode %v", st.Mode())
	}
}

// A directory of other files is refused and left untouched; one that
// holds only files the new set writes (a set of an earlier version,
// without the marker) is replaced.
func TestWriteSetRefusesOtherFiles(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "out")
	os.Mkdir(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "thesis.tex"), []byte("mine"), 0o644)
	err := WriteSet(dir, set("one", "results.json"))
	if err == nil || !strings.Contains(err.Error(), "thesis.tex") {
		t.Fatalf("got %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "thesis.tex")); string(b) != "mine" {
		t.Error("the user's file was touched")
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 1 {
		t.Errorf("left beside: %v", ents)
	}
	old := filepath.Join(tmp, "old")
	os.Mkdir(old, 0o755)
	os.WriteFile(filepath.Join(old, "results.json"), []byte("v0"), 0o644)
	os.WriteFile(filepath.Join(old, ".results.json.tmp123"), []byte("killed"), 0o644)
	if err := WriteSet(old, set("one", "results.json", "results.csv")); err != nil {
		t.Fatal(err)
	}
	if names, tags := readSet(t, old); len(names) != 2 || !slices.Equal(tags, []string{"one"}) {
		t.Errorf("files %v tags %v", names, tags)
	}
}

// Writers racing on one directory each leave a whole set: at the end the
// directory holds exactly one writer's files.
func TestWriteSetConcurrent(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "out")
	for round := range 10 {
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[w] = WriteSet(dir, set(fmt.Sprintf("r%dw%d", round, w), "results.json", "results.csv", "scenario.toml"))
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		names, tags := readSet(t, dir)
		if len(names) != 3 || len(tags) != 1 {
			t.Fatalf("round %d: mixed set: files %v, tags %v", round, names, tags)
		}
	}
	if ents, _ := os.ReadDir(filepath.Dir(dir)); len(ents) != 1 {
		t.Errorf("beside the set: %v", ents)
	}
}

// What killed writers left beside DIR is removed by the next writer (a
// previous set stranded between two renames is put back first); a live
// writer's staging directory is left alone.
func TestStageCleansStale(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("no true(1)")
	}
	dead := cmd.Process.Pid
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "out")
	staleTmp := filepath.Join(tmp, fmt.Sprintf(".out.tmp-%d-1", dead))
	staleOld := filepath.Join(tmp, fmt.Sprintf(".out.old-%d-2", dead))
	live := filepath.Join(tmp, fmt.Sprintf(".out.tmp-%d-3", os.Getpid()))
	other := filepath.Join(tmp, fmt.Sprintf(".other.tmp-%d-4", dead))
	for _, d := range []string{staleTmp, filepath.Join(staleOld, "set"), live, other} {
		os.MkdirAll(d, 0o755)
	}
	os.WriteFile(filepath.Join(staleOld, "set", "results.json"), []byte("previous"), 0o644)
	s, err := Stage(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(s)
	if b, _ := os.ReadFile(filepath.Join(dir, "results.json")); string(b) != "previous" {
		t.Error("the stranded previous set was not put back")
	}
	for p, want := range map[string]bool{staleTmp: false, staleOld: false, live: true, other: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s: exists = %v, want %v", filepath.Base(p), err == nil, want)
		}
	}
}

// WriteFiles (one file among other writers' files, as a shard's partial
// result) removes the temporary files a killed writer of the same name
// left, and only those.
func TestWriteFilesCleansStale(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("no true(1)")
	}
	dir := t.TempDir()
	stale := filepath.Join(dir, fmt.Sprintf(".p.json.tmp-%d-1", cmd.Process.Pid))
	live := filepath.Join(dir, fmt.Sprintf(".p.json.tmp-%d-2", os.Getpid()))
	other := filepath.Join(dir, fmt.Sprintf(".q.json.tmp-%d-3", cmd.Process.Pid))
	for _, p := range []string{stale, live, other} {
		os.WriteFile(p, nil, 0o644)
	}
	if err := WriteFiles(dir, []File{{Name: "p.json", Data: []byte("x")}}); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{stale: false, live: true, other: true, filepath.Join(dir, "p.json"): true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s: exists = %v, want %v", filepath.Base(p), err == nil, want)
		}
	}
}
