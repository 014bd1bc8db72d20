package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFirstDiff(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		want, got, diff string
	}{
		{"a\nb\n", "a\nb\n", ""},
		{"a\nb\nc\n", "a\nx\ny\n", "line 2 (of 2 differing lines)\n  golden: b\n  now:    x"},
		{"a\n", "a\nb\n", "line 2 (of 1 differing lines)\n  golden: (end of file)\n  now:    b"},
		{"a", "a\n", "only the final newline differs"},
		{"a\nb\n", "a\n", "line 2 (of 1 differing lines)\n  golden: b\n  now:    (end of output)"},
	} {
		if d := FirstDiff(tc.want, tc.got); d != tc.diff {
			t.Errorf("FirstDiff(%q, %q) = %q, want %q", tc.want, tc.got, d, tc.diff)
		}
	}
}

func TestCommand(t *testing.T) {
	t.Parallel()
	t.Run("sub", func(t *testing.T) {
		if c, want := Command(t), "go test ./internal/golden -run '^TestCommand$' -update"; c != want {
			t.Errorf("Command = %q, want %q", c, want)
		}
	})
}

// fakeT records errors instead of failing the test.
type fakeT struct {
	testing.TB
	errs []string
}

func (f *fakeT) Helper()                   {}
func (f *fakeT) Name() string              { return "TestX" }
func (f *fakeT) Errorf(s string, a ...any) { f.errs = append(f.errs, s) }

func TestCheck(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sub", "x.golden")
	f := &fakeT{TB: t}
	Check(f, path, []byte("a\n"))
	if len(f.errs) != 1 || !strings.Contains(f.errs[0], "create it") {
		t.Errorf("missing golden file: %q", f.errs)
	}
	Write(t, path, []byte("a\n"))
	f.errs = nil
	Check(f, path, []byte("a\n"))
	if len(f.errs) != 0 {
		t.Errorf("equal output: %q", f.errs)
	}
	Check(f, path, []byte("b\n"))
	if len(f.errs) != 1 || !strings.Contains(f.errs[0], "rewrite it") {
		t.Errorf("different output: %q", f.errs)
	}
	if b, _ := os.ReadFile(path); string(b) != "a\n" {
		t.Errorf("Check without -update wrote the file: %q", b)
	}
}
