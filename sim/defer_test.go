package sim_test

import (
	"testing"

	"github.com/cnisim/cnisim/sim"
)

// deferLog records the order of events and deferred calls.
type deferLog struct {
	trace []string
	hz    []sim.Time
}

type deferEv struct{ l *deferLog }

func (d deferEv) Handle(e *sim.Engine, arg uint64) {
	d.l.trace = append(d.l.trace, "ev"+string(rune('0'+arg)))
	if arg == 1 {
		e.Defer(deferCall{d.l}, 1)
		e.Defer(deferCall{d.l}, 2)
		e.Schedule(e.Now(), d, 3) // at now: runs after the deferred calls
	}
}

type deferCall struct{ l *deferLog }

func (d deferCall) Handle(e *sim.Engine, arg uint64) {
	d.l.trace = append(d.l.trace, "defer"+string(rune('0'+arg)))
	d.l.hz = append(d.l.hz, e.Horizon())
	if arg == 2 {
		e.Defer(d, 4) // deferring from a deferred call runs in the same round
	}
}

// TestDefer: deferred calls run after the event that asked for them and
// before the next event (even one at the same time), in order; Horizon is
// the next pending event's time, capped at the end of the run.
func TestDefer(t *testing.T) {
	t.Parallel()
	e := sim.NewEngine()
	l := &deferLog{}
	e.Schedule(10, deferEv{l}, 1)
	e.Schedule(50, deferEv{l}, 2)
	e.RunUntil(30)
	want := []string{"ev1", "defer1", "defer2", "defer4", "ev3"}
	if len(l.trace) != len(want) {
		t.Fatalf("trace %v, want %v", l.trace, want)
	}
	for i := range want {
		if l.trace[i] != want[i] {
			t.Fatalf("trace %v, want %v", l.trace, want)
		}
	}
	// ev3 at 10 is pending when the deferred calls run
	for _, h := range l.hz {
		if h != 10 {
			t.Errorf("horizon %v during the deferred calls, want 10", h)
		}
	}
	// after the run: the event at 50 is beyond the end (30), and outside a
	// run the caller may schedule at Now
	if h := e.Horizon(); h != 30 {
		t.Errorf("horizon after RunUntil(30) = %v, want 30 (Now)", h)
	}
	e.Defer(deferCall{l}, 5) // outside a run: at the start of the next one
	e.RunUntil(40)
	if got := l.trace[len(l.trace)-1]; got != "defer5" || l.hz[len(l.hz)-1] != 40 {
		t.Errorf("last %s with horizon %v, want defer5 with the run's end 40", got, l.hz[len(l.hz)-1])
	}
	e.Run()
	if e.Horizon() != e.Now() {
		t.Errorf("horizon with nothing pending = %v, want Now %v", e.Horizon(), e.Now())
	}
}

// chain is a model whose events form a chain of its own (a link's
// packets): each event continues to the next inline when Continue allows.
type chain struct {
	times  []sim.Time
	ran    []sim.Time
	inline int
}

func (c *chain) Handle(e *sim.Engine, i uint64) {
	for {
		c.ran = append(c.ran, e.Now())
		i++
		if int(i) == len(c.times) {
			return
		}
		if !e.Continue(c.times[i]) {
			e.Schedule(c.times[i], c, i)
			return
		}
		c.inline++
	}
}

// TestContinue: a chained event runs inline only when nothing pending
// comes first (ties go to the event already queued) and it is within the
// run; the order of execution is the same as with scheduling.
func TestContinue(t *testing.T) {
	t.Parallel()
	e := sim.NewEngine()
	c := &chain{times: []sim.Time{0, 10, 20, 30, 40, 50}}
	other := &deferLog{}
	e.Schedule(0, c, 0)
	e.Schedule(20, deferEv{other}, 2) // a tie at 20: the chain's 20 must wait
	e.RunUntil(45)
	want := []sim.Time{0, 10, 20, 30, 40}
	if len(c.ran) != len(want) {
		t.Fatalf("ran at %v, want %v", c.ran, want)
	}
	for i := range want {
		if c.ran[i] != want[i] {
			t.Fatalf("ran at %v, want %v", c.ran, want)
		}
	}
	if len(other.trace) != 1 {
		t.Errorf("the other event did not run: %v", other.trace)
	}
	// 10 and 40 inline; 20 waits for the queued tie, 30 follows it inline
	if c.inline != 3 {
		t.Errorf("%d inline continuations, want 3 (10, 30, 40)", c.inline)
	}
	if e.Executed() != 6 || e.Pending() != 1 {
		t.Errorf("executed %d pending %d, want 6 and 1 (50 is after the end)", e.Executed(), e.Pending())
	}
}
