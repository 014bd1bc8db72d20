package perf

import (
	"slices"
	"testing"
)

func TestParseCPUList(t *testing.T) {
	t.Parallel()
	got, err := ParseCPUList("4-6, 0,2,5")
	if err != nil || !slices.Equal(got, []int{0, 2, 4, 5, 6}) {
		t.Errorf("%v %v", got, err)
	}
	for _, bad := range []string{"", "a", "3-1", "-1", "1,", "2-x"} {
		if _, err := ParseCPUList(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
