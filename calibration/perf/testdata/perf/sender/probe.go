package main

import (
	"fmt"
	"os"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/cnisim/cnisim/calibration/clockprobe"
	"golang.org/x/sys/unix"
)

// probe spins like spin, for d, running the clock probe's multiply-add
// chain (calibration/clockprobe: clockprobe.CyclesPerStep cycles a step,
// whatever the frequency) and keeping the steps done so far in the 8-byte
// file at path (mmap'ed, written every clockprobe.Block steps, nothing
// else touched). capture.sh reads it with the thread's run time
// (/proc/PID/task/*/schedstat) at both ends of the recorded window: on a
// VM whose vCPU runs at 1.95-2.50 GHz within minutes (host 3, README.md
// "Host 3"), a window's cpu-clock samples measure time, and the probe
// turns them into cycles.
func probe(d time.Duration, path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Truncate(8); err != nil {
		return err
	}
	m, err := unix.Mmap(int(f.Fd()), 0, 8, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return fmt.Errorf("mmap %s: %w", path, err)
	}
	defer unix.Munmap(m)
	counter := (*uint64)(unsafe.Pointer(&m[0]))
	x := uint64(1)
	var steps uint64
	for end := time.Now().Add(d); time.Now().Before(end); {
		for range 64 {
			x = clockprobe.Chain(x)
			steps += clockprobe.Block
			atomic.StoreUint64(counter, steps)
		}
	}
	if x == 0 { // keeps the chain's result live
		fmt.Fprintln(os.Stderr, "probe: zero")
	}
	return nil
}
