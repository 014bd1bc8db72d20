// Package golden compares test output with files committed under a
// package's testdata/, behind the one -update flag that every golden test
// of the module shares:
//
//	go test ./models/cni -run '^TestTable1Golden$' -update
//
// rewrites the files that test compares with, from the current output,
// instead of comparing. Only tests import it.
package golden

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ from the current output instead of comparing with them")

// Update reports whether the test binary runs with -update: golden files
// are to be rewritten, not compared with.
func Update() bool { return *update }

// Check compares got with the golden file at path (relative to the test's
// package directory). Under -update it writes got there (creating the
// directory) and passes. A difference is a test error naming the file, the
// first line that differs and the command that rewrites the file.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if Update() {
		Write(t, path, got)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("golden file: %v (create it: %s)", err, Command(t))
		return
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from the current output: %s\nIf the change is intended, rewrite it: %s", path, FirstDiff(string(want), string(got)), Command(t))
	}
}

// Write writes a golden file, creating its directory.
func Write(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// FirstDiff describes the first line where want and got differ, and how
// many lines differ in all ("" if they are equal).
func FirstDiff(want, got string) string {
	if want == got {
		return ""
	}
	w := strings.Split(strings.TrimSuffix(want, "\n"), "\n")
	g := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	first, n := -1, 0
	for i := range max(len(w), len(g)) {
		a, b := line(w, i), line(g, i)
		if a != b {
			n++
			if first < 0 {
				first = i
			}
		}
	}
	if first < 0 {
		return "only the final newline differs"
	}
	a, b := line(w, first), line(g, first)
	if first >= len(w) {
		a = "(end of file)"
	}
	if first >= len(g) {
		b = "(end of output)"
	}
	return fmt.Sprintf("line %d (of %d differing lines)\n  golden: %s\n  now:    %s", first+1, n, a, b)
}

func line(lines []string, i int) string {
	if i >= 0 && i < len(lines) {
		return lines[i]
	}
	return ""
}

// Command is the command line that rewrites the golden files of the
// running (top-level) test: go test ./PKG -run '^TestName$' -update.
func Command(t testing.TB) string {
	name, _, _ := strings.Cut(t.Name(), "/")
	return fmt.Sprintf("go test %s -run '^%s$' -update", packageDir(), name)
}

// packageDir is the test's package directory relative to the module root
// ("./models/cni"), or "." where no go.mod is found above it.
func packageDir() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			rel, err := filepath.Rel(dir, wd)
			if err != nil || rel == "." {
				return "."
			}
			return "./" + filepath.ToSlash(rel)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "."
		}
		dir = parent
	}
}
