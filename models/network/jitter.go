package network

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/cnisim/cnisim/sim"
)

// jitterZMin truncates the normal draw of the lognormal factor at -6
// standard deviations (probability 1e-9, so the mean moves by less than
// that), which bounds the factor below: the NIC lookahead (nic.go) needs a
// least service time.
const jitterZMin = -6

// jitter scales job service times by a lognormal factor
// exp(mu + sigma Z) with sigma^2 = ln(1 + cv^2) and mu = -sigma^2/2, so
// the factor has mean 1 and coefficient of variation cv. A lognormal is
// positive and right-skewed like measured per-packet cycle counts, and
// costs one ziggurat normal draw and one exp per job (about 10 ns).
type jitter struct {
	on        bool
	mu, sigma float64
	floor     float64      // the least factor: exp(mu + sigma jitterZMin); 1 when off
	rng       []*rand.Rand // per node: one node's draws never shift another's
}

func newJitter(cv float64, st sim.Streams, nodes int) jitter {
	if cv == 0 {
		return jitter{floor: 1}
	}
	s2 := math.Log1p(cv * cv)
	j := jitter{on: true, sigma: math.Sqrt(s2), mu: -s2 / 2, rng: make([]*rand.Rand, nodes)}
	j.floor = fastExp(j.mu + j.sigma*jitterZMin) // as factor computes it: no factor is below
	for i := range j.rng {
		j.rng[i] = st.Stream(fmt.Sprintf("network/cpu_jitter/node%d", i))
	}
	return j
}

// factor draws the next factor for a job on node.
func (j *jitter) factor(node int) float64 {
	z := j.rng[node].NormFloat64()
	if z < jitterZMin {
		z = jitterZMin
	}
	return fastExp(j.mu + j.sigma*z)
}

// fastExp is e^x for |x| < 700 to a relative error below 1e-8: x = k ln2
// + y with integer k and |y| <= ln2/2, e^y by its Taylor polynomial of
// degree 7 (remainder (ln2/2)^8/8! < 6e-9), 2^k put in the exponent bits.
// The factor is drawn for every job; math.Exp was a sixth of a jittered
// run's time.
func fastExp(x float64) float64 {
	// round to nearest by adding and subtracting 1.5 x 2^52 (no call to
	// math.Floor, which is not inlined)
	k := (x*math.Log2E + 0x1.8p52) - 0x1.8p52
	y := x - k*math.Ln2
	// Estrin's scheme: a shorter dependency chain than Horner's
	y2 := y * y
	y4 := y2 * y2
	p := (1 + y) + y2*(1.0/2+y*(1.0/6)) + y4*((1.0/24+y*(1.0/120))+y2*(1.0/720+y*(1.0/5040)))
	return math.Float64frombits(math.Float64bits(p) + uint64(int64(k))<<52)
}

// Jitter returns a job's service time on node with the configured CPU
// variability applied (svc itself when Config.CPUJitter is 0 or svc is 0),
// for application work run outside any route through Core.
func (n *Network) Jitter(node int, svc sim.Time) sim.Time {
	if !n.jit.on || svc <= 0 {
		return svc
	}
	return sim.Time(float64(svc)*n.jit.factor(node) + 0.5)
}
