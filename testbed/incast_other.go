//go:build !linux

package testbed

import (
	"context"
	"errors"
)

// MeasureIncast builds namespaces, a bridge and tbf qdiscs: Linux.
func MeasureIncast(ctx context.Context, o IncastOptions) (*IncastRun, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	return nil, errors.New("testbed incast run needs Linux (network namespaces, a bridge, tc tbf)")
}
