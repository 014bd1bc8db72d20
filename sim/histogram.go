package sim

import (
	"math"
	"math/bits"
)

// Histogram records non-negative durations in log-linear buckets, as
// HdrHistogram does: times below 2^histSubBits picoseconds each have a
// bucket, and every power of two above is split into 2^histSubBits
// buckets, so a bucket spans at most 1/1024 of the values it holds. Each
// bucket keeps the sum of its values as well as their count, so quantiles
// and strata come out as bucket means: exact when a bucket holds one
// distinct value (a latency without jitter), within 0.1% otherwise.
//
// A run records millions of transaction latencies in it at a constant
// cost and a few hundred kilobytes, where keeping every sample took
// memory proportional to the run and two sorts at the end. The zero value
// is empty and ready to use.
type Histogram struct {
	b   []histBucket // grown to the largest index used
	n   uint64
	sum float64 // of all values, picoseconds
}

type histBucket struct {
	n   uint64
	sum float64 // picoseconds
}

const (
	histSubBits = 10
	histSub     = 1 << histSubBits
)

// histIndex is the bucket of v >= 0.
func histIndex(v Time) int {
	u := uint64(v)
	if u < histSub {
		return int(u)
	}
	e := bits.Len64(u) - histSubBits - 1 // u >> e is in [histSub, 2 histSub)
	return (e+1)<<histSubBits + int(u>>e) - histSub
}

// Record adds one value; negative values count as zero.
func (h *Histogram) Record(v Time) {
	v = max(v, 0)
	i := histIndex(v)
	if i >= len(h.b) {
		h.grow(i)
	}
	b := &h.b[i]
	b.n++
	b.sum += float64(v)
	h.n++
	h.sum += float64(v)
}

func (h *Histogram) grow(i int) {
	k := max(2*len(h.b), i+1, 4*histSub)
	b := make([]histBucket, k)
	copy(b, h.b)
	h.b = b
}

// N returns the number of values recorded.
func (h *Histogram) N() uint64 { return h.n }

// Mean returns the mean of the values in seconds (NaN when empty).
func (h *Histogram) Mean() float64 {
	if h.n == 0 {
		return math.NaN()
	}
	return h.sum / float64(h.n) / float64(Second)
}

// Quantile returns the empirical p-quantile (the smallest value x with
// F(x) >= p, as gonum's stat.Empirical) in seconds: the mean of the bucket
// holding that rank. NaN when empty.
func (h *Histogram) Quantile(p float64) float64 {
	if h.n == 0 {
		return math.NaN()
	}
	rank := uint64(math.Ceil(p * float64(h.n)))
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i := range h.b {
		b := &h.b[i]
		if seen += b.n; seen >= rank {
			return b.sum / float64(b.n) / float64(Second)
		}
	}
	panic("sim: histogram counts do not add up")
}

// Strata returns, in seconds, the means of the values in k consecutive
// rank ranges of equal size (fewer when fewer values were recorded): a
// replication's distribution summarised in k points whose mean is the
// mean of all values. Ranks within a bucket take its mean.
func (h *Histogram) Strata(k int) []float64 {
	if h.n == 0 || k <= 0 {
		return nil
	}
	k = int(min(uint64(k), h.n))
	out := make([]float64, 0, k)
	n := h.n
	i := 0
	var left uint64 // values of bucket i not yet assigned
	if len(h.b) > 0 {
		left = h.b[0].n
	}
	for s := range k {
		lo, hi := uint64(s)*n/uint64(k), uint64(s+1)*n/uint64(k)
		want := hi - lo
		var sum float64
		for want > 0 {
			for left == 0 {
				i++
				left = h.b[i].n
			}
			take := min(left, want)
			b := &h.b[i]
			sum += float64(take) * (b.sum / float64(b.n))
			left -= take
			want -= take
		}
		out = append(out, sum/float64(hi-lo)/float64(Second))
	}
	return out
}

// Merge adds the values recorded in o.
func (h *Histogram) Merge(o *Histogram) {
	if len(o.b) > len(h.b) {
		h.grow(len(o.b) - 1)
	}
	for i, b := range o.b {
		h.b[i].n += b.n
		h.b[i].sum += b.sum
	}
	h.n += o.n
	h.sum += o.sum
}
