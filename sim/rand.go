package sim

import (
	"hash/fnv"
	"math/rand/v2"
)

// Streams derives independent, reproducible random generators for one
// replication: each named stream is a PCG keyed by (seed, replication,
// name), so adding a stream never perturbs the others.
type Streams struct {
	Seed        uint64
	Replication int
}

// Stream returns the generator for the named stream.
func (s Streams) Stream(name string) *rand.Rand { return rand.New(s.Source(name)) }

// Source returns the generator's source, for gonum's distuv (whose nil Src
// would draw from an unseeded global source).
func (s Streams) Source(name string) *rand.PCG {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.NewPCG(mix(s.Seed)^mix(uint64(s.Replication)+0x9e3779b97f4a7c15), mix(h.Sum64()))
}

// mix is SplitMix64's finaliser: nearby inputs give unrelated outputs.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
