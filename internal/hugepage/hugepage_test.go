package hugepage

import (
	"strings"
	"testing"
	"time"
)

func TestHeapSpans(t *testing.T) {
	const M = 1 << 20
	tests := []struct {
		name string
		maps string
		want []span
	}{
		{"unnamed heap, aligned", "c000000000-c004000000 rw-p 00000000 00:00 0 \n",
			[]span{{0xc000000000, 0xc004000000}}},
		{"named heap, rounded inward", "a82e7500000-a82eac10000 rw-p 00000000 00:00 0    [anon: Go: heap]\n",
			[]span{{0xa82e7600000, 0xa82eac00000}}},
		{"too small for an aligned huge page", "7fc6bb414000-7fc6bb514000 rw-p 00000000 00:00 0 \n", nil},
		{"file, stack, read-only, shared, other names left out", strings.Join([]string{
			"0078c000-00b8c000 rw-p 0038c000 fe:00 9978274   /tmp/sp-base",
			"7ffd80000000-7ffd80400000 rw-p 00000000 00:00 0   [stack]",
			"7f0000000000-7f0000400000 r--p 00000000 00:00 0 ",
			"7f1000000000-7f1000400000 rw-s 00000000 00:01 4   /dev/zero (deleted)",
			"7f2000000000-7f2000400000 rw-p 00000000 00:00 0   [anon: Go: page alloc index]",
			"7f3000000000-7f3000400000 rw-p 00000000 00:00 0 ",
			"garbage",
			"zz-10 rw-p 00000000 00:00 0",
		}, "\n"), []span{{0x7f3000000000, 0x7f3000400000}}},
	}
	for _, tt := range tests {
		got := heapSpans(strings.NewReader(tt.maps))
		if len(got) != len(tt.want) {
			t.Errorf("%s: got %x, want %x", tt.name, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] || got[i].lo%(2*M) != 0 || got[i].hi%(2*M) != 0 {
				t.Errorf("%s: span %d = %x, want %x", tt.name, i, got[i], tt.want[i])
			}
		}
	}
}

// TestAdviseHeap runs the advice on this process's own heap: whatever the
// kernel answers, the memory must read back unchanged.
func TestAdviseHeap(t *testing.T) {
	b := make([]uint64, 8<<20/8)
	for i := range b {
		b[i] = uint64(i) * 0x9e3779b97f4a7c15
	}
	adviseHeap()
	Start(time.Hour) // the first advice at once, then none during the test
	for i := range b {
		if b[i] != uint64(i)*0x9e3779b97f4a7c15 {
			t.Fatalf("b[%d] changed", i)
		}
	}
}
