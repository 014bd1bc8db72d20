package tcp

import (
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/cnisim/cnisim/sim"
)

// TestCopiesBounded: the application's pending copies are read back
// exactly (the bytes copied by t are those of the last copy done by t)
// whatever the reader's lag, and the array holds about twice the copies
// not yet done, not every copy since the reader last caught up.
func TestCopiesBounded(t *testing.T) {
	t.Parallel()
	for _, lag := range []int{0, 1, 10, 100, 3000} {
		rng := rand.New(rand.NewPCG(uint64(lag), 1))
		var ep Endpoint
		var done []sim.Time // every copy's completion, in order
		var totals []int64
		var total int64
		maxCap := 0
		for i := range 20_000 {
			// copies complete 1 us apart; the reader asks about lag copies behind
			total += 1 + rng.Int64N(1500)
			done, totals = append(done, sim.Time(i+1)*sim.Microsecond), append(totals, total)
			ep.pushCopy(done[i], total)
			at := sim.Time(0)
			if k := i - lag; k >= 0 {
				at = done[k] + sim.Time(rng.Int64N(int64(sim.Microsecond))) // up to just before the next
			}
			if got, want := ep.readBy(at), copiedBy(done, totals, at); got != want {
				t.Fatalf("lag %d, copy %d: readBy(%v) = %d, want %d", lag, i, at, got, want)
			}
			maxCap = max(maxCap, cap(ep.copies))
		}
		// about twice the copies pending (lag + 1), a power of two: within
		// 4 x (lag + 1), and 128 for a reader that keeps up
		if bound := 4*(lag+1) + 128; maxCap > bound {
			t.Errorf("lag %d: the copies array reached %d entries, want at most %d", lag, maxCap, bound)
		}
	}
}

// copiedBy is readBy by brute force: the total of the last copy done by at.
func copiedBy(done []sim.Time, totals []int64, at sim.Time) int64 {
	k := sort.Search(len(done), func(i int) bool { return done[i] > at })
	if k == 0 {
		return 0
	}
	return totals[k-1]
}
