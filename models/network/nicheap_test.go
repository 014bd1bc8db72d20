package network

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cnisim/cnisim/sim"
)

// TestOfferHeapOrder: the NIC's waiting packets leave in arrival order,
// equal times in the order offered (a stable sort), across interleaved
// offers and removals and across the wrap of the offer counter.
func TestOfferHeapOrder(t *testing.T) {
	for _, start := range []uint32{0, 1<<32 - 50} {
		rng := rand.New(rand.NewPCG(7, uint64(start)))
		var node Node
		node.offers = start
		var want []nicOffer // what is waiting, in offer order
		var got, exp []int32
		for step := 0; step < 20000; step++ {
			if rng.IntN(3) > 0 || len(node.pending) == 0 {
				o := nicOffer{at: sim.Time(rng.IntN(40)), id: int32(step), seq: node.offers}
				node.offers++
				node.pushOffer(o)
				want = append(want, o)
				continue
			}
			// the earliest, first offered among equal times
			slices.SortStableFunc(want, func(a, b nicOffer) int { return int(a.at - b.at) })
			exp = append(exp, want[0].id)
			want = want[1:]
			got = append(got, node.pending[0].id)
			node.popOffer()
		}
		if !slices.Equal(got, exp) {
			t.Fatalf("offers from %d: popped %v..., want %v...", start, got[:min(10, len(got))], exp[:min(10, len(exp))])
		}
	}
}
