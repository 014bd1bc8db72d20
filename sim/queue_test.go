package sim

import (
	"container/heap"
	"math/rand/v2"
	"sort"
	"testing"
	"unsafe"
)

// PopNotAfter must leave the queue untouched when the earliest event is
// after end, so that events may then be pushed between end and it (the
// engine does this after RunUntil).
func TestPopNotAfterKeepsQueueValid(t *testing.T) {
	t.Parallel()
	type item struct {
		at  Time
		arg uint64
	}
	for seed := uint64(1); seed <= 30; seed++ {
		rng := rand.New(rand.NewPCG(seed, 11))
		var q eventQueue
		var ref []item // sorted by (at, push order)
		push := func(at Time, arg uint64) {
			q.Push(event{at: at, arg: arg})
			i := sort.Search(len(ref), func(i int) bool { return ref[i].at > at })
			ref = append(ref, item{})
			copy(ref[i+1:], ref[i:])
			ref[i] = item{at, arg}
		}
		now, id := Time(0), uint64(0)
		for round := 0; round < 200; round++ {
			for range rng.IntN(20) {
				id++
				push(now+Time(rng.Int64N(1<<uint(rng.IntN(40)))), id)
			}
			end := now + Time(rng.Int64N(1<<uint(rng.IntN(40))))
			for {
				ev, ok := q.PopNotAfter(end)
				wantOK := len(ref) > 0 && ref[0].at <= end
				if ok != wantOK {
					t.Fatalf("seed %d: PopNotAfter(%d) ok=%v, want %v", seed, end, ok, wantOK)
				}
				if !ok {
					break
				}
				if ev.at != ref[0].at || ev.arg != ref[0].arg {
					t.Fatalf("seed %d: popped (%d, %d), want (%d, %d)", seed, ev.at, ev.arg, ref[0].at, ref[0].arg)
				}
				ref = ref[1:]
			}
			now = end // the engine's clock moves to end
			if q.Len() != len(ref) {
				t.Fatalf("seed %d: Len() = %d, want %d", seed, q.Len(), len(ref))
			}
		}
	}
}

// TestPeekTime: PeekTime is the earliest pending time, and pendingBy(at)
// whether it is at or before at (checked against a reference heap),
// through random pushes (at or after the last pop, ties included), peeks
// and pops.
func TestPeekTime(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	var q eventQueue
	ref := &timeHeap{}
	now := Time(0)
	for i := 0; i < 100000; i++ {
		// pendingBy, before PeekTime caches the answer: at times around
		// the earliest and at every distance
		ats := []Time{now, now + Time(rng.IntN(300)), now + Time(rng.Int64N(1<<uint(rng.IntN(42))))}
		if ref.Len() > 0 {
			ats = append(ats, (*ref)[0], (*ref)[0]-1, (*ref)[0]+1)
		}
		for _, at := range ats {
			if at < now {
				continue
			}
			peek, peekOK := q.peek, q.peekOK
			q.peekOK = false // the occupancy bits' answer, not the cache's
			got := q.pendingBy(at)
			q.peek, q.peekOK = peek, peekOK
			if want := ref.Len() > 0 && (*ref)[0] <= at; got != want {
				t.Fatalf("step %d: pendingBy(%d) = %v, want %v (now %d)", i, at, got, want, now)
			}
		}
		if rng.IntN(2) == 0 {
			pt, ok := q.PeekTime()
			if ok != (ref.Len() > 0) || ok && pt != (*ref)[0] {
				t.Fatalf("step %d: PeekTime %v %v, want %v", i, pt, ok, *ref)
			}
		}
		if q.Len() == 0 || rng.IntN(3) > 0 {
			var d Time
			switch rng.IntN(3) {
			case 0:
			case 1:
				d = Time(rng.IntN(100))
			default:
				d = Time(rng.Int64N(1 << 40))
			}
			q.Push(event{at: now + d})
			heap.Push(ref, now+d)
			continue
		}
		ev, _ := q.PopNotAfter(Never)
		if want := heap.Pop(ref).(Time); ev.at != want {
			t.Fatalf("step %d: popped %v, want %v", i, ev.at, want)
		}
		now = ev.at
	}
}

type timeHeap []Time

func (h timeHeap) Len() int           { return len(h) }
func (h timeHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h timeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *timeHeap) Push(x any)        { *h = append(*h, x.(Time)) }
func (h *timeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// TestBucketLayout: a bucket is one cache line, and in an Engine the
// buckets start on a line boundary (an Engine is allocated whole, so its
// address is page-aligned), so that reading one bucket reads one line.
func TestBucketLayout(t *testing.T) {
	var e Engine
	if s := unsafe.Sizeof(bucket{}); s != 64 {
		t.Errorf("bucket is %d bytes, want 64", s)
	}
	for _, off := range []uintptr{unsafe.Offsetof(e.q.b0), unsafe.Offsetof(e.q.lv)} {
		if off += unsafe.Offsetof(e.q); off%64 != 0 {
			t.Errorf("buckets at offset %d of Engine, want a multiple of 64", off)
		}
	}
	if p := uintptr(unsafe.Pointer(&NewEngine().q.b0)); p%64 != 0 {
		t.Errorf("a new engine's buckets at %#x, want a multiple of 64", p)
	}
}
