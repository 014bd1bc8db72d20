package sim

import "syscall"

// threadCPU returns the CPU time the calling OS thread has used, in
// nanoseconds: on a shared machine it is a steadier measure than wall time.
func threadCPU() (float64, bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(1, &ru) != nil { // 1 is RUSAGE_THREAD
		return 0, false
	}
	return float64(ru.Utime.Nano() + ru.Stime.Nano()), true
}
