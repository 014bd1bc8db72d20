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

// A one-second measurement of each benchmark on this kernel: frames
// cross, the cycles per frame (segment) are in a sane range
// (gro-frame.sh read 455-591 per plain frame here, gso-segment.sh
// 168-738 per segment and the GSO port 621-950; a busy or odd machine
// may read several times that), the run says its kind, a tunnel adds a
// share or fails clearly, and no namespace is left.
func TestMeasureFramesShort(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds namespaces and streams for ~6 s per benchmark")
	}
	needRoot(t)
	for _, b := range []*FrameBench{GROBench, GSOBench} {
		o := DefaultFrameOptions()
		o.Dur, o.Reps, o.LockWait, o.Command = time.Second, 1, 2*time.Minute, "TestMeasureFramesShort"
		r, err := MeasureFrames(context.Background(), b, o)
		if errors.Is(err, unix.EWOULDBLOCK) {
			t.Skipf("a testbed run holds the lock: %v", err)
		}
		var miss *MissingError
		if errors.As(err, &miss) {
			t.Skipf("this kernel cannot build it: %v", err)
		}
		if err != nil {
			t.Fatalf("%s: %v", b.Name, err)
		}
		assertClean(t)
		if len(r.Windows) != 2 || r.CPUGHz <= 0 || r.Kernel == "" || r.LoadavgEnd == "" || r.Bench() != b {
			t.Fatalf("%s: run %+v", b.Name, r)
		}
		if r.ReceiverCPU == r.CPU {
			t.Errorf("%s: sender on CPU %d, receiver on %d", b.Name, r.CPU, r.ReceiverCPU)
		}
		for _, w := range r.Windows {
			c, _ := w.CyclesPerFrame(b, r.CPUGHz)
			if w.Frames <= 0 || !(c >= 20 && c <= 5000) {
				t.Errorf("%s %s: %d %ss, %.0f cycles per %s (groups %v of %d samples), want some and 20..5000", b.Name, w.Tunnel, w.Frames, b.Unit, c, b.Unit, w.Groups, w.Samples)
			}
		}
		// one short window per tunnel, beside the other packages' tests,
		// may put VXLAN's frames below the plain ones (CI saw 609 against
		// 621): the layer then refuses, saying why, as it must
		if _, err := FrameLayer(r, b.Name+"-test", 0); err != nil && !strings.Contains(err.Error(), "is negative") {
			t.Errorf("%s layer: %v", b.Name, err)
		}
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
		o := DefaultFrameOptions()
		o.Tunnels, o.Dur, o.Reps, o.LockWait = []string{"none", tun}, 500*time.Millisecond, 1, 2*time.Minute
		_, err := MeasureFrames(context.Background(), GROBench, o)
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
