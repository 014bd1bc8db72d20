package experiments

// UnitSeed is the seed of one replication of one sweep point:
//
//	h = splitmix64(seed)
//	h = splitmix64(h ^ point)
//	h = splitmix64(h ^ replication)
//
// with splitmix64 the finaliser of Steele, Lea and Flood's SplitMix64 (the
// constant 0x9e3779b97f4a7c15 added, then two xor-shift-multiply rounds).
// Nearby inputs give unrelated seeds, and a unit's seed does not depend
// on which other units run, on their order, or on --parallel. The point
// index is the position in the sweep's cartesian product (see
// scenario.Plan.Point): changing a sweep's values changes the indices.
func UnitSeed(seed uint64, point, rep int) uint64 {
	h := splitmix64(seed)
	h = splitmix64(h ^ uint64(point))
	return splitmix64(h ^ uint64(rep))
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
