// Command pingpong measures how long this machine takes to run a thread
// that another CPU wakes: two threads, each pinned to a CPU, pass one byte
// back and forth over a pair of pipes, blocking in read(2) between turns,
// first both on one CPU (a wake-up is a switch on a busy CPU), then on two
// (each wake-up finds the other CPU idle: the IPI, the idle exit, the
// switch in). Half the difference of the two round trips is the latency
// an idle CPU adds to a wake-up, what cluster.wakeup_us states to the
// simulator. It prints both round trips and that estimate, each the median
// of -reps runs of -n round trips. Linux only (sched_setaffinity, pipes).
//
//	go run ./calibration/wake/pingpong -cpus 0,1
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	n := flag.Int("n", 20000, "round trips per run (1..10000000)")
	reps := flag.Int("reps", 7, "runs per placement (1..1000)")
	cpus := flag.String("cpus", "0,1", "the two CPUs, A,B (A also runs the one-CPU placement)")
	flag.Parse()
	a, b, err := parseCPUs(*cpus)
	if err != nil {
		fail("-cpus %q: %v (allowed: two distinct CPU numbers, as 0,1)", *cpus, err)
	}
	if *n < 1 || *n > 10000000 {
		fail("-n %d: allowed 1..10000000", *n)
	}
	if *reps < 1 || *reps > 1000 {
		fail("-reps %d: allowed 1..1000", *reps)
	}
	same := median(*reps, func() (float64, error) { return roundTrip(a, a, *n) })
	cross := median(*reps, func() (float64, error) { return roundTrip(a, b, *n) })
	fmt.Printf("round trip, one CPU (%d): %.2f us\n", a, same)
	fmt.Printf("round trip, two CPUs (%d, %d): %.2f us\n", a, b, cross)
	fmt.Printf("wake-up latency of an idle CPU: %.1f us ((two - one) / 2)\n", (cross-same)/2)
}

func parseCPUs(s string) (int, int, error) {
	f := strings.Split(s, ",")
	if len(f) != 2 {
		return 0, 0, fmt.Errorf("want two numbers")
	}
	a, err := strconv.Atoi(f[0])
	if err != nil {
		return 0, 0, err
	}
	b, err := strconv.Atoi(f[1])
	if err != nil {
		return 0, 0, err
	}
	if a < 0 || b < 0 || a == b || a >= runtime.NumCPU() || b >= runtime.NumCPU() {
		return 0, 0, fmt.Errorf("out of range or equal (this machine has CPUs 0..%d)", runtime.NumCPU()-1)
	}
	return a, b, nil
}

func median(reps int, run func() (float64, error)) float64 {
	v := make([]float64, reps)
	for i := range v {
		var err error
		if v[i], err = run(); err != nil {
			fail("%v", err)
		}
	}
	slices.Sort(v)
	return v[reps/2]
}

// roundTrip returns the mean round trip in microseconds of n exchanges
// between a thread on CPU a and one on CPU b.
func roundTrip(a, b, n int) (float64, error) {
	var ab, ba [2]int
	if err := unix.Pipe(ab[:]); err != nil {
		return 0, err
	}
	if err := unix.Pipe(ba[:]); err != nil {
		return 0, err
	}
	defer func() {
		for _, fd := range []int{ab[0], ab[1], ba[0], ba[1]} {
			unix.Close(fd)
		}
	}()
	errc := make(chan error, 2)
	go func() {
		errc <- pinned(b, func() error { return echo(ba[1], ab[0], n) })
	}()
	var took time.Duration
	go func() {
		errc <- pinned(a, func() error {
			buf := []byte{1}
			start := time.Now()
			for range n {
				if _, err := unix.Write(ab[1], buf); err != nil {
					return err
				}
				if _, err := unix.Read(ba[0], buf); err != nil {
					return err
				}
			}
			took = time.Since(start)
			return nil
		})
	}()
	err := <-errc
	if err2 := <-errc; err == nil {
		err = err2
	}
	return took.Seconds() * 1e6 / float64(n), err
}

// echo answers n bytes read from in on out.
func echo(out, in, n int) error {
	buf := []byte{0}
	for range n {
		if _, err := unix.Read(in, buf); err != nil {
			return err
		}
		if _, err := unix.Write(out, buf); err != nil {
			return err
		}
	}
	return nil
}

// pinned runs f on the calling goroutine's thread bound to cpu; the
// thread stays locked, so it exits with its goroutine instead of carrying
// the binding back to the runtime's pool.
func pinned(cpu int, f func() error) error {
	runtime.LockOSThread()
	var set unix.CPUSet
	set.Set(cpu)
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		return fmt.Errorf("pin to CPU %d: %w", cpu, err)
	}
	return f()
}

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "pingpong: "+format+"\n", a...)
	os.Exit(2)
}
