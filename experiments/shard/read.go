package shard

import "github.com/cnisim/cnisim/internal/readfile"

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
	return readfile.ReadRegular(path, MaxFileBytes, "a partial result")
}
