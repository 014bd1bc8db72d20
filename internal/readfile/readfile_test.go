package readfile_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/cnisim/cnisim/internal/readfile"
)

func TestRead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	small := filepath.Join(dir, "small.toml")
	if err := os.WriteFile(small, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A FIFO with no writer: opening it for reading used to block forever.
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, path string
		limit      int64
		want       string // contents, or "" for an error
		errHas     string
	}{
		{"under the cap", small, 11, "0123456789", ""},
		{"exactly the cap", small, 10, "0123456789", ""},
		{"over the cap", small, 9, "", small + ": larger than 9 bytes: not a model file"},
		{"over a MiB cap", "/dev/zero", 1 << 20, "", "/dev/zero: larger than 1 MiB: not a model file"},
		{"missing", filepath.Join(dir, "none.toml"), 10, "", "no such file"},
		{"directory", dir, 10, "", dir + ": is a directory, not a model file"},
		{"fifo", fifo, 10, "", fifo + ": not a regular file (p"},
	} {
		t.Run(c.name, func(t *testing.T) {
			data, err := readfile.Read(c.path, c.limit, "a model file")
			if c.errHas == "" {
				if err != nil || string(data) != c.want {
					t.Fatalf("Read = %q, %v; want %q", data, err, c.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.errHas) {
				t.Fatalf("Read error %v, want one containing %q", err, c.errHas)
			}
		})
	}
	if _, err := readfile.Read(filepath.Join(dir, "none"), 10, "x"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v does not wrap fs.ErrNotExist", err)
	}
}
