package sim

import (
	"math/rand/v2"
	"sort"
	"testing"
)

// PopNotAfter must leave the queue untouched when the earliest event is
// after end, so that events may then be pushed between end and it (the
// engine does this after RunUntil).
func TestPopNotAfterKeepsQueueValid(t *testing.T) {
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
