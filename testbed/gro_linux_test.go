//go:build linux

package testbed

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A one-second measurement on this kernel: frames cross, the groups'
// cycles per frame are in a sane range (gro-frame.sh read 455-591 for
// plain frames here; a busy or odd machine may read several times that),
// a tunnel adds a share or fails clearly, and no namespace is left.
func TestMeasureGROShort(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds namespaces and streams for ~6 s")
	}
	needRoot(t)
	o := DefaultGROOptions()
	o.Dur, o.Reps, o.LockWait, o.Command = time.Second, 1, 2*time.Minute, "TestMeasureGROShort"
	r, err := MeasureGRO(context.Background(), o)
	if errors.Is(err, unix.EWOULDBLOCK) {
		t.Skipf("a testbed run holds the lock: %v", err)
	}
	var miss *MissingError
	if errors.As(err, &miss) {
		t.Skipf("this kernel cannot build it: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	assertClean(t)
	if len(r.Windows) != 2 || r.CPUGHz <= 0 || r.Kernel == "" || r.LoadavgEnd == "" {
		t.Fatalf("run %+v", r)
	}
	for _, w := range r.Windows {
		c, _ := w.CyclesPerFrame(r.CPUGHz)
		if w.Frames <= 0 || !(c >= 50 && c <= 5000) {
			t.Errorf("%s: %d frames, %.0f cycles per frame (groups %v of %d samples), want frames and 50..5000", w.Tunnel, w.Frames, c, w.Groups, w.Samples)
		}
	}
	// one short window per tunnel, beside the other packages' tests, may
	// put VXLAN's frames below the plain ones (CI saw 609 against 621):
	// the layer then refuses, saying why, as it must
	if _, err := GROLayer(r, "gro-test", 0); err != nil && !strings.Contains(err.Error(), "is negative") {
		t.Errorf("layer: %v", err)
	}
}

// A tunnel the kernel cannot make fails the run with a message saying
// so, and leaves nothing.
func TestMeasureGROMissingTunnel(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds namespaces and streams for ~2 s per tunnel")
	}
	needRoot(t)
	for _, tun := range []string{"gre", "ipip"} {
		o := DefaultGROOptions()
		o.Tunnels, o.Dur, o.Reps, o.LockWait = []string{"none", tun}, 500*time.Millisecond, 1, 2*time.Minute
		_, err := MeasureGRO(context.Background(), o)
		assertClean(t)
		var miss *MissingError
		if err == nil {
			t.Logf("%s: this kernel has it", tun)
		} else if !errors.As(err, &miss) {
			t.Errorf("%s: %v, want a MissingError", tun, err)
		} else {
			t.Logf("%s: %v", tun, err)
		}
	}
}
