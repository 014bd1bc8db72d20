package main

import (
	"fmt"
	"os"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// probeSteps is the number of chain steps between two updates of the
// probe's counter: about 4k cycles, so the counter's one cache line is
// written every couple of microseconds and nothing else is touched.
const probeSteps = 1 << 10

// probe spins like spin, for d, and measures the clock the CPU gives it:
// each step of its loop is one 64-bit multiply and one add on the
// previous step's result (x = x*a + c), a dependency chain of 3 + 1
// cycles on x86-64 cores since Sandy Bridge and Zen (IMUL r64 latency 3,
// ADD 1: uops.info, Agner Fog's instruction tables), whatever the
// frequency, so steps x 4 / run time is the core's clock over that time.
// The steps done so far are kept in the 8-byte file at path (mmap'ed,
// written every probeSteps steps); capture.sh reads it with the thread's
// run time (/proc/PID/task/*/schedstat) at both ends of the recorded
// window: on a VM whose vCPU runs at 1.3-2.7 GHz within seconds (host 3,
// README.md "The rule series"), a window's cpu-clock samples measure time,
// and the probe turns them into cycles.
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
			x = chain(x)
			steps += probeSteps
			atomic.StoreUint64(counter, steps)
		}
	}
	if x == 0 { // keeps the chain's result live
		fmt.Fprintln(os.Stderr, "probe: zero")
	}
	return nil
}

// chain runs probeSteps dependent multiply-add steps.
//
//go:noinline
func chain(x uint64) uint64 {
	for range probeSteps {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}
