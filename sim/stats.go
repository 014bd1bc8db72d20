package sim

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Summary accumulates mean and variance online (Welford).
type Summary struct {
	n    int
	mean float64
	m2   float64
	min  float64
	max  float64
}

// Add records one observation.
func (s *Summary) Add(x float64) {
	s.n++
	if s.n == 1 {
		s.min, s.max = x, x
	}
	s.min = min(s.min, x) // the builtins inline; NaN and signed zeros as math.Min/Max
	s.max = max(s.max, x)
	d := x - s.mean
	s.mean += d / float64(s.n)
	s.m2 += d * (x - s.mean)
}

// N returns the number of observations.
func (s *Summary) N() int { return s.n }

// Mean returns the sample mean (0 with no observations).
func (s *Summary) Mean() float64 { return s.mean }

// Variance returns the unbiased sample variance (0 with fewer than two).
func (s *Summary) Variance() float64 {
	if s.n < 2 {
		return 0
	}
	return s.m2 / float64(s.n-1)
}

// StdDev returns the sample standard deviation.
func (s *Summary) StdDev() float64 { return math.Sqrt(s.Variance()) }

// Min and Max return the extremes.
func (s *Summary) Min() float64 { return s.min }

// Max returns the largest observation.
func (s *Summary) Max() float64 { return s.max }

// CI95 returns the half-width of the 95% confidence interval of the mean
// (Student t with n-1 degrees of freedom); 0 with fewer than two observations.
func (s *Summary) CI95() float64 {
	if s.n < 2 {
		return 0
	}
	return TQuantile975(s.n-1) * s.StdDev() / math.Sqrt(float64(s.n))
}

// TQuantile975 returns the 0.975 quantile of Student's t with df degrees of
// freedom (12.706 for df=1, 1.960 as df grows).
func TQuantile975(df int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.975)
}

// TimeWeighted averages a piecewise-constant signal (a queue length, a
// cwnd) over simulated time.
type TimeWeighted struct {
	start, last Time
	value       float64
	area        float64
	started     bool
}

// Set records that the signal takes value v from now on.
func (w *TimeWeighted) Set(now Time, v float64) {
	if !w.started {
		w.start, w.last, w.value, w.started = now, now, v, true
		return
	}
	w.area += w.value * float64(now-w.last)
	w.last, w.value = now, v
}

// Mean returns the time average over [start, now], where start is the
// time of the first Set; now must not precede the last Set.
func (w *TimeWeighted) Mean(now Time) float64 {
	if !w.started || now <= w.start {
		return w.value
	}
	return (w.area + w.value*float64(now-w.last)) / float64(now-w.start)
}

// Quantile returns the p-quantile of xs (empirical, gonum's definition);
// it sorts a copy, and returns NaN for empty input.
func Quantile(p float64, xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return stat.Quantile(p, stat.Empirical, s, nil)
}
