//go:build !linux

package testbed

import (
	"context"
	"errors"
)

// MeasureFrames builds namespaces and records with perf: Linux.
func MeasureFrames(ctx context.Context, b *FrameBench, o FrameOptions) (*FrameRun, error) {
	return nil, errors.New("testbed " + b.Name + " run needs Linux (network namespaces, veth offloads, perf)")
}
