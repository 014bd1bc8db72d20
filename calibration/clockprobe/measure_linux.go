//go:build linux

package clockprobe

import (
	"fmt"
	"runtime"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Measure runs the probe on a thread of its own for o.Duration and
// returns the clock it saw. The thread is pinned and, with o.Idle, put
// under SCHED_IDLE; it ends with the measurement (a locked goroutine's
// thread exits with it), so no other goroutine inherits its policy.
func Measure(o Options) (Result, error) {
	if o.Duration <= 0 || o.Slice <= 0 {
		return Result{}, fmt.Errorf("clockprobe: duration %v and slice %v must be positive", o.Duration, o.Slice)
	}
	type out struct {
		r   Result
		err error
	}
	done := make(chan out, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with this goroutine
		r, err := measureHere(o)
		done <- out{r, err}
	}()
	res := <-done
	return res.r, res.err
}

func measureHere(o Options) (Result, error) {
	if o.CPU >= 0 {
		var set unix.CPUSet
		set.Set(o.CPU)
		if err := unix.SchedSetaffinity(0, &set); err != nil {
			return Result{}, fmt.Errorf("pin to CPU %d: %w", o.CPU, err)
		}
	}
	if o.Idle {
		attr := unix.SchedAttr{Size: uint32(unsafe.Sizeof(unix.SchedAttr{})), Policy: unix.SCHED_IDLE}
		if err := unix.SchedSetAttr(0, &attr, 0); err != nil {
			return Result{}, fmt.Errorf("SCHED_IDLE: %w", err)
		}
	}
	var ref *Reference
	if o.Reference {
		var err error
		if ref, err = NewReference(); err != nil {
			return Result{}, err
		}
		defer ref.Close()
	}
	var s slicer
	x := uint64(1)
	end := time.Now().Add(o.Duration)
	for {
		w0, c0, err := clocks()
		if err != nil {
			return Result{}, err
		}
		var steps uint64
		for sliceEnd := w0.Add(o.Slice); time.Now().Before(sliceEnd); {
			for range 64 {
				x = Chain(x)
			}
			steps += 64 * Block
		}
		w1, c1, err := clocks()
		if err != nil {
			return Result{}, err
		}
		s.add(steps, float64(c1-c0), float64(w1.Sub(w0)))
		if ref != nil {
			var trips uint64
			for sliceEnd := w1.Add(o.Slice); time.Now().Before(sliceEnd); trips += 16 {
				if err := ref.Trips(16); err != nil {
					return Result{}, err
				}
			}
			w2, c2, err := clocks()
			if err != nil {
				return Result{}, err
			}
			s.addReference(trips, float64(c2-c1))
			w1 = w2
		}
		if !w1.Before(end) {
			break
		}
	}
	if x == 0 { // keeps the chain live
		return Result{}, fmt.Errorf("clockprobe: the chain reached 0")
	}
	return s.result(), nil
}

// clocks reads the wall clock and the calling thread's CPU time (ns).
func clocks() (time.Time, int64, error) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return time.Time{}, 0, fmt.Errorf("thread CPU time: %w", err)
	}
	return time.Now(), ts.Nano(), nil
}
