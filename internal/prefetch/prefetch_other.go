//go:build !amd64

package prefetch

import "unsafe"

// Line does nothing on this architecture.
func Line(p unsafe.Pointer) {}

// Lines does nothing on this architecture.
func Lines(p unsafe.Pointer, n int) {}
