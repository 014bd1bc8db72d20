package main

import (
	"fmt"
	"os"
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/cnisim/cnisim/calibration/clockprobe"
	"golang.org/x/sys/unix"
)

// probe spins like spin, for d, running the clock probe's multiply-add
// chain (calibration/clockprobe: clockprobe.CyclesPerStep cycles a step,
// whatever the frequency) and keeping the steps done so far in the first
// 8 bytes of the file at path (mmap'ed, written every clockprobe.Block
// steps, nothing else touched). capture.sh reads it with the thread's run
// time (/proc/PID/task/*/schedstat) at both ends of the recorded window:
// on a VM whose vCPU runs at 1.95-2.50 GHz within minutes (host 3,
// README.md "Host 3"), a window's cpu-clock samples measure time, and the
// probe turns them into cycles.
//
// With ref, it alternates the chain with the reference kernel workload
// (clockprobe.Reference: 1400-byte datagrams through an AF_UNIX socket
// pair), a millisecond of thread CPU time each. The file then holds
// four counters: chain steps, reference round trips, and the thread CPU
// time in ns of each phase. The reference's ns per round trip measures how
// fast the machine runs kernel work over the window, which moves 2-3x
// within minutes on a shared VM (L3 and memory contention from other
// tenants, not only the clock; README.md "A reference workload").
func probe(d time.Duration, path string, ref bool) error {
	runtime.LockOSThread()
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Truncate(32); err != nil {
		return err
	}
	m, err := unix.Mmap(int(f.Fd()), 0, 32, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return fmt.Errorf("mmap %s: %w", path, err)
	}
	defer unix.Munmap(m)
	counters := (*[4]uint64)(unsafe.Pointer(&m[0]))
	var refw *clockprobe.Reference
	if ref {
		if refw, err = clockprobe.NewReference(); err != nil {
			return err
		}
		defer refw.Close()
	}
	x := uint64(1)
	var steps, trips, chainNs, refNs uint64
	const phase = 1_000_000 // ns of thread CPU time
	for end := time.Now().Add(d); time.Now().Before(end); {
		t0 := threadNs()
		for threadNs()-t0 < phase {
			for range 32 {
				x = clockprobe.Chain(x)
				steps += clockprobe.Block
				atomic.StoreUint64(&counters[0], steps)
			}
		}
		t1 := threadNs()
		chainNs += t1 - t0
		atomic.StoreUint64(&counters[2], chainNs)
		if !ref {
			continue
		}
		for threadNs()-t1 < phase {
			if err := refw.Trips(16); err != nil {
				return err
			}
			trips += 16
		}
		t2 := threadNs()
		refNs += t2 - t1
		atomic.StoreUint64(&counters[1], trips)
		atomic.StoreUint64(&counters[3], refNs)
	}
	if x == 0 { // keeps the chain's result live
		fmt.Fprintln(os.Stderr, "probe: zero")
	}
	return nil
}

// threadNs is the calling thread's CPU time in ns (the caller has locked
// its OS thread; GOMAXPROCS=1 under capture.sh anyway).
func threadNs() uint64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return uint64(ts.Nano())
}
