//go:build !linux

package clockprobe

import "errors"

// Measure needs Linux (thread CPU time, affinity, SCHED_IDLE).
func Measure(o Options) (Result, error) {
	return Result{}, errors.New("clockprobe: measuring the clock needs Linux")
}
