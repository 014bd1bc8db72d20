package service

import (
	"math"
	"math/rand/v2"
	"sort"
)

// popularity draws Service ranks by a Zipf law, P(rank k) ∝ 1/k^s over
// k = 1..n, and maps each rank to the Service's place in rule order. The
// places are a fixed pseudo-random permutation: kube-proxy writes
// KUBE-SERVICES in its map order, unrelated to how busy a Service is, so
// the popular Services sit anywhere in the chain; the permutation is the
// same in every replication (a property of the cluster, like its rules).
type popularity struct {
	cdf   []float64 // cumulative probabilities of ranks 1..n
	place []int32   // rank-1 -> Service index in rule order
}

// permSeed fixes the rule order of popular Services (any constant would
// do; documented so runs are reproducible).
const permSeed = 0x5e7f1ce5

func newPopularity(n int, s float64) *popularity {
	p := &popularity{cdf: make([]float64, n), place: make([]int32, n)}
	var sum float64
	for k := 1; k <= n; k++ {
		sum += math.Pow(float64(k), -s)
		p.cdf[k-1] = sum
	}
	for k := range p.cdf {
		p.cdf[k] /= sum
	}
	for i := range p.place {
		p.place[i] = int32(i)
	}
	rng := rand.New(rand.NewPCG(permSeed, uint64(n)))
	rng.Shuffle(n, func(i, j int) { p.place[i], p.place[j] = p.place[j], p.place[i] })
	return p
}

// draw returns a Service index in rule order.
func (p *popularity) draw(rng *rand.Rand) int {
	u := rng.Float64()
	k := sort.SearchFloat64s(p.cdf, u) // first rank whose cdf >= u
	if k >= len(p.cdf) {
		k = len(p.cdf) - 1
	}
	return int(p.place[k])
}
