package run

// UnitSeed is the seed of one replication of one sweep point:
//
//	h = splitmix64(seed)
//	h = splitmix64(h ^ replication)
//
// with splitmix64 the finaliser of Steele, Lea and Flood's SplitMix64 (the
// constant 0x9e3779b97f4a7c15 added, then two xor-shift-multiply rounds).
// The point is deliberately not an input: replication r of every sweep
// point draws the same random numbers (common random numbers, Law & Kelton
// "Simulation Modeling and Analysis", section 11.2), so two configurations
// are compared under the same RSS placements, start jitter and pod-launch
// durations, and their difference has far less variance than independent
// draws would give. A unit's seed does not depend on which other units
// run, on their order, or on --parallel. The point argument is kept so the
// seed stays a function of the whole unit should that ever change.
func UnitSeed(seed uint64, point, rep int) uint64 {
	_ = point
	return splitmix64(splitmix64(seed) ^ uint64(rep))
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
