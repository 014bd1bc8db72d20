package prefetch

import (
	"testing"
	"unsafe"
)

func TestLine(t *testing.T) {
	x := make([]byte, 256)
	Line(unsafe.Pointer(&x[0]))
	Line(unsafe.Pointer(&x[200]))
	Line(nil) // a prefetch never faults
}

func BenchmarkLine(b *testing.B) {
	x := make([]byte, 64)
	for b.Loop() {
		Line(unsafe.Pointer(&x[0]))
	}
}
