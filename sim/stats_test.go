package sim_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cnisim/cnisim/sim"
	"gonum.org/v1/gonum/stat"
)

// Student t 0.975 quantiles from the standard t table (two-sided 95%).
func TestTQuantile975(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		df   int
		want float64
	}{
		{1, 12.7062}, {2, 4.3027}, {9, 2.2622}, {49, 2.0096}, {1000, 1.9623},
	} {
		if got := sim.TQuantile975(c.df); math.Abs(got-c.want) > 1e-4 {
			t.Errorf("TQuantile975(%d) = %.5f, want %.4f", c.df, got, c.want)
		}
	}
}

func TestSummaryMatchesGonum(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{2, 3, 10, 1000} {
		xs := make([]float64, n)
		var s sim.Summary
		for i := range xs {
			xs[i] = 1e6 + rng.NormFloat64()*3 // offset: Welford stays accurate
			s.Add(xs[i])
		}
		mean, variance := stat.MeanVariance(xs, nil)
		if s.N() != n || math.Abs(s.Mean()-mean) > 1e-9 || math.Abs(s.Variance()-variance) > 1e-9*variance {
			t.Errorf("n=%d: Summary (%d, %v, %v), gonum (%v, %v)", n, s.N(), s.Mean(), s.Variance(), mean, variance)
		}
		if hw := sim.TQuantile975(n-1) * math.Sqrt(variance/float64(n)); math.Abs(s.CI95()-hw) > 1e-9*hw {
			t.Errorf("n=%d: CI95 = %v, want %v", n, s.CI95(), hw)
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, x := range xs {
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
		if s.Min() != lo || s.Max() != hi {
			t.Errorf("n=%d: Min, Max = %v, %v; want %v, %v", n, s.Min(), s.Max(), lo, hi)
		}
	}
	var s sim.Summary
	s.Add(5)
	if s.Mean() != 5 || s.Variance() != 0 || s.CI95() != 0 || s.StdDev() != 0 {
		t.Errorf("one observation: mean %v var %v ci %v", s.Mean(), s.Variance(), s.CI95())
	}
}

func TestQuantile(t *testing.T) {
	t.Parallel()
	xs := []float64{9, 1, 8, 2, 7, 3, 6, 4, 5, 10}
	orig := append([]float64(nil), xs...)
	// Empirical quantile: the smallest x with ECDF(x) >= p.
	for _, c := range []struct{ p, want float64 }{
		{0, 1}, {0.1, 1}, {0.11, 2}, {0.5, 5}, {0.95, 10}, {1, 10},
	} {
		if got := sim.Quantile(c.p, xs); got != c.want {
			t.Errorf("Quantile(%v) = %v, want %v", c.p, got, c.want)
		}
	}
	for i := range xs {
		if xs[i] != orig[i] {
			t.Fatal("Quantile modified its input")
		}
	}
	if !math.IsNaN(sim.Quantile(0.5, nil)) {
		t.Error("Quantile of no data is not NaN")
	}
}

func TestTimeWeighted(t *testing.T) {
	t.Parallel()
	var w sim.TimeWeighted
	w.Set(10, 2) // 2 on [10, 20), 5 on [20, 25), 0 from 25
	if got := w.Mean(15); got != 2 {
		t.Errorf("Mean(15) = %v, want 2", got)
	}
	w.Set(20, 5)
	if got, want := w.Mean(22), (2*10+5*2)/12.0; got != want {
		t.Errorf("Mean(22) = %v, want %v", got, want)
	}
	w.Set(25, 0)
	if got, want := w.Mean(30), (2*10+5*5+0*5)/20.0; got != want {
		t.Errorf("Mean(30) = %v, want %v", got, want)
	}
	var empty sim.TimeWeighted
	if empty.Mean(100) != 0 {
		t.Error("empty TimeWeighted mean is not 0")
	}
}

func TestStreams(t *testing.T) {
	t.Parallel()
	draw := func(s sim.Streams, name string) [4]uint64 {
		r := s.Stream(name)
		return [4]uint64{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()}
	}
	base := sim.Streams{Seed: 1, Replication: 0}
	ref := draw(base, "arrivals")
	if draw(base, "arrivals") != ref {
		t.Fatal("same seed, replication and name gave different sequences")
	}
	for _, c := range []struct {
		name string
		s    sim.Streams
		n    string
	}{
		{"other name", base, "service"},
		{"similar name", base, "arrival"},
		{"other replication", sim.Streams{Seed: 1, Replication: 1}, "arrivals"},
		{"other seed", sim.Streams{Seed: 2, Replication: 0}, "arrivals"},
		{"seed and replication swapped", sim.Streams{Seed: 0, Replication: 1}, "arrivals"},
	} {
		if draw(c.s, c.n) == ref {
			t.Errorf("%s: same sequence", c.name)
		}
	}
	// Source and Stream are the same generator.
	src := base.Source("arrivals")
	if src.Uint64() != ref[0] {
		t.Error("Source and Stream differ")
	}
}
