package sim_test

import (
	"slices"
	"testing"

	"github.com/cnisim/cnisim/sim"
)

func TestGrowRing(t *testing.T) {
	if got := sim.GrowRing[int](nil, 0, 0, 64); len(got) != 64 {
		t.Fatalf("empty buffer grows to %d, want 64", len(got))
	}
	buf := []int{4, 5, 6, 7, 0, 1, 2, 3} // head 4: elements 0..7 in order
	got := sim.GrowRing(buf, 4, 8, 16)
	if len(got) != 16 || !slices.Equal(got[:8], []int{0, 1, 2, 3, 4, 5, 6, 7}) {
		t.Fatalf("GrowRing = %v", got)
	}
	if got := sim.GrowRing(buf, 6, 3, 4); len(got) != 16 || !slices.Equal(got[:3], []int{2, 3, 4}) {
		t.Fatalf("GrowRing of a partly filled buffer = %v", got)
	}
}
