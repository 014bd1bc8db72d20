package prefetch

import "unsafe"

// Line prefetches the cache line holding p into all cache levels. p
// need not be valid: a prefetch never faults.
//
//go:noescape
func Line(p unsafe.Pointer)
