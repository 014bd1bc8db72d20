package simtest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cnisim/cnisim/sim"
)

// TestQueue is the conformance test for a monotone event queue; newQueue
// must return a new, empty queue each time it is called. A queue that sorts
// wrongly, breaks FIFO order among equal times, loses or duplicates items,
// mishandles items pushed at the current time or times across power-of-two
// boundaries, or miscounts its length fails it.
func TestQueue(t *testing.T, newQueue func() Queue) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.run(newQueue); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Check runs the same cases as TestQueue and returns the first failure.
func Check(newQueue func() Queue) error {
	for _, c := range cases {
		if err := c.run(newQueue); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
	}
	return nil
}

var cases = []struct {
	name string
	run  func(newQueue func() Queue) error
}{
	{"Empty", func(newQueue func() Queue) error {
		q := newQueue()
		if _, _, ok := q.Pop(); ok || q.Len() != 0 {
			return fmt.Errorf("empty queue: Pop ok=%v, Len()=%d", ok, q.Len())
		}
		return nil
	}},
	{"SortsRandomTimes", func(newQueue func() Queue) error {
		rng := rand.New(rand.NewPCG(1, 1))
		for _, span := range []int64{1, 7, 1000, 1 << 20, 1 << 40, math.MaxInt64 / 2} {
			times := make([]sim.Time, 500)
			for i := range times {
				times[i] = sim.Time(rng.Int64N(span))
			}
			if err := drain(newQueue(), times); err != nil {
				return fmt.Errorf("times in [0, %d): %w", span, err)
			}
		}
		return nil
	}},
	{"FIFOTies", func(newQueue func() Queue) error {
		// 1000 items over 5 distinct times, in shuffled order.
		rng := rand.New(rand.NewPCG(2, 2))
		times := make([]sim.Time, 1000)
		for i := range times {
			times[i] = sim.Time(rng.IntN(5)) * 3 * sim.Nanosecond
		}
		return drain(newQueue(), times)
	}},
	{"PushAtNow", func(newQueue func() Queue) error {
		// Items pushed at the time just popped come after the items already
		// pending at that time and before later ones.
		q := newQueue()
		q.Push(10, 1)
		q.Push(10, 2)
		q.Push(11, 3)
		want := []uint64{1, 2, 4, 5, 3, 6}
		var got []uint64
		for len(got) < 10 {
			at, id, ok := q.Pop()
			if !ok {
				break
			}
			got = append(got, id)
			if id <= 3 {
				q.Push(at, id+3)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("popped %v, want %v", got, want)
		}
		return nil
	}},
	{"PowerOfTwoBoundaries", func(newQueue func() Queue) error {
		var times []sim.Time
		for k := 62; k >= 1; k-- {
			times = append(times, 1<<k, 1<<k-1, 1<<k+1, 1<<k)
		}
		times = append(times, math.MaxInt64-1, 0, 0, math.MaxInt64-1)
		return drain(newQueue(), times)
	}},
	{"GrowsAndShrinks", func(newQueue func() Queue) error {
		// A queue may change representation with its size (the engine's
		// keeps a few events in a sorted array): fill and empty it across
		// every size from 0 to 150 many times, with ties, keeping the
		// order across the changes.
		rng := rand.New(rand.NewPCG(7, 7))
		var ops []byte
		size := 0
		for round := 0; round < 200; round++ {
			hi, lo := 1+rng.IntN(150), rng.IntN(8)
			for k := 0; k < hi; k++ {
				switch rng.IntN(3) {
				case 0:
					ops = append(ops, 1) // a tie with now
				case 1:
					ops = append(ops, 2) // a tie with the previous push
				default:
					ops = append(ops, 3|byte(rng.IntN(40))<<2, byte(rng.Uint32()))
				}
			}
			for size += hi; size > lo; size-- {
				ops = append(ops, 0)
			}
		}
		return CheckOps(newQueue(), ops)
	}},
	{"RandomInterleaved", func(newQueue func() Queue) error {
		for seed := uint64(0); seed < 40; seed++ {
			rng := rand.New(rand.NewPCG(seed, 3))
			ops := make([]byte, 2000)
			// Bias the mix per seed so the queue both grows and drains.
			bias := byte(seed % 4)
			for i := range ops {
				ops[i] = byte(rng.Uint32())
				if rng.IntN(4) == 0 {
					ops[i] = ops[i]&^3 | bias
				}
			}
			if err := CheckOps(newQueue(), ops); err != nil {
				return fmt.Errorf("seed %d: %w", seed, err)
			}
		}
		return nil
	}},
}

// drain pushes items 1, 2, ... at times, then pops them all, comparing each
// pop and the length with a Reference.
func drain(q Queue, times []sim.Time) error {
	var ref Reference
	for i, at := range times {
		q.Push(at, uint64(i+1))
		ref.Push(at, uint64(i+1))
	}
	for n := 1; ref.Len() > 0; n++ {
		if q.Len() != ref.Len() {
			return fmt.Errorf("before pop %d: Len() = %d, want %d", n, q.Len(), ref.Len())
		}
		wa, wi, _ := ref.Pop()
		ga, gi, ok := q.Pop()
		if !ok || ga != wa || gi != wi {
			return fmt.Errorf("pop %d: got (t=%d, id=%d, ok=%v), want (t=%d, id=%d)", n, ga, gi, ok, wa, wi)
		}
	}
	if _, _, ok := q.Pop(); ok || q.Len() != 0 {
		return fmt.Errorf("drained queue: Pop ok=%v, Len() = %d", ok, q.Len())
	}
	return nil
}
