package sim_test

import (
	"math"
	"slices"
	"testing"

	"github.com/cnisim/cnisim/sim"
	"gonum.org/v1/gonum/stat"
)

// Values of one latency each land in one bucket: quantiles, strata and
// mean are then exact, as for the closed-form RR tests.
func TestHistogramExactForFewValues(t *testing.T) {
	t.Parallel()
	var h sim.Histogram
	for range 1000 {
		h.Record(23_456_789) // 23.456789 µs
	}
	for range 10 {
		h.Record(5 * sim.Millisecond)
	}
	want := 23_456_789 / float64(sim.Second)
	for _, p := range []float64{0, 0.5, 0.9, 0.99} {
		if q := h.Quantile(p); q != want {
			t.Errorf("Quantile(%v) = %v, want %v", p, q, want)
		}
	}
	if q := h.Quantile(1); q != 0.005 {
		t.Errorf("Quantile(1) = %v, want 0.005", q)
	}
	mean := (1000*23_456_789 + 10*5e9) / 1010 / float64(sim.Second)
	if m := h.Mean(); math.Abs(m-mean) > 1e-15 {
		t.Errorf("Mean = %v, want %v", m, mean)
	}
	if h.N() != 1010 {
		t.Errorf("N = %d", h.N())
	}
}

// Against the sorted samples (gonum's empirical quantile): within the
// buckets' relative width of 1/1024, for spreads from nanoseconds to
// seconds; strata keep the mean and stay ordered.
func TestHistogramAgainstSortedSamples(t *testing.T) {
	t.Parallel()
	st := sim.Streams{Seed: 11}
	r := st.Stream("latency")
	for _, scale := range []float64{1e3, 1e6, 1e9, 1e12} { // ps: 1 ns .. 1 s
		var h sim.Histogram
		xs := make([]float64, 200000)
		for i := range xs {
			v := sim.Time(r.ExpFloat64()*scale + r.Float64()*scale/10)
			h.Record(v)
			xs[i] = float64(v) / float64(sim.Second)
		}
		slices.Sort(xs)
		for _, p := range []float64{0.01, 0.5, 0.9, 0.99, 0.999} {
			want := stat.Quantile(p, stat.Empirical, xs, nil)
			if got := h.Quantile(p); math.Abs(got-want) > want/1024+1e-12 {
				t.Errorf("scale %g: Quantile(%v) = %v, sorted samples %v", scale, p, got, want)
			}
		}
		mean := stat.Mean(xs, nil)
		if m := h.Mean(); math.Abs(m-mean) > 1e-9*mean {
			t.Errorf("scale %g: Mean %v, samples %v", scale, m, mean)
		}
		s := h.Strata(2000)
		if len(s) != 2000 || !slices.IsSorted(s) {
			t.Fatalf("scale %g: %d strata, sorted %v", scale, len(s), slices.IsSorted(s))
		}
		if m := stat.Mean(s, nil); math.Abs(m-mean) > 1e-9*mean {
			t.Errorf("scale %g: strata mean %v, samples %v", scale, m, mean)
		}
		// each stratum's mean within the bucket width of the samples' own
		for i, lo := range []int{0, 999, 1999} {
			a, b := lo*len(xs)/2000, (lo+1)*len(xs)/2000
			want := stat.Mean(xs[a:b], nil)
			if math.Abs(s[lo]-want) > want/1024+1e-12 {
				t.Errorf("scale %g: stratum %d (%d) = %v, samples %v", scale, lo, i, s[lo], want)
			}
		}
	}
}

func TestHistogramMergeAndEdges(t *testing.T) {
	t.Parallel()
	var a, b, all sim.Histogram
	if !math.IsNaN(a.Quantile(0.5)) || !math.IsNaN(a.Mean()) || a.Strata(5) != nil {
		t.Fatal("empty histogram: want NaN quantile and mean, no strata")
	}
	for v := range sim.Time(5000) {
		a.Record(v * 7)
		b.Record(v * 1_000_003)
		all.Record(v * 7)
		all.Record(v * 1_000_003)
	}
	a.Merge(&b)
	if a.N() != all.N() || a.Mean() != all.Mean() || a.Quantile(0.37) != all.Quantile(0.37) {
		t.Fatalf("merged: N %d mean %v q %v; recorded together: %d %v %v",
			a.N(), a.Mean(), a.Quantile(0.37), all.N(), all.Mean(), all.Quantile(0.37))
	}
	var h sim.Histogram
	h.Record(-5) // counts as zero
	h.Record(3)
	if s := h.Strata(10); len(s) != 2 || s[0] != 0 || s[1] != 3/float64(sim.Second) {
		t.Fatalf("strata of {0, 3 ps} = %v", s)
	}
	h.Record(sim.Never) // the largest time still has a bucket
	if q := h.Quantile(1); q != float64(sim.Never)/float64(sim.Second) {
		t.Fatalf("Quantile(1) = %v, want %v", q, float64(sim.Never)/float64(sim.Second))
	}
}

func BenchmarkHistogramRecord(b *testing.B) {
	var h sim.Histogram
	st := sim.Streams{Seed: 1}
	r := st.Stream("x")
	vs := make([]sim.Time, 4096)
	for i := range vs {
		vs[i] = sim.Time(r.ExpFloat64() * 2e7)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		h.Record(vs[i&4095])
	}
}
