package shard

import "github.com/cnisim/cnisim/experiments/run"

// Owner returns the shard (0..n-1) that runs unit position i of
// run.Units, for n >= 1.
func Owner(i, n int) int { return i % n }

// Select returns the units of shard index of n, in their original order;
// never nil, since run.Config reads nil Units as "all units".
func Select(units []run.Unit, index, n int) []run.Unit {
	out := make([]run.Unit, 0, (len(units)+n-1)/n)
	for i := index; i < len(units); i += n {
		out = append(out, units[i])
	}
	return out
}
