//go:build linux

package workload

import "syscall"

// threadCPU returns the calling thread's CPU time in seconds (lock the
// goroutine to its thread first): steadier than wall time on a shared machine.
func threadCPU() (float64, bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_THREAD, &ru) != nil {
		return 0, false
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9, true
}

// processCPU returns the process's CPU time in seconds, every thread
// (garbage collection included): for figures quoted "on one core".
func processCPU() (float64, bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, false
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9, true
}
