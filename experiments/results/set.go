package results

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// An output set (run --out DIR: results.json, results.csv, scenario.toml;
// an experiment's directory) is written whole: into a new directory
// beside DIR, then renamed to DIR. Readers see the previous set, briefly
// no DIR while a previous set is swapped out, or the new set; never a mix,
// even when two runs write the same DIR at once (the last rename wins).
// A killed writer leaves only a hidden ".DIR.tmp-PID-*" or
// ".DIR.old-PID-*" beside DIR, removed by the next writer of DIR once
// that process is gone (an old set a kill stranded is put back first).
//
// DIR is replaced only when it holds a previous output set: the marker
// file Marker, or nothing but names the new set also writes (sets of
// earlier versions); a directory of other files is refused, never
// deleted.

// Marker is the file every output set holds, naming its files.
const Marker = ".cnisim-output"

// WriteSet writes files (names may contain "/": subdirectories) as the
// output set dir.
func WriteSet(dir string, files []File) error {
	tmp, err := Stage(dir)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for _, f := range files {
		p := filepath.Join(tmp, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			os.RemoveAll(tmp)
			return err
		}
		if err := writeFile(p, f.Data); err != nil {
			os.RemoveAll(tmp)
			return fmt.Errorf("write %s: %w", filepath.Join(dir, f.Name), err)
		}
		names = append(names, f.Name)
	}
	marker := "# An output set written whole by cnisim (the directory was renamed into place with every file):\n" +
		strings.Join(names, "\n") + "\n"
	if err := writeFile(filepath.Join(tmp, Marker), []byte(marker)); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil { // MkdirTemp makes it 0700
		os.RemoveAll(tmp)
		return err
	}
	return Replace(tmp, dir)
}

// Stage makes a new, empty directory beside dir to build its set in, and
// first removes what killed writers of dir left there.
func Stage(dir string) (string, error) {
	dir = filepath.Clean(dir)
	parent, base := filepath.Split(dir)
	if parent == "" {
		parent = "."
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", err
	}
	cleanStale(parent, base, dir)
	return os.MkdirTemp(parent, tempPrefix(base, "tmp"))
}

// tempPrefix names the hidden directories beside base of this process.
func tempPrefix(base, kind string) string {
	return fmt.Sprintf(".%s.%s-%d-", base, kind, os.Getpid())
}

// cleanStale removes the temporary directories of dead writers of dir,
// after putting back a previous set a kill stranded between its renames.
func cleanStale(parent, base, dir string) {
	ents, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range ents {
		for _, kind := range []string{"tmp", "old"} {
			rest, ok := strings.CutPrefix(e.Name(), "."+base+"."+kind+"-")
			if !ok {
				continue
			}
			pidText, _, _ := strings.Cut(rest, "-")
			pid, err := strconv.Atoi(pidText)
			if err != nil || pid <= 0 || alive(pid) {
				continue
			}
			p := filepath.Join(parent, e.Name())
			if kind == "old" { // the previous set is p/set
				if _, err := os.Lstat(dir); errors.Is(err, os.ErrNotExist) {
					os.Rename(filepath.Join(p, "set"), dir)
				}
			}
			os.RemoveAll(p)
		}
	}
}

// alive reports whether process pid exists (signal 0 checks, sends none).
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// Replace renames the finished set src to dir as a whole, replacing a
// previous output set at dir (see the package comment); src is gone
// afterwards, whatever the outcome.
func Replace(src, dir string) error {
	dir = filepath.Clean(dir)
	newNames, err := entryNames(src)
	if err != nil {
		os.RemoveAll(src)
		return err
	}
	parent, base := filepath.Split(dir)
	if parent == "" {
		parent = "."
	}
	// Another writer may slip its set in between our renames: try again,
	// a few times, each attempt a whole set.
	for attempt := 0; attempt < 10; attempt++ {
		if err := os.Rename(src, dir); err == nil {
			syncDir(parent)
			return nil
		}
		if err := replaceable(dir, newNames); err != nil {
			os.RemoveAll(src)
			return err
		}
		old, err := os.MkdirTemp(parent, tempPrefix(base, "old"))
		if err != nil {
			os.RemoveAll(src)
			return err
		}
		if err := os.Rename(dir, filepath.Join(old, "set")); err != nil && !errors.Is(err, os.ErrNotExist) {
			os.RemoveAll(old)
			os.RemoveAll(src)
			return fmt.Errorf("replace %s: %w", dir, err)
		}
		err = os.Rename(src, dir)
		os.RemoveAll(old)
		if err == nil {
			syncDir(parent)
			return nil
		}
	}
	os.RemoveAll(src)
	return fmt.Errorf("replace %s: other writers kept replacing it", dir)
}

// replaceable refuses a dir that is not a previous output set.
func replaceable(dir string, newNames []string) error {
	st, err := os.Lstat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%s: exists and is not a directory", dir)
	}
	names, err := entryNames(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil // another writer moved it away since the Lstat: the retry renames
	}
	if err != nil {
		return err
	}
	if slices.Contains(names, Marker) {
		return nil
	}
	var other []string
	for _, n := range names {
		if !matchAny(newNames, n) && !isOldTemp(n) {
			other = append(other, n)
		}
	}
	if len(other) > 0 {
		if len(other) > 3 {
			other = append(other[:3], "...")
		}
		return fmt.Errorf("%s: holds files that are not cnisim output (%s): not replaced; choose a new or empty directory",
			dir, strings.Join(other, ", "))
	}
	return nil
}

// matchAny reports whether name matches one of the patterns (file
// names, or globs such as "*.png").
func matchAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if ok, _ := filepath.Match(p, name); ok || p == name {
			return true
		}
	}
	return false
}

// ExperimentFiles are the names an experiment's directory holds
// (catalog.Data.Files), as patterns for CheckOut before it has run.
var ExperimentFiles = []string{"*.json", "*.csv", "*.toml", "*.png", "*.svg", "scenarios"}

// isOldTemp matches the ".NAME.tmp*" files earlier versions left in DIR.
func isOldTemp(n string) bool { return strings.HasPrefix(n, ".") && strings.Contains(n, ".tmp") }

func entryNames(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(ents))
	for i, e := range ents {
		names[i] = e.Name()
	}
	return names, nil
}

// CheckOut removes what killed writers of dir left beside it, and refuses,
// before a run, an --out dir that the run could not write its set to: one under or at a regular file, one whose directory
// is not writable (tried by making and removing a staging directory), or
// a directory of files that are not cnisim output (names: the set's files
// or patterns of them; nil for a directory shared with other writers,
// which is never replaced).
func CheckOut(dir string, names []string) error {
	dir = filepath.Clean(dir)
	// The nearest existing ancestor must be a directory we can write in.
	anc := filepath.Dir(dir)
	for {
		st, err := os.Stat(anc)
		if err == nil {
			if !st.IsDir() {
				return fmt.Errorf("%s: %s is not a directory", dir, anc)
			}
			break
		}
		if !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%s: %w", dir, err)
		}
		up := filepath.Dir(anc)
		if up == anc {
			break
		}
		anc = up
	}
	if names != nil {
		if err := replaceable(dir, append([]string{Marker}, names...)); err != nil {
			return err
		}
	} else if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return fmt.Errorf("%s: exists and is not a directory", dir)
	}
	if anc == filepath.Dir(dir) { // what killed writers of dir left: gone at start
		cleanStale(anc, filepath.Base(dir), dir)
	}
	t, err := os.MkdirTemp(anc, tempPrefix(filepath.Base(dir), "tmp"))
	if err != nil {
		return fmt.Errorf("%s: cannot write in %s: %w", dir, anc, errors.Unwrap(err))
	}
	os.Remove(t)
	return nil
}
