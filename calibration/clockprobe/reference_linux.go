//go:build linux

package clockprobe

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// Reference is the reference kernel workload: ReferenceDatagram-byte
// datagrams written to one end of an AF_UNIX socket pair and read back
// from the other. A round trip is two system calls, a socket buffer
// allocated and freed and the payload copied in and out: the kinds of
// work a packet's path does around its protocol stages, without a device
// or a wake-up. Its ns per round trip measures how fast the machine runs
// kernel work at the moment; on a shared VM that moves 2-3x within
// minutes with the other tenants' load on the caches and memory, not only
// with the clock (calibration/perf/testdata/perf/README.md, "A reference
// workload"), and the per-packet cost of a capture moves with it.
type Reference struct {
	fds [2]int
	buf []byte
}

// NewReference opens the socket pair.
func NewReference() (*Reference, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("clockprobe: reference socket pair: %w", err)
	}
	return &Reference{fds: fds, buf: make([]byte, ReferenceDatagram)}, nil
}

// Trips runs n round trips.
func (r *Reference) Trips(n int) error {
	for range n {
		if _, err := unix.Write(r.fds[0], r.buf); err != nil {
			return fmt.Errorf("clockprobe: reference write: %w", err)
		}
		if _, err := unix.Read(r.fds[1], r.buf); err != nil {
			return fmt.Errorf("clockprobe: reference read: %w", err)
		}
	}
	return nil
}

// Close closes the socket pair.
func (r *Reference) Close() error {
	return errors.Join(unix.Close(r.fds[0]), unix.Close(r.fds[1]))
}
