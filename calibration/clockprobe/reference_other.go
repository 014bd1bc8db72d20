//go:build !linux

package clockprobe

import "errors"

// Reference is the reference kernel workload (Linux only).
type Reference struct{}

// NewReference needs Linux.
func NewReference() (*Reference, error) {
	return nil, errors.New("clockprobe: the reference workload needs Linux")
}

// Trips needs Linux.
func (r *Reference) Trips(n int) error {
	return errors.New("clockprobe: the reference workload needs Linux")
}

// Close does nothing.
func (r *Reference) Close() error { return nil }
