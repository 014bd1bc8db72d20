package network

import (
	"testing"
	"unsafe"
)

// TestPortLayout: a port is four cache lines, and the fields a frame's
// arrival and admission touch are in its first three (port's comment): its
// pipe, then the state from sw to windowStart, then the counters from in
// to maxHeld.
func TestPortLayout(t *testing.T) {
	var p port
	if s := unsafe.Sizeof(p); s != 256 {
		t.Errorf("port is %d bytes, want 256", s)
	}
	lines := []struct {
		name        string
		first, last uintptr // offsets of the first and last fields, and the last's size
		lastSize    uintptr
	}{
		{"pipe", unsafe.Offsetof(p.wire), unsafe.Offsetof(p.wire), unsafe.Sizeof(p.wire)},
		{"state", unsafe.Offsetof(p.sw), unsafe.Offsetof(p.windowStart), unsafe.Sizeof(p.windowStart)},
		{"counters", unsafe.Offsetof(p.in), unsafe.Offsetof(p.maxHeld), unsafe.Sizeof(p.maxHeld)},
	}
	for i, l := range lines {
		if l.first != uintptr(64*i) || l.last+l.lastSize > uintptr(64*(i+1)) {
			t.Errorf("%s: bytes [%d, %d), want [%d, %d)", l.name, l.first, l.last+l.lastSize, 64*i, 64*(i+1))
		}
	}
}
