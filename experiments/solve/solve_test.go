package solve

import (
	"context"
	"errors"
	"math"
	"testing"
)

// cpuBound is the closed form the issue names: one stream whose every
// packet costs cpp cycles on a core of ghz, spread over c cores with
// cpu_jitter 0, carries c x ghz*1e9/cpp packets/s of payload bytes each,
// until the link binds. relCI is the 95% half-width as a fraction of the
// mean (0: exact).
func cpuBound(cpp, ghz, payload, linkMbps, relCI float64, calls *int) Func {
	perCore := ghz * 1e9 / cpp * payload * 8 / 1e6
	return func(_ context.Context, c float64) (Eval, error) {
		*calls++
		m := math.Min(c*perCore, linkMbps)
		return Eval{Mean: m, CI95: relCI * m, N: 3}, nil
	}
}

func TestSmallestCoresClosedForm(t *testing.T) {
	t.Parallel()
	const cpp, ghz, payload, link = 20000, 2.5, 1448, 100000
	perCore := ghz * 1e9 / cpp * payload * 8 / 1e6 // 1448 Mbit/s
	for _, tc := range []struct {
		name   string
		target float64
		relCI  float64
		grid   bool
	}{
		{"exact", 20000, 0, false},
		{"exact grid", 20000, 0, true},
		{"one core", 1000, 0, false},
		{"interval counts", 20000, 0.05, false},
		{"interval counts grid", 20000, 0.05, true},
		{"exactly on a multiple", 10 * perCore, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			f := cpuBound(cpp, ghz, payload, link, tc.relCI, &calls)
			a, err := Smallest(context.Background(), f, Domain{Min: 1, Max: 64, Integer: true}, Target{Metric: "throughput_mbps", Value: tc.target}, tc.grid)
			if err != nil {
				t.Fatal(err)
			}
			// lower bound (1-relCI) c perCore >= target
			want := math.Ceil(tc.target / ((1 - tc.relCI) * perCore))
			if a.X != want {
				t.Errorf("cores %v, want %v (closed form)", a.X, want)
			}
			if !tc.grid && calls > 8 {
				t.Errorf("bisection over 64 values took %d evaluations, want <= 8", calls)
			}
			if len(a.Runs) != calls {
				t.Errorf("%d runs recorded, %d evaluations", len(a.Runs), calls)
			}
		})
	}
}

func TestSmallestRealKey(t *testing.T) {
	t.Parallel()
	// throughput = 1000 x ghz: the smallest clock for 2500 is 2.5 GHz.
	f := func(_ context.Context, x float64) (Eval, error) { return Eval{Mean: 1000 * x, N: 1}, nil }
	a, err := Smallest(context.Background(), f, Domain{Min: 1, Max: 4, Tol: 0.001, Points: 2}, Target{Metric: "m", Value: 2500}, false)
	if err != nil {
		t.Fatal(err)
	}
	if a.X < 2.5 || a.X > 2.501 {
		t.Errorf("x %v, want within 0.001 above 2.5", a.X)
	}
}

func TestSmallestAtMost(t *testing.T) {
	t.Parallel()
	// latency 1000/c: at most 150 needs c >= 6.67, so 7.
	f := func(_ context.Context, c float64) (Eval, error) { return Eval{Mean: 1000 / c, N: 1}, nil }
	a, err := Smallest(context.Background(), f, Domain{Min: 1, Max: 16, Integer: true}, Target{Metric: "rtt_us", Value: 150, AtMost: true}, false)
	if err != nil {
		t.Fatal(err)
	}
	if a.X != 7 {
		t.Errorf("x %v, want 7", a.X)
	}
}

func TestSmallestErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := Domain{Min: 1, Max: 16, Integer: true}
	tg := Target{Metric: "throughput_mbps", Value: 20000}
	calls := 0
	// the link binds at 10 Gbit/s: 20 Gbit/s is unreachable
	_, err := Smallest(ctx, cpuBound(20000, 2.5, 1448, 10000, 0, &calls), d, tg, false)
	var ur *Unreachable
	if !errors.As(err, &ur) || ur.Best.Mean != 10000 {
		t.Errorf("err %v, want *Unreachable at 10000", err)
	}
	// falling: met at 1, not at 16
	down := func(_ context.Context, c float64) (Eval, error) { return Eval{Mean: 40000 / c, N: 1}, nil }
	var nm *NonMonotone
	if _, err := Smallest(ctx, down, d, tg, false); !errors.As(err, &nm) {
		t.Errorf("falling: err %v, want *NonMonotone", err)
	}
	// met at Min, Max's mean higher but its interval too wide to meet:
	// the answer is Min, not a non-monotone error
	wide := func(_ context.Context, c float64) (Eval, error) {
		if c == 16 {
			return Eval{Mean: 30000, CI95: 29000, N: 2}, nil
		}
		return Eval{Mean: 25000, CI95: 10, N: 2}, nil
	}
	if a, err := Smallest(ctx, wide, d, tg, false); err != nil || a.X != 1 {
		t.Errorf("wide at Max: %+v %v, want 1", a, err)
	}
	// a bump: met only at 5..8; the grid sees it
	bump := func(_ context.Context, c float64) (Eval, error) {
		if c >= 5 && c <= 8 {
			return Eval{Mean: 30000, N: 1}, nil
		}
		return Eval{Mean: 1000, N: 1}, nil
	}
	if _, err := Smallest(ctx, bump, d, tg, true); !errors.As(err, &nm) || nm.A.X != 5 || nm.B.X != 9 {
		t.Errorf("bump grid: err %v, want *NonMonotone between 5 and 9", err)
	}
	// a dip that bisection happens to evaluate: rises to 16 but 8 (the first midpoint) is low
	dip := func(_ context.Context, c float64) (Eval, error) {
		m := 3000 * c
		if c == 8 {
			m = 100
		}
		return Eval{Mean: m, CI95: 1, N: 3}, nil
	}
	if _, err := Smallest(ctx, dip, Domain{Min: 1, Max: 16, Integer: true}, tg, false); !errors.As(err, &nm) {
		t.Errorf("dip: err %v, want *NonMonotone", err)
	}
	for _, bad := range []Domain{{Min: 2, Max: 1, Integer: true}, {Min: 1.5, Max: 3, Integer: true}, {Min: 1, Max: 2}, {Min: math.NaN(), Max: 1, Integer: true}} {
		if _, err := Smallest(ctx, down, bad, tg, false); err == nil {
			t.Errorf("domain %+v accepted", bad)
		}
	}
}

func TestSmallestModelErrorAndCancel(t *testing.T) {
	boom := errors.New("boom")
	f := func(context.Context, float64) (Eval, error) { return Eval{}, boom }
	if _, err := Smallest(context.Background(), f, Domain{Min: 1, Max: 4, Integer: true}, Target{Value: 1}, false); !errors.Is(err, boom) {
		t.Errorf("err %v, want the model's", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ok := func(context.Context, float64) (Eval, error) { return Eval{Mean: 1, N: 1}, nil }
	if _, err := Smallest(ctx, ok, Domain{Min: 1, Max: 4, Integer: true}, Target{Value: 1}, false); !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
}

func TestOptimise(t *testing.T) {
	t.Parallel()
	// peak at 5 (mean 25), 4 and 6 within the interval
	f := func(_ context.Context, x float64) (Eval, error) {
		return Eval{Mean: 25 - (x-5)*(x-5), CI95: 0.4, N: 4}, nil
	}
	a, err := Optimise(context.Background(), f, Domain{Min: 1, Max: 9, Integer: true}, false)
	if err != nil {
		t.Fatal(err)
	}
	if a.X != 5 || len(a.Runs) != 9 {
		t.Errorf("best %v with %d runs, want 5 with 9", a.X, len(a.Runs))
	}
	if len(a.Close) != 0 {
		t.Errorf("close %v: neighbours are 1 below with half-widths 0.4, separated", a.Close)
	}
	g := func(_ context.Context, x float64) (Eval, error) {
		return Eval{Mean: 25 - (x-5)*(x-5), CI95: 0.6, N: 4}, nil
	}
	b, err := Optimise(context.Background(), g, Domain{Min: 1, Max: 9, Integer: true}, false)
	if err != nil || b.X != 5 || len(b.Close) != 2 || b.Close[0] != 4 || b.Close[1] != 6 {
		t.Errorf("wide intervals: %+v %v, want 5 with 4 and 6 close", b, err)
	}
	c, err := Optimise(context.Background(), g, Domain{Min: 1, Max: 9, Integer: true}, true)
	if err != nil || c.X != 1 {
		t.Errorf("minimise: %+v %v, want 1 (the first of the two ends)", c, err)
	}
}

func TestParseTarget(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want Target
		ok   bool
	}{
		{"throughput_mbps=20000", Target{"throughput_mbps", 20000, false}, true},
		{"throughput_mbps>=2e4", Target{"throughput_mbps", 20000, false}, true},
		{" rtt_us <= 150 ", Target{"rtt_us", 150, true}, true},
		{"throughput_mbps", Target{}, false},
		{"=5", Target{}, false},
		{"x=fast", Target{}, false},
		{"x=NaN", Target{}, false},
		{"x=Inf", Target{}, false},
	} {
		got, err := ParseTarget(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("ParseTarget(%q) = %+v, %v; want %+v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"a=1", "b<=2", "c>=3", "", "=", "x<=>=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := ParseTarget(s)
		if err == nil && (tg.Metric == "" || math.IsNaN(tg.Value) || math.IsInf(tg.Value, 0)) {
			t.Errorf("%q accepted as %+v", s, tg)
		}
	})
}

// Largest, closed forms: an M/M/1 queue's mean sojourn 1/(mu - lambda)
// at most W allows arrivals up to mu - 1/W (integer and real inputs, by
// bisection and over the grid); the runs come back ascending in the
// input as given, and each value is evaluated once.
func TestLargestClosedForm(t *testing.T) {
	t.Parallel()
	const mu, w = 100.0, 0.05 // at most 50 ms: lambda <= 80
	for _, tc := range []struct {
		name string
		d    Domain
		grid bool
		want func(x float64) bool
	}{
		{"integer", Domain{Min: 1, Max: 99, Integer: true}, false, func(x float64) bool { return x == 80 }},
		{"integer grid", Domain{Min: 1, Max: 99, Integer: true}, true, func(x float64) bool { return x == 80 }},
		{"real", Domain{Min: 10, Max: 99, Tol: 0.01, Points: 2}, false, func(x float64) bool { return x <= 80 && x > 79.99 }},
		{"real grid", Domain{Min: 0, Max: 99, Tol: 1, Points: 12}, true, func(x float64) bool { return x == 72 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seen := map[float64]int{}
			f := func(_ context.Context, lambda float64) (Eval, error) {
				seen[lambda]++
				return Eval{Mean: 1 / (mu - lambda), N: 1}, nil
			}
			a, err := Largest(context.Background(), f, tc.d, Target{Metric: "sojourn_s", Value: w, AtMost: true}, tc.grid)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.want(a.X) || a.At.X != a.X || a.At.Mean != 1/(mu-a.X) {
				t.Errorf("lambda %v (eval at %v: %v)", a.X, a.At.X, a.At.Mean)
			}
			for i, e := range a.Runs {
				if seen[e.X] != 1 || i > 0 && e.X <= a.Runs[i-1].X || e.Mean != 1/(mu-e.X) {
					t.Errorf("run %d at %v (mean %v, evaluated %d times)", i, e.X, e.Mean, seen[e.X])
				}
			}
			if len(a.Runs) != len(seen) {
				t.Errorf("%d runs, %d values evaluated", len(a.Runs), len(seen))
			}
		})
	}
}

// Largest's errors speak of the values as given: unreachable (the best is
// the smallest value), and a target met at a larger value than one where
// it is not (non-monotone the other way).
func TestLargestErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := Domain{Min: 1, Max: 16, Integer: true}
	tg := Target{Metric: "rtt_us", Value: 5, AtMost: true}
	rising := func(_ context.Context, x float64) (Eval, error) { return Eval{Mean: 10 * x, N: 1}, nil }
	var ur *Unreachable
	if _, err := Largest(ctx, rising, d, tg, false); !errors.As(err, &ur) || ur.Best.X != 1 || ur.Runs[0].X != 1 || ur.Runs[len(ur.Runs)-1].X != 16 {
		t.Errorf("err %v, want *Unreachable best at 1, runs ascending", err)
	}
	falling := func(_ context.Context, x float64) (Eval, error) { return Eval{Mean: 40 / x, N: 1}, nil }
	var nm *NonMonotone
	_, err := Largest(ctx, falling, d, tg, true)
	if !errors.As(err, &nm) || !nm.Falling || nm.A.X != 16 || nm.B.X != 7 {
		t.Fatalf("err %v, want *NonMonotone met at 16 (the grid's first met), not at the smaller 7", err)
	}
	if msg := err.Error(); msg != "rtt_us is not monotone in the input: 16 gives 2.5 (1 replication, no interval) but the smaller 7 gives 5.71429 (1 replication, no interval); solve needs a target that, once met, stays met as the value falls (narrow --min/--max, or use --grid to see every value)" {
		t.Errorf("message %q", msg)
	}
	if _, err := Largest(ctx, rising, Domain{Min: 2, Max: 1, Integer: true}, tg, false); err == nil || err.Error() != "min 2 > max 1" {
		t.Errorf("bad domain: %v, want the bounds as given", err)
	}
}

// Straddles: undecided only while the interval holds the target value
// inside (met at the bound itself, as Met says; missed when the whole
// interval is on the wrong side); without an interval, decided.
func TestStraddles(t *testing.T) {
	t.Parallel()
	least, most := Target{Value: 10}, Target{Value: 10, AtMost: true}
	for _, c := range []struct {
		tg   Target
		e    Eval
		want bool
	}{
		{least, Eval{Mean: 11, CI95: 2, N: 3}, true},  // [9, 13]
		{least, Eval{Mean: 12, CI95: 2, N: 3}, false}, // [10, 14]: met
		{least, Eval{Mean: 7, CI95: 2, N: 3}, false},  // [5, 9]: missed
		{least, Eval{Mean: 8, CI95: 2, N: 3}, true},   // [6, 10]: 10 inside
		{least, Eval{Mean: 9, CI95: 5, N: 1}, false},  // no interval
		{most, Eval{Mean: 9, CI95: 2, N: 3}, true},    // [7, 11]
		{most, Eval{Mean: 8, CI95: 2, N: 3}, false},   // [6, 10]: met
		{most, Eval{Mean: 12, CI95: 2, N: 3}, true},   // [10, 14]: 10 inside
		{most, Eval{Mean: 13, CI95: 2, N: 3}, false},  // [11, 15]: missed
	} {
		if got := c.tg.Straddles(c.e); got != c.want {
			t.Errorf("%s, %+v: straddles %v, want %v", c.tg.Bound(), c.e, got, c.want)
		}
		if c.tg.Straddles(c.e) && c.tg.Met(c.e) {
			t.Errorf("%s, %+v: both met and undecided", c.tg.Bound(), c.e)
		}
	}
}
