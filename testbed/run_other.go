//go:build !linux

package testbed

import (
	"context"
	"errors"
	"io"
	"time"
)

// Measure needs Linux network namespaces.
func Measure(ctx context.Context, o Options) (*Run, error) {
	return nil, errors.New("testbed run needs Linux (network namespaces, netlink, perf)")
}

// Cleanup has nothing to remove off Linux.
func Cleanup() ([]string, error) { return nil, nil }

// CleanupKilled has nothing to remove where the testbed does not run.
func CleanupKilled() ([]string, error) { return nil, nil }

// AEADOptions are the AEAD benchmark's (aead_linux.go).
type AEADOptions struct {
	Sizes    []int
	Reps     int
	Window   time.Duration
	CPU      int
	Command  string
	Log      io.Writer
	LockWait time.Duration
}

// DefaultAEADOptions: see aead_linux.go.
func DefaultAEADOptions() AEADOptions {
	return AEADOptions{Sizes: []int{64, 576, 1400, 8960}, Reps: 31, Window: 2 * time.Millisecond, CPU: -1, Log: io.Discard, LockWait: 15 * time.Minute}
}

// MeasureAEAD pins a thread to a CPU and reads its CPU clock: Linux.
func MeasureAEAD(ctx context.Context, o AEADOptions) (*AEADRun, error) {
	return nil, errors.New("testbed aead run needs Linux (CPU affinity, CLOCK_THREAD_CPUTIME_ID)")
}
