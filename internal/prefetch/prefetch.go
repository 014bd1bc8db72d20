// Package prefetch asks the CPU to start loading a cache line that the
// caller will read soon. A simulation knows its next steps (the next frame
// on a link, the next packet waiting for a NIC), and at a fabric's scale
// each of those reads is a cache miss on a dependent chain; a prefetch
// lets the miss overlap with the work in between. Go has no prefetch
// intrinsic for user code, so it is one instruction of assembly on amd64
// and nothing elsewhere. It never changes what a program computes.
package prefetch

import "unsafe"

// Range prefetches the cache lines holding the size bytes from p (size
// > 0): a small struct that may straddle two lines.
func Range(p unsafe.Pointer, size uintptr) {
	a := uintptr(p)
	Lines(p, int((a+size-1)>>6-a>>6)+1)
}
