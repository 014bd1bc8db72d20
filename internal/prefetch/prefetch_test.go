package prefetch

import (
	"testing"
	"unsafe"
)

func TestLine(t *testing.T) {
	x := make([]byte, 256)
	Line(unsafe.Pointer(&x[0]))
	Line(unsafe.Pointer(&x[200]))
	Lines(unsafe.Pointer(&x[0]), 4)
	Lines(unsafe.Pointer(&x[0]), 0) // one line
	Line(nil)                       // a prefetch never faults
}

func BenchmarkLine(b *testing.B) {
	x := make([]byte, 64)
	for b.Loop() {
		Line(unsafe.Pointer(&x[0]))
	}
}

func BenchmarkLines8(b *testing.B) {
	x := make([]byte, 512)
	for b.Loop() {
		Lines(unsafe.Pointer(&x[0]), 8)
	}
}
