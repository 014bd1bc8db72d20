package sim

import "testing"

// An engine publishes its clock at its periodic check and when RunUntil
// returns, and the end it runs to: a handler reading the Progress sees
// the time of the last check, exactly.
func TestProgressPublished(t *testing.T) {
	e := NewEngine()
	var p Progress
	if f := p.Fraction(); f != 0 {
		t.Fatalf("fraction before any run = %v, want 0", f)
	}
	e.ReportProgress(&p)
	const n = 3 * checkEvery
	seen := map[int]float64{}
	for i := 1; i <= n; i++ {
		e.Schedule(Time(i)*Nanosecond, HandlerFunc(func(*Engine, uint64) { seen[i] = p.Fraction() }), 0)
	}
	end := Time(4*checkEvery) * Nanosecond
	e.RunUntil(end)
	// the check runs after the clock moves to the event that completes
	// each checkEvery, before that event's handler
	for _, tc := range []struct {
		event int
		want  float64
	}{
		{1, 0},
		{checkEvery - 1, 0},
		{checkEvery, float64(checkEvery) / float64(4*checkEvery)},
		{2*checkEvery - 1, 0.25},
		{2 * checkEvery, 0.5},
		{n, 0.75},
	} {
		if got := seen[tc.event]; got != tc.want {
			t.Errorf("event %d saw fraction %v, want %v", tc.event, got, tc.want)
		}
	}
	if f := p.Fraction(); f != 1 {
		t.Errorf("after RunUntil(end): fraction %v, want 1", f)
	}
	// an unbounded Run sets no end: nothing to report a share of
	e2 := NewEngine()
	var q Progress
	e2.ReportProgress(&q)
	e2.Schedule(end+Nanosecond, HandlerFunc(func(*Engine, uint64) {}), 0)
	e2.Run()
	if f := q.Fraction(); f != 0 {
		t.Errorf("after Run: fraction %v, want 0", f)
	}
}

// Reporting progress changes nothing in the run: the same events in the
// same order with and without it.
func TestProgressChangesNothing(t *testing.T) {
	trace := func(report bool) []Time {
		e := NewEngine()
		if report {
			e.ReportProgress(new(Progress))
		}
		var got []Time
		var h HandlerFunc
		h = func(e *Engine, k uint64) {
			got = append(got, e.Now())
			if k > 0 {
				e.After(Time(k%7+1)*Nanosecond, h, k-1)
			}
		}
		for i := range 5 {
			e.Schedule(Time(i), h, 3*checkEvery)
		}
		e.RunUntil(Time(10*checkEvery) * Nanosecond)
		return got
	}
	a, b := trace(false), trace(true)
	if len(a) != len(b) {
		t.Fatalf("%d events with progress, %d without", len(b), len(a))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("event %d at %v with progress, %v without", i, b[i], a[i])
		}
	}
}
