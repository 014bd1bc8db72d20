package ring_test

import (
	"slices"
	"testing"

	"github.com/cnisim/cnisim/internal/ring"
)

func TestGrow(t *testing.T) {
	t.Parallel()
	if got := ring.Grow[int](nil, 0, 0, 64); len(got) != 64 {
		t.Fatalf("empty buffer grows to %d, want 64", len(got))
	}
	buf := []int{4, 5, 6, 7, 0, 1, 2, 3} // head 4: elements 0..7 in order
	got := ring.Grow(buf, 4, 8, 16)
	if len(got) != 16 || !slices.Equal(got[:8], []int{0, 1, 2, 3, 4, 5, 6, 7}) {
		t.Fatalf("Grow = %v", got)
	}
	if got := ring.Grow(buf, 6, 3, 4); len(got) != 16 || !slices.Equal(got[:3], []int{2, 3, 4}) {
		t.Fatalf("Grow of a partly filled buffer = %v", got)
	}
}
