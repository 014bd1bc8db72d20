package shard

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// ReadFile reads regular files and refuses, without blocking or reading,
// a directory, a FIFO with no writer, a device and a file over the cap.
func TestReadFileRefuses(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "partial-0-of-1.json")
	os.WriteFile(good, []byte("{}"), 0o644)
	if b, err := ReadFile(good); err != nil || string(b) != "{}" {
		t.Fatalf("regular file: %q, %v", b, err)
	}
	fifo := filepath.Join(dir, "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.json")
	f, _ := os.Create(big)
	f.Truncate(MaxFileBytes + 1) // sparse: nothing is written
	f.Close()
	for path, msg := range map[string]string{
		dir:                             "is a directory",
		fifo:                            "not a regular file",
		"/dev/zero":                     "not a regular file",
		big:                             "larger than 1024 MiB",
		filepath.Join(dir, "none.json"): "no such file",
	} {
		start := time.Now()
		_, err := ReadFile(path)
		if err == nil || !strings.Contains(err.Error(), msg) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: %v, want %q", path, err, msg)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s: refused after %v", path, d)
		}
	}
}

// A unit with a missing or an extra metric (the file's checksums
// recomputed, so only the metric check can see it) is refused, naming the
// file that holds it and the metric.
func TestUnitsRefuseMetricMismatch(t *testing.T) {
	t.Parallel()
	p := loadSmall(t)
	for _, c := range []struct {
		name string
		edit func(u *Unit) string // returns what the message must say
	}{
		{"missing", func(u *Unit) string {
			n := slices.Sorted(maps.Keys(u.Scalars))[0]
			delete(u.Scalars, n)
			return "missing scalar " + n
		}},
		{"extra", func(u *Unit) string {
			u.Scalars["bogus_metric"] = 1
			return "extra scalar bogus_metric"
		}},
		{"kind", func(u *Unit) string {
			n := slices.Sorted(maps.Keys(u.Scalars))[0]
			if u.Dists == nil {
				u.Dists = map[string][]float64{}
			}
			u.Dists[n] = []float64{u.Scalars[n]}
			delete(u.Scalars, n)
			return "missing scalar " + n + "; extra distribution " + n
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := shards(t, p, 3, "v1")
			part, err := Unmarshal(in[1].Data)
			if err != nil {
				t.Fatal(err)
			}
			u := &part.Units[len(part.Units)-1] // not a point's first replication
			if u.Rep == 0 {
				t.Fatalf("unit %+v is a first replication", u)
			}
			want := c.edit(u)
			if in[1].Data, err = Marshal(part); err != nil {
				t.Fatal(err)
			}
			set, err := Combine(in)
			if err != nil {
				t.Fatal(err)
			}
			_, err = set.Units(p)
			var r *Refusal
			if !errors.As(err, &r) || !errors.Is(err, ErrCorrupt) || !slices.Equal(r.Files, []string{in[1].Name}) {
				t.Fatalf("got %v, want a refusal of %s", err, in[1].Name)
			}
			if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), in[1].Name+": point ") {
				t.Errorf("message %q lacks %q", err, want)
			}
		})
	}
}
