package network

import (
	"math"
	"slices"
	"sort"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/sim"
)

// serviceTimes sends n packets far apart on a path whose only cost is one
// send-side step of `cycles` and returns each packet's service time
// (delivery - send - serialisation - delay) and the network.
func serviceTimes(t *testing.T, cv float64, seed uint64, cycles float64, n int) ([]float64, *Network) {
	t.Helper()
	e := sim.NewEngine()
	cfg := DefaultConfig()
	cfg.CPUJitter = cv
	cfg.Streams = sim.Streams{Seed: seed}
	nw, err := New(e, cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := &orderSink{n: nw}
	r, err := nw.NewRoute(RouteSpec{Path: sendPath(cycles), Src: 0, Dst: 1, To: s})
	if err != nil {
		t.Fatal(err)
	}
	const gap = 50 * sim.Microsecond // no queueing: each job alone on its core
	for i := 0; i < n; i++ {
		e.Schedule(sim.Time(i)*gap, &sendAt{n: nw, r: r, seq: int64(i)}, 0)
	}
	e.Run()
	if len(s.at) != n {
		t.Fatalf("delivered %d of %d", len(s.at), n)
	}
	fixed := sim.Time(1038*800) + cfg.LinkDelay // 1000 + 38 bytes at 10 Gbit/s
	out := make([]float64, n)
	for i, at := range s.at {
		out[i] = float64(at - sim.Time(s.seqs[i])*gap - fixed)
	}
	return out, nw
}

// TestJitterMoments: the service time keeps its mean (within the 95% CI)
// and has the configured coefficient of variation; the accounting charges
// the cycles actually run (sum of service times x GHz).
func TestJitterMoments(t *testing.T) {
	t.Parallel()
	const cycles, n = 2400, 20000 // 1 us at 2.4 GHz
	mean := float64(sim.Cycles(cycles, 2.4))
	for _, cv := range []float64{0.05, 0.2, 1} {
		xs, nw := serviceTimes(t, cv, 3, cycles, n)
		var s sim.Summary
		total := 0.0
		for _, x := range xs {
			s.Add(x)
			total += x
		}
		// twice the 95% half-width (about 4 sigma): three cv values, never flaky
		if d := math.Abs(s.Mean() - mean); d > 2*s.CI95() {
			t.Errorf("cv %g: mean service %.1f ps, want %.1f (+- %.1f)", cv, s.Mean(), mean, 2*s.CI95())
		}
		if got := s.StdDev() / mean; math.Abs(got-cv)/cv > 0.05 {
			t.Errorf("cv %g: measured coefficient of variation %.4f", cv, got)
		}
		// 1 ps = 0.0024 cycles of rounding per job
		a := nw.Accounting()
		if run := total / 1000 * 2.4; math.Abs(a.Cycles[0][datapath.TCP]-run) > 0.0024*n {
			t.Errorf("cv %g: accounted %.1f cycles, ran %.1f", cv, a.Cycles[0][datapath.TCP], run)
		}
		if c := a.Crossings[0][datapath.TCP]; c != n {
			t.Errorf("cv %g: %g crossings, want %d", cv, c, n)
		}
	}
}

// TestJitterZero: without jitter every job costs exactly its cycles (the
// closed forms of the other tests), and no stream is drawn from.
func TestJitterZero(t *testing.T) {
	t.Parallel()
	xs, nw := serviceTimes(t, 0, 3, 2400, 100)
	for i, x := range xs {
		if x != float64(sim.Cycles(2400, 2.4)) {
			t.Fatalf("packet %d: service %v ps, want exactly 1 us", i, x)
		}
	}
	if nw.jit.rng != nil || nw.jit.floor != 1 {
		t.Error("jitter 0 must not create streams or lower the NIC lookahead")
	}
	if a := nw.Accounting(); a.Cycles[0][datapath.TCP] != 240000 {
		t.Errorf("accounted %v cycles, want 240000", a.Cycles[0][datapath.TCP])
	}
}

// TestJitterDeterminism: the same seed gives the same service times; the
// draws come from the run's streams (another seed, other times).
func TestJitterDeterminism(t *testing.T) {
	t.Parallel()
	a, _ := serviceTimes(t, 0.05, 9, 2400, 200)
	b, _ := serviceTimes(t, 0.05, 9, 2400, 200)
	c, _ := serviceTimes(t, 0.05, 10, 2400, 200)
	same := true
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("packet %d: %v then %v with one seed", i, a[i], b[i])
		}
		same = same && a[i] == c[i]
	}
	if same {
		t.Error("seeds 9 and 10 gave the same service times")
	}
}

// TestJitterFloor: no factor falls below the floor the NIC lookahead is
// scaled by (z truncated at -6), so packets still reach the NIC queue in
// arrival order; the route's lookahead is scaled accordingly.
func TestJitterFloor(t *testing.T) {
	t.Parallel()
	j := newJitter(1, sim.Streams{Seed: 1}, 1)
	if want := math.Exp(-math.Log(2)/2 - 6*math.Sqrt(math.Log(2))); math.Abs(j.floor-want) > 1e-8*want {
		t.Errorf("floor %g, want %g", j.floor, want)
	}
	for i := 0; i < 1e6; i++ {
		if f := j.factor(0); f < j.floor {
			t.Fatalf("factor %g below the floor %g", f, j.floor)
		}
	}
	_, nw := serviceTimes(t, 0.05, 1, 2400, 1)
	if want := sim.Time(float64(sim.Cycles(2400, 2.4)) * nw.jit.floor); nw.Nodes[0].lookahead != want {
		t.Errorf("lookahead %v, want %v", nw.Nodes[0].lookahead, want)
	}
}

// TestJitterValidate names the key and the range.
func TestJitterValidate(t *testing.T) {
	t.Parallel()
	for _, v := range []float64{-0.1, 1.5, math.NaN()} {
		c := DefaultConfig()
		c.CPUJitter = v
		if err := c.Validate(); err == nil {
			t.Errorf("cpu_jitter %v accepted", v)
		}
	}
}

// TestFastExp: the hand-rolled exp matches math.Exp to 1e-8 relative over
// the factors' range and beyond.
func TestFastExp(t *testing.T) {
	t.Parallel()
	for x := -30.0; x <= 30; x += 0.000731 {
		if got, want := fastExp(x), math.Exp(x); math.Abs(got-want) > 1e-8*want {
			t.Fatalf("fastExp(%g) = %g, want %g", x, got, want)
		}
	}
}

// TestJitterDistribution: the table sampler draws the lognormal it stands
// for. At the exact quantiles x_p = exp(mu + sigma Phi^-1(p)), from the
// far tails to the median, the fraction of draws below x_p is p within
// five standard errors, and the factor's mean is 1 within four.
func TestJitterDistribution(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: draws the jitter distribution at length (~3 s)")
	}
	const n = 4_000_000
	for _, cv := range []float64{0.05, 0.5, 1} {
		j := newJitter(cv, sim.Streams{Seed: 5}, 1)
		xs := make([]float64, n)
		var s sim.Summary
		for i := range xs {
			xs[i] = j.factor(0)
			s.Add(xs[i])
		}
		slices.Sort(xs)
		for _, p := range []float64{1e-5, 1e-4, 1e-3, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999, 1 - 1e-4, 1 - 1e-5} {
			x := math.Exp(j.mu + j.sigma*distuv.UnitNormal.Quantile(p))
			below := float64(sort.SearchFloat64s(xs, x)) / n
			if se := math.Sqrt(p * (1 - p) / n); math.Abs(below-p) > 5*se {
				t.Errorf("cv %g: P(factor < %.6g) = %.7f, want %.7f (+- %.2g)", cv, x, below, p, 5*se)
			}
		}
		if d := math.Abs(s.Mean() - 1); d > 4*s.StdDev()/math.Sqrt(n) {
			t.Errorf("cv %g: mean factor %.7f, want 1 +- %.2g", cv, s.Mean(), 4*s.StdDev()/math.Sqrt(n))
		}
		if got := s.StdDev(); math.Abs(got-cv)/cv > 0.01 {
			t.Errorf("cv %g: coefficient of variation %.5f", cv, got)
		}
	}
}

func BenchmarkJitterFactor(b *testing.B) {
	j := newJitter(0.05, sim.Streams{Seed: 1}, 1)
	var sum float64
	for b.Loop() {
		sum += j.factor(0)
	}
	if sum == 0 {
		b.Fatal("no draws")
	}
}
