package shard

import (
	"testing"

	"github.com/cnisim/cnisim/experiments/run"
)

// Every unit belongs to exactly one shard, Select and Owner agree, and
// shard sizes differ by at most one (round-robin).
func TestEveryUnitInExactlyOneShard(t *testing.T) {
	t.Parallel()
	for _, size := range []struct{ points, reps int }{{1, 1}, {1, 3}, {4, 2}, {7, 5}, {13, 1}, {64, 2}, {100, 10}} {
		var units []run.Unit
		for p := range size.points {
			for r := range size.reps {
				units = append(units, run.Unit{Point: p, Rep: r})
			}
		}
		for n := 1; n <= 64; n++ {
			count := map[run.Unit]int{}
			lo, hi := len(units), 0
			for i := range n {
				sel := Select(units, i, n)
				lo, hi = min(lo, len(sel)), max(hi, len(sel))
				for _, u := range sel {
					count[u]++
				}
			}
			for pos, u := range units {
				if count[u] != 1 {
					t.Fatalf("%dx%d, %d shards: unit %v in %d shards", size.points, size.reps, n, u, count[u])
				}
				if o := Owner(pos, n); !contains(Select(units, o, n), u) {
					t.Fatalf("Owner(%d, %d) = %d does not select %v", pos, n, o, u)
				}
			}
			if len(count) != len(units) || hi-lo > 1 {
				t.Fatalf("%dx%d, %d shards: %d units seen, shard sizes %d..%d", size.points, size.reps, n, len(count), lo, hi)
			}
		}
	}
}

func contains(us []run.Unit, u run.Unit) bool {
	for _, x := range us {
		if x == u {
			return true
		}
	}
	return false
}
