package prefetch

import "unsafe"

// Line prefetches the cache line holding p into all cache levels. p
// need not be valid: a prefetch never faults.
//
//go:noescape
func Line(p unsafe.Pointer)

// Lines prefetches the n cache lines from the one holding p (n > 0):
// a large struct's part that the caller will read, in one call.
//
//go:noescape
func Lines(p unsafe.Pointer, n int)
