package sim_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cnisim/cnisim/sim"
)

// spin reschedules itself at the same instant forever.
type spin struct{ n uint64 }

func (s *spin) Handle(e *sim.Engine, arg uint64) { s.n++; e.After(0, s, arg) }

// tick advances time by 1 ns per event forever.
type tick struct{ n uint64 }

func (t *tick) Handle(e *sim.Engine, arg uint64) { t.n++; e.After(sim.Nanosecond, t, arg) }

// inline goes on at the same instant through Continue, never queueing.
type inline struct{ n uint64 }

func (m *inline) Handle(e *sim.Engine, arg uint64) {
	for e.Continue(e.Now()) {
		m.n++
	}
	e.After(0, m, arg)
}

// abortOf runs f and returns the *sim.Abort it panicked with, or nil.
func abortOf(t *testing.T, f func()) (a *sim.Abort) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		var ok bool
		if a, ok = r.(*sim.Abort); !ok {
			panic(r)
		}
	}()
	f()
	return nil
}

// A model stuck at one instant is stopped by the watchdog once more than
// the limit of events ran there (checked every CheckEvery events), with an
// error naming the instant, whether the events are queued or continued.
func TestWatchdogNoProgress(t *testing.T) {
	const limit = 100_000
	for _, c := range []struct {
		name string
		h    sim.Handler
	}{
		{"queued", &spin{}},
		{"continued", &inline{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := sim.NewEngine()
			e.SetNoProgressLimit(limit)
			e.Schedule(3*sim.Millisecond, c.h, 0)
			a := abortOf(t, func() { e.RunUntil(sim.Second) })
			if a == nil || !errors.Is(a, sim.ErrNoProgress) {
				t.Fatalf("got %v, want a no-progress abort", a)
			}
			if a.At != 3*sim.Millisecond || e.Now() != 3*sim.Millisecond {
				t.Errorf("At %v, Now %v, want 3ms", a.At, e.Now())
			}
			if ex := e.Executed(); ex <= limit || ex > limit+2*sim.CheckEvery {
				t.Errorf("stopped after %d events, want (%d, %d]", ex, limit, limit+2*sim.CheckEvery)
			}
			if msg := a.Error(); !strings.HasPrefix(msg, "no progress at t = 3ms: ") {
				t.Errorf("message %q", msg)
			}
		})
	}
}

// The real limit: 10^7 events at one instant (a fraction of a second).
func TestWatchdogDefaultLimit(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("10^7 events")
	}
	e := sim.NewEngine()
	e.Schedule(sim.Microsecond, &spin{}, 0)
	a := abortOf(t, func() { e.Run() })
	if a == nil || !errors.Is(a, sim.ErrNoProgress) || e.Executed() <= sim.NoProgressLimit {
		t.Fatalf("got %v after %d events", a, e.Executed())
	}
}

// Bursts below the limit at one instant, and long runs whose time
// advances, are not stopped.
func TestWatchdogAllowsProgress(t *testing.T) {
	t.Parallel()
	e := sim.NewEngine()
	e.SetNoProgressLimit(50_000)
	burst := sim.HandlerFunc(func(e *sim.Engine, arg uint64) {}) // 40k events at t = 0
	for i := range 40_000 {
		e.Schedule(0, burst, uint64(i))
	}
	tk := &tick{}
	e.Schedule(0, tk, 0)
	if a := abortOf(t, func() { e.RunUntil(sim.Millisecond) }); a != nil {
		t.Fatalf("aborted: %v", a)
	}
	if tk.n != 1_000_001 {
		t.Errorf("tick ran %d times, want 1000001", tk.n)
	}
}

// InterruptAll stops an engine that is running (in another goroutine)
// within CheckEvery events; engines made afterwards run normally.
func TestInterruptAll(t *testing.T) {
	e := sim.NewEngine()
	tk := &tick{}
	e.Schedule(0, tk, 0)
	got := make(chan *sim.Abort)
	go func() {
		defer func() { got <- recover().(*sim.Abort) }()
		e.Run()
	}()
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	sim.InterruptAll()
	a := <-got
	if !errors.Is(a, sim.ErrInterrupted) {
		t.Fatalf("got %v", a)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("stopped %v after InterruptAll", d)
	}
	if !strings.HasPrefix(a.Error(), "interrupted at t = ") {
		t.Errorf("message %q", a)
	}
	// A new engine, and a zero Engine, are not affected.
	for _, e2 := range []*sim.Engine{sim.NewEngine(), new(sim.Engine)} {
		tk2 := &tick{}
		e2.Schedule(0, tk2, 0)
		if a := abortOf(t, func() { e2.RunUntil(100 * sim.Microsecond) }); a != nil || tk2.n != 100_001 {
			t.Errorf("after InterruptAll: %v, %d events", a, tk2.n)
		}
	}
}
