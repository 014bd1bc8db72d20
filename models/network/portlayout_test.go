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

// TestRouteLayout: the fields a route's packets read or write at every
// hop and at its NIC hand-off stay in its first three cache lines (Route's
// comment): one more field among them moved the NIC queue's ring into a
// fourth line, a miss per packet at scale (+0.55% of the instructions on
// bench/cluster1000.toml before it was packed, 2026-12-07).
func TestRouteLayout(t *testing.T) {
	var r Route
	for _, f := range []struct {
		name      string
		off, size uintptr
	}{
		{"segs", unsafe.Offsetof(r.segs), unsafe.Sizeof(r.segs)},
		{"to", unsafe.Offsetof(r.to), unsafe.Sizeof(r.to)},
		{"hops", unsafe.Offsetof(r.hops), unsafe.Sizeof(r.hops)},
		{"preNic", unsafe.Offsetof(r.preNic), unsafe.Sizeof(r.preNic)},
		{"encap", unsafe.Offsetof(r.encap), unsafe.Sizeof(r.encap)},
		{"wired", unsafe.Offsetof(r.wired), unsafe.Sizeof(r.wired)},
		{"orphan", unsafe.Offsetof(r.orphan), unsafe.Sizeof(r.orphan)},
		{"ring", unsafe.Offsetof(r.ring), unsafe.Sizeof(r.ring)},
		{"head", unsafe.Offsetof(r.head), unsafe.Sizeof(r.head)},
		{"n", unsafe.Offsetof(r.n), unsafe.Sizeof(r.n)},
		{"ringB", unsafe.Offsetof(r.ringB), unsafe.Sizeof(r.ringB)},
	} {
		if f.off+f.size > 3*64 {
			t.Errorf("Route.%s at [%d, %d): beyond the first three cache lines", f.name, f.off, f.off+f.size)
		}
	}
}
