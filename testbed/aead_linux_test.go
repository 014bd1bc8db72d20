//go:build linux

package testbed

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Every cipher seals and opens (a sealed message that does not open would
// panic), and a short real run costs more per call at the larger size.
func TestMeasureAEADShort(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: times the ciphers (~0.3 s)")
	}
	o := DefaultAEADOptions()
	o.Sizes, o.Reps, o.Window, o.LockWait = []int{64, 4096}, 3, time.Millisecond, time.Second
	r, err := MeasureAEAD(context.Background(), o)
	if errors.Is(err, unix.EWOULDBLOCK) {
		t.Skipf("a testbed run holds the lock: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Cases) != len(AEADAlgs)*len(AEADOps)*2 || r.CPUGHz <= 0 || r.Kernel == "" {
		t.Fatalf("run %+v", r)
	}
	fits, err := r.Fits()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fits {
		if !(f.CyclesPerByte > 0) || f.Medians[1] <= f.Medians[0] {
			t.Errorf("%s %s: %v cycles per byte, medians %v: want dearer at 4096 bytes", f.Alg, f.Op, f.CyclesPerByte, f.Medians)
		}
	}
}
