package network

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMarkingProbability: a frame arriving at a queue of q bytes above
// the threshold K is marked with probability P (q - K) / (M - K) below
// the ramp's top M and always from M on (Fabric.ECNMax, ECNMaxProb); with
// step marking (M = 0) always. Each probability is checked on 100,000
// draws, within 5 standard deviations of the binomial.
func TestMarkingProbability(t *testing.T) {
	const K, M, draws = 10_000, 50_000, 100_000
	for _, tc := range []struct {
		max  int64
		prob float64
		held int64
		want float64
	}{
		{0, 0, K + 1, 1},
		{0, 0, 3 * M, 1},
		{M, 0.1, K + 1, 0.1 / (M - K)},
		{M, 0.1, (K + M) / 2, 0.05},
		{M, 0.1, M - 1, 0.1 * (M - 1 - K) / (M - K)},
		{M, 0.1, M, 1},
		{M, 1, K + (M-K)/4, 0.25},
		{M, 1, 2 * M, 1},
	} {
		fb := &fabric{cfg: Fabric{ECNThreshold: K, ECNMax: tc.max, ECNMaxProb: tc.prob}}
		if tc.max > 0 {
			fb.markRNG = rand.New(rand.NewPCG(1, uint64(tc.held)))
		}
		marked := 0
		for i := 0; i < draws; i++ {
			if fb.congested(tc.held) {
				marked++
			}
		}
		got := float64(marked) / draws
		sd := math.Sqrt(tc.want * (1 - tc.want) / draws)
		if math.Abs(got-tc.want) > 5*sd+1e-12 {
			t.Errorf("max %d, prob %v, queue %d bytes: %.5f marked, want %.5f (sd %.5f)", tc.max, tc.prob, tc.held, got, tc.want, sd)
		}
	}
}
