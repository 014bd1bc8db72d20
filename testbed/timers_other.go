//go:build !linux

package testbed

import (
	"context"
	"errors"
)

// MeasureTimers builds network namespaces: Linux.
func MeasureTimers(ctx context.Context, o TimersOptions) (*TimersRun, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	return nil, errors.New("testbed timers needs Linux (network namespaces, nftables)")
}
