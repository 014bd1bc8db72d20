package network

import (
	"testing"
	"unsafe"

	"github.com/cnisim/cnisim/sim"
)

// TestPipeKeepsQueued: a switch port's queue is the newest qn frames of
// its link pipe, some of which may already have left at the head (the
// port retires lazily); pushes and growth must keep their slots, in
// order, until they are retired.
func TestPipeKeepsQueued(t *testing.T) {
	var w pipe
	next := 0 // frames pushed so far; frame k has at = k
	push := func() {
		w.qn++ // admitted: queued until retired
		w.push(sim.Time(next), int32(next), 0, 0, 0)
		next++
	}
	check := func(when string) {
		t.Helper()
		qn, size := int(w.qn), int(w.size)
		for i := range qn {
			if got, want := w.queued(i).id, int32(next-qn+i); got != want {
				t.Fatalf("%s: queued(%d) = frame %d, want %d (size %d, qn %d, ring %d)", when, i, got, want, w.size, w.qn, len(w.q))
			}
		}
		for i := range size {
			if got, want := w.q[(int(w.head)+i)&(len(w.q)-1)].id, int32(next-size+i); got != want {
				t.Fatalf("%s: pipe[%d] = frame %d, want %d", when, i, got, want)
			}
		}
		if size > 0 && w.first != w.q[w.head].frame {
			t.Fatalf("%s: first = %+v, want the head's %+v", when, w.first, w.q[w.head].frame)
		}
	}
	for round := 0; round < 6; round++ {
		// fill past the ring's size, then let every frame reach the far
		// end while the port retires none of them: qn > size
		for k := 0; k < 50+37*round; k++ {
			push()
		}
		check("filled")
		for w.size > 0 {
			want := inFlight{w.next(), w.q[w.head].frame}
			if got := w.pop(want.at); got != want {
				t.Fatalf("pop = %+v, want %+v", got, want)
			}
		}
		check("drained")
		for k := 0; k < 70; k++ { // pushes while older queued frames are behind the head
			push()
			check("pushed behind the head")
		}
		w.qn /= 3 // the port retires its oldest
		check("retired")
	}
}

// TestPipeLayout: a pipe, with its head frame, is one cache line, the
// line an arrival reads (a port's first: TestPortLayout).
func TestPipeLayout(t *testing.T) {
	if s := unsafe.Sizeof(pipe{}); s != 64 {
		t.Errorf("pipe is %d bytes, want 64", s)
	}
}
