package shard

import (
	"fmt"
	"io"
	"os"
	"syscall"
)

// MaxFileBytes caps one partial-result file. A partial grows with its
// units: about 0.5 KB per unit plus 20 bytes per distribution sample (at
// most 2,000 per metric and replication), so a shard of a few thousand
// latency-heavy units is tens of megabytes; 1 GiB leaves room for the
// largest shard a merge can hold in memory anyway, and stops a wrong
// input (a disk image, a log) before it exhausts memory.
const MaxFileBytes = 1 << 30

// ReadFile reads a partial-result file: a regular file of at most
// MaxFileBytes. A directory, a FIFO, a device or a socket is refused
// without reading (a FIFO is opened non-blocking, so no writer is waited
// for; /dev/zero is never read).
func ReadFile(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	switch {
	case st.IsDir():
		return nil, fmt.Errorf("%s: is a directory, not a partial result", path)
	case !st.Mode().IsRegular():
		return nil, fmt.Errorf("%s: not a regular file (%v), not a partial result", path, st.Mode().Type())
	case st.Size() > MaxFileBytes:
		return nil, fmt.Errorf("%s: %d bytes, larger than %d MiB: not a partial result", path, st.Size(), MaxFileBytes>>20)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes { // it grew while read
		return nil, fmt.Errorf("%s: larger than %d MiB: not a partial result", path, MaxFileBytes>>20)
	}
	return data, nil
}
