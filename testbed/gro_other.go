//go:build !linux

package testbed

import (
	"context"
	"errors"
)

// MeasureGRO builds namespaces and records with perf: Linux.
func MeasureGRO(ctx context.Context, o GROOptions) (*GRORun, error) {
	return nil, errors.New("testbed gro run needs Linux (network namespaces, veth GRO, perf)")
}
