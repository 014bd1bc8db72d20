package network

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cnisim/cnisim/sim"
)

// TestOfferHeapOrder: the NIC's waiting packets leave in arrival order,
// equal times in the order offered (a stable sort), across interleaved
// offers and removals and across the wrap of the offer counter: offers in
// random order (most go to the heap), and mostly in order (the run, its
// compaction, and the heap for the few late ones).
func TestOfferHeapOrder(t *testing.T) {
	cases := []struct {
		name   string
		pushIn int // of 6 steps, how many offer (the rest remove)
		at     func(rng *rand.Rand, step int) sim.Time
	}{
		{"random", 4, func(rng *rand.Rand, _ int) sim.Time { return sim.Time(rng.IntN(40)) }},
		{"mostly-in-order", 3, func(rng *rand.Rand, step int) sim.Time {
			if rng.IntN(20) == 0 {
				return sim.Time(step - rng.IntN(30))
			}
			return sim.Time(step + rng.IntN(2))
		}},
	}
	for _, tc := range cases {
		for _, start := range []uint32{0, 1<<32 - 50} {
			t.Run(tc.name, func(t *testing.T) { checkOfferOrder(t, start, tc.pushIn, tc.at) })
		}
	}
}

func checkOfferOrder(t *testing.T, start uint32, pushIn int, at func(*rand.Rand, int) sim.Time) {
	rng := rand.New(rand.NewPCG(7, uint64(start)))
	var node Node
	node.offers = start
	var want []nicOffer // what is waiting, in offer order
	var got, exp []int32
	for step := 0; step < 20000; step++ {
		if rng.IntN(6) < pushIn || node.pending.len() == 0 {
			o := nicOffer{at: at(rng, step), id: int32(step), seq: node.offers}
			node.offers++
			node.pending.push(o)
			want = append(want, o)
			continue
		}
		// the earliest, first offered among equal times
		slices.SortStableFunc(want, func(a, b nicOffer) int { return int(a.at - b.at) })
		exp = append(exp, want[0].id)
		want = want[1:]
		got = append(got, node.pending.first().id)
		node.pending.pop()
	}
	if !slices.Equal(got, exp) {
		t.Fatalf("offers from %d: popped %v..., want %v...", start, got[:min(10, len(got))], exp[:min(10, len(exp))])
	}
}
