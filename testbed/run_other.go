//go:build !linux

package testbed

import (
	"context"
	"errors"
)

// Measure needs Linux network namespaces.
func Measure(ctx context.Context, o Options) (*Run, error) {
	return nil, errors.New("testbed run needs Linux (network namespaces, netlink, perf)")
}

// Cleanup has nothing to remove off Linux.
func Cleanup() ([]string, error) { return nil, nil }

// CleanupKilled has nothing to remove where the testbed does not run.
func CleanupKilled() ([]string, error) { return nil, nil }
