package sim

import (
	"container/heap"
	"math/rand/v2"
	"sort"
	"testing"
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
				now = ev.at
			}
			now = end // the engine's clock moves to end
			if q.Len() != len(ref) {
				t.Fatalf("seed %d: Len() = %d, want %d", seed, q.Len(), len(ref))
			}
		}
	}
}

// TestPeekTime: PeekTime is the earliest pending time (checked against a
// reference heap) through random pushes (at or after the last pop, ties
// included), peeks and pops.
func TestPeekTime(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	var q eventQueue
	ref := &timeHeap{}
	now := Time(0)
	for i := 0; i < 100000; i++ {
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
