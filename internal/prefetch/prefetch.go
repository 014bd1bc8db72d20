package prefetch

import "unsafe"

// Range prefetches the cache lines holding the size bytes from p (size
// > 0): a small struct that may straddle two lines.
func Range(p unsafe.Pointer, size uintptr) {
	a := uintptr(p)
	Lines(p, int((a+size-1)>>6-a>>6)+1)
}
