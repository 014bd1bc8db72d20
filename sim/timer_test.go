package sim_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cnisim/cnisim/sim"
)

// fires records the times a timer fired.
type fires struct{ at []int64 }

func (f *fires) Handle(e *sim.Engine, _ uint64) { f.at = append(f.at, int64(e.Now())) }

// at runs fn at time t.
func at(e *sim.Engine, t sim.Time, fn func()) {
	e.Schedule(t, sim.HandlerFunc(func(*sim.Engine, uint64) { fn() }), 0)
}

func TestTimer(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		ops  func(e *sim.Engine, tm *sim.Timer)
		want string // fire times
	}{
		{"set", func(e *sim.Engine, tm *sim.Timer) { tm.Set(100) }, "[100]"},
		{"earlier", func(e *sim.Engine, tm *sim.Timer) { tm.Set(100); tm.Set(50) }, "[50]"},
		{"later", func(e *sim.Engine, tm *sim.Timer) { tm.Set(50); tm.Set(100) }, "[100]"},
		{"later then earlier", func(e *sim.Engine, tm *sim.Timer) { tm.Set(50); tm.Set(100); tm.Set(70) }, "[70]"},
		{"stop", func(e *sim.Engine, tm *sim.Timer) { tm.Set(50); tm.Stop() }, "[]"},
		{"stop then set", func(e *sim.Engine, tm *sim.Timer) { tm.Set(50); tm.Stop(); tm.Set(80) }, "[80]"},
		{"stop then set later, after the old deadline passed", func(e *sim.Engine, tm *sim.Timer) {
			tm.Set(50)
			tm.Stop()
			at(e, 60, func() { tm.Set(90) })
		}, "[90]"},
		{"re-armed later while running", func(e *sim.Engine, tm *sim.Timer) {
			tm.Set(50)
			at(e, 40, func() { tm.Reset(30) }) // 70
			at(e, 60, func() { tm.Reset(30) }) // 90
		}, "[90]"},
		{"re-armed at its own firing time", func(e *sim.Engine, tm *sim.Timer) {
			tm.Set(50)
			at(e, 50, func() { tm.Set(60) }) // runs after the wake-up, scheduled first
		}, "[50 60]"},
		{"set at now", func(e *sim.Engine, tm *sim.Timer) { at(e, 30, func() { tm.Reset(0) }) }, "[30]"},
		{"fires again after expiry", func(e *sim.Engine, tm *sim.Timer) {
			tm.Set(10)
			at(e, 20, func() { tm.Set(30) })
		}, "[10 30]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := sim.NewEngine()
			f := &fires{}
			tm := sim.NewTimer(e, f, 0)
			c.ops(e, tm)
			e.Run()
			if got := fmt.Sprint(f.at); got != c.want {
				t.Fatalf("fired at %s, want %s", got, c.want)
			}
			if tm.Armed() || tm.Deadline() != sim.Never {
				t.Fatalf("after the run: Armed=%v Deadline=%v", tm.Armed(), tm.Deadline())
			}
		})
	}
}

// TestTimerRandomAgainstNaive drives a Timer and a naive timer (one event per
// Set, stale ones ignored by generation) through the same random Set/Stop
// calls: they must fire at the same times, and the lazy one with fewer
// events when re-armed later.
func TestTimerRandomAgainstNaive(t *testing.T) {
	t.Parallel()
	for seed := uint64(1); seed <= 20; seed++ {
		e := sim.NewEngine()
		lazy := &fires{}
		tm := sim.NewTimer(e, lazy, 0)
		naive := &naiveTimer{e: e}
		rng := rand.New(rand.NewPCG(seed, 5))
		for i := range 300 {
			now := sim.Time(i) * 10
			op := rng.IntN(10)
			d := sim.Time(rng.IntN(100))
			at(e, now, func() {
				switch {
				case op == 0:
					tm.Stop()
					naive.stop()
				case op < 8:
					tm.Reset(d)
					naive.set(e.Now() + d)
				}
			})
		}
		e.Run()
		if fmt.Sprint(lazy.at) != fmt.Sprint(naive.fired) {
			t.Fatalf("seed %d: timer fired at %v, naive at %v", seed, lazy.at, naive.fired)
		}
		if len(lazy.at) == 0 {
			t.Fatalf("seed %d: never fired", seed)
		}
	}
}

type naiveTimer struct {
	e     *sim.Engine
	gen   uint64
	fired []int64
}

func (n *naiveTimer) set(at sim.Time) {
	n.gen++
	n.e.Schedule(at, n, n.gen)
}

func (n *naiveTimer) stop() { n.gen++ }

func (n *naiveTimer) Handle(e *sim.Engine, gen uint64) {
	if gen == n.gen {
		n.fired = append(n.fired, int64(e.Now()))
	}
}

// TCP re-arms its retransmission timer on every ACK: pushing the deadline
// later must cost no event per re-arm.
func TestTimerLazyRearmIsCheap(t *testing.T) {
	t.Parallel()
	e := sim.NewEngine()
	f := &fires{}
	var tm sim.Timer
	tm.Init(e, f, 0)
	const rto = 200 * sim.Millisecond
	ack := sim.HandlerFunc(func(e *sim.Engine, _ uint64) { tm.Reset(rto) })
	for i := range 10000 {
		e.Schedule(sim.Time(i)*sim.Microsecond, ack, 0) // an ACK every µs
	}
	tm.Reset(rto)
	e.Run()
	last := 9999*sim.Microsecond + rto
	if len(f.at) != 1 || f.at[0] != int64(last) {
		t.Fatalf("fired at %v, want once at %v", f.at, last)
	}
	// 10000 ACKs, the timer's handler, and one wake-up per rto period
	// (the first wake-up finds the deadline moved and re-schedules).
	if wakeups := e.Executed() - 10000 - 1; wakeups > 3 {
		t.Fatalf("%d timer wake-ups for 10000 re-arms, want <= 3", wakeups)
	}
}

// TestTimerReinit: a recycled timer (Init again while its previous use's
// wake-up at 50 is still queued) fires only its new deadline, earlier or
// later than the stale wake-up, or not at all when not set.
func TestTimerReinit(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		set  sim.Time // 0: not set after Init
		want string
	}{{"set later", 80, "[80]"}, {"set earlier", 30, "[30]"}, {"not set", 0, "[]"}} {
		t.Run(c.name, func(t *testing.T) {
			e := sim.NewEngine()
			f := &fires{}
			tm := sim.NewTimer(e, f, 0)
			tm.Set(50)
			at(e, 10, func() {
				tm.Init(e, f, 0)
				if c.set > 0 {
					tm.Set(c.set)
				}
			})
			e.Run()
			if got := fmt.Sprint(f.at); got != c.want {
				t.Fatalf("fired at %s, want %s", got, c.want)
			}
		})
	}
}
