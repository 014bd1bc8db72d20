package network

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/stat/distuv"

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
// positive and right-skewed like measured per-packet cycle counts.
//
// A factor is drawn for every job, several per packet, so the draw must
// cost little: one 64-bit PCG output picks one of jitterCells cells of
// equal probability, and its remaining bits interpolate the factor's
// quantile function linearly inside the cell (a table of the exact
// quantiles at the cell edges). The two outermost cells, where the
// quantile function bends too fast for a line, take the exact quantile
// of the drawn probability instead (one draw in 2,048). The body's values
// are scaled so that the mean stays exactly 1 (the tails' share is known
// in closed form). About 3 ns per draw, against 11 ns for a ziggurat
// normal and an exp.
type jitter struct {
	on        bool
	mu, sigma float64
	floor     float64    // the least factor: exp(mu + sigma jitterZMin); 1 when off
	q         []float64  // jitterCells+1 quantiles at i/jitterCells, the body scaled
	rng       []rand.PCG // per node, by value (one load less per draw): one node's draws never shift another's
}

const (
	jitterBits  = 12
	jitterCells = 1 << jitterBits
)

func newJitter(cv float64, st sim.Streams, nodes int) jitter {
	if cv == 0 {
		return jitter{floor: 1}
	}
	s2 := math.Log1p(cv * cv)
	j := jitter{on: true, sigma: math.Sqrt(s2), mu: -s2 / 2, rng: make([]rand.PCG, nodes)}
	j.floor = fastExp(j.mu + j.sigma*jitterZMin) // as the lower tail computes it: no factor is below
	j.q = make([]float64, jitterCells+1)
	var body float64 // mean of the piecewise-linear body
	for i := 1; i < jitterCells; i++ {
		j.q[i] = math.Exp(j.mu + j.sigma*distuv.UnitNormal.Quantile(float64(i)/jitterCells))
		if i > 1 {
			body += (j.q[i-1] + j.q[i]) / 2 / jitterCells
		}
	}
	// E[X; Z < z1] = Phi(z1 - sigma), E[X; Z > z2] = 1 - Phi(z2 - sigma)
	// for X = exp(mu + sigma Z) with mu = -sigma^2/2
	z1 := distuv.UnitNormal.Quantile(1.0 / jitterCells)
	z2 := distuv.UnitNormal.Quantile(1 - 1.0/jitterCells)
	tails := distuv.UnitNormal.CDF(z1-j.sigma) + 1 - distuv.UnitNormal.CDF(z2-j.sigma)
	scale := (1 - tails) / body
	for i := 1; i < jitterCells; i++ {
		j.q[i] *= scale
	}
	for i := range j.rng {
		j.rng[i] = *st.Source(fmt.Sprintf("network/cpu_jitter/node%d", i))
	}
	return j
}

// factor draws the next factor for a job on node.
func (j *jitter) factor(node int) float64 {
	u := j.rng[node].Uint64()
	i := u >> (64 - jitterBits)
	if i-1 < jitterCells-2 { // cells 1 .. jitterCells-2: the body
		frac := float64(u<<jitterBits>>11) * 0x1p-53
		return j.q[i] + (j.q[i+1]-j.q[i])*frac
	}
	return j.tail(u)
}

// tail is the exact factor for the outermost cells: the probability of
// the draw (53 bits) through the normal quantile, truncated at jitterZMin.
//
//go:noinline
func (j *jitter) tail(u uint64) float64 {
	k := u >> 11 // p = k 2^-53
	var z float64
	if u>>(64-jitterBits) == 0 {
		z = -math.Sqrt2 * math.Erfcinv(2*float64(k)*0x1p-53)
	} else {
		z = math.Sqrt2 * math.Erfcinv(2*float64(1<<53-k)*0x1p-53)
	}
	return fastExp(j.mu + j.sigma*max(z, jitterZMin))
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
