package sim_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cnisim/cnisim/sim"
	"github.com/cnisim/cnisim/sim/simtest"
)

// spawner is a model whose events schedule children, some at the current
// time: what each event does depends only on its id, so a correct engine and
// the reference loop below make the same decisions and differ only if the
// order differs.
type spawner struct {
	trace  []string
	nextID uint64
	limit  uint64
	// schedule is Engine.Schedule, or the reference queue's Push.
	schedule func(at sim.Time, id uint64)
}

func (s *spawner) run(now sim.Time, id uint64) {
	s.trace = append(s.trace, fmt.Sprintf("%d@%d", id, now))
	if s.nextID >= s.limit {
		return
	}
	r := rand.New(rand.NewPCG(id, 99)) // decisions keyed by id only
	for range r.IntN(3) {
		s.nextID++
		var d sim.Time
		switch r.IntN(4) {
		case 0: // at now: after everything already pending at now
		case 1:
			d = sim.Time(r.IntN(3)) // near ties
		case 2:
			d = sim.Time(r.IntN(1000)) * sim.Nanosecond
		case 3:
			d = sim.Time(r.Int64N(int64(sim.Second)))
		}
		s.schedule(now+d, s.nextID)
	}
}

func (s *spawner) Handle(e *sim.Engine, id uint64) { s.run(e.Now(), id) }

// seed schedules n initial events with many equal times.
func (s *spawner) seed(rng *rand.Rand, n int) {
	for range n {
		s.nextID++
		s.schedule(sim.Time(rng.IntN(50))*sim.Microsecond, s.nextID)
	}
}

func runEngine(seed uint64) []string {
	e := sim.NewEngine()
	s := &spawner{limit: 5000}
	s.schedule = func(at sim.Time, id uint64) { e.Schedule(at, s, id) }
	s.seed(rand.New(rand.NewPCG(seed, 1)), 300)
	e.Run()
	return s.trace
}

func runReference(seed uint64) []string {
	var q simtest.Reference
	s := &spawner{limit: 5000, schedule: q.Push}
	s.seed(rand.New(rand.NewPCG(seed, 1)), 300)
	for {
		at, id, ok := q.Pop()
		if !ok {
			return s.trace
		}
		s.run(at, id)
	}
}

func TestEngineOrderMatchesSortedReference(t *testing.T) {
	t.Parallel()
	for seed := uint64(1); seed <= 5; seed++ {
		got, want := runEngine(seed), runReference(seed)
		if len(got) != len(want) {
			t.Fatalf("seed %d: engine ran %d events, reference %d", seed, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("seed %d: event %d is %s, want %s (id@time)", seed, i, got[i], want[i])
			}
		}
	}
}

func TestEngineDeterministic(t *testing.T) {
	t.Parallel()
	a, b, c := runEngine(7), runEngine(7), runEngine(8)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatal("same seed gave different traces")
	}
	if fmt.Sprint(a) == fmt.Sprint(c) {
		t.Fatal("different seeds gave the same trace")
	}
}

// recorder logs "arg@time" for each event.
type recorder struct{ log []string }

func (r *recorder) Handle(e *sim.Engine, arg uint64) {
	r.log = append(r.log, fmt.Sprintf("%d@%d", arg, e.Now()))
}

func TestRunUntilBoundary(t *testing.T) {
	t.Parallel()
	e := sim.NewEngine()
	r := &recorder{}
	e.Schedule(10, r, 1)
	e.Schedule(20, r, 2)
	// An event at exactly end runs, and so does one it schedules at now.
	e.Schedule(20, sim.HandlerFunc(func(e *sim.Engine, _ uint64) { e.Schedule(e.Now(), r, 3) }), 0)
	e.Schedule(21, r, 4)
	e.RunUntil(20)
	if got := fmt.Sprint(r.log); got != "[1@10 2@20 3@20]" {
		t.Fatalf("RunUntil(20) ran %s", got)
	}
	if e.Now() != 20 || e.Pending() != 1 || e.Executed() != 4 {
		t.Fatalf("after RunUntil(20): Now=%d Pending=%d Executed=%d, want 20 1 4", e.Now(), e.Pending(), e.Executed())
	}
	// The clock moves to end even with no event there, and an event may
	// then be scheduled before the pending one at 21.
	e.RunUntil(20) // no-op
	e.Schedule(20, r, 5)
	e.RunUntil(20)
	if e.Now() != 20 || r.log[len(r.log)-1] != "5@20" {
		t.Fatalf("second RunUntil(20): Now=%d log=%v", e.Now(), r.log)
	}
	r.log = nil
	e.Schedule(20, r, 6)
	e.RunUntil(20)       // end == now: events at now still run
	e.Schedule(21, r, 7) // ties with the pending event 4: after it
	e.RunUntil(100)
	if got := fmt.Sprint(r.log); got != "[6@20 4@21 7@21]" || e.Now() != 100 {
		t.Fatalf("RunUntil(100) ran %s, Now=%d; want [6@20 4@21 7@21], 100", got, e.Now())
	}
	// Run leaves the clock at the last event, not at Never.
	e.Schedule(150, r, 8)
	e.Run()
	if e.Now() != 150 {
		t.Fatalf("Run: Now=%d, want 150", e.Now())
	}
}

func TestStop(t *testing.T) {
	t.Parallel()
	e := sim.NewEngine()
	r := &recorder{}
	e.Schedule(1, r, 1)
	e.Schedule(2, sim.HandlerFunc(func(e *sim.Engine, _ uint64) { e.Stop() }), 0)
	e.Schedule(2, r, 2) // same time as the Stop: not run by this Run
	e.Schedule(3, r, 3)
	e.RunUntil(10)
	if got := fmt.Sprint(r.log); got != "[1@1]" || e.Now() != 2 || e.Pending() != 2 {
		t.Fatalf("stopped run: log %s Now=%d Pending=%d; want [1@1] 2 2", got, e.Now(), e.Pending())
	}
	// A later Run resumes where Stop left off.
	e.RunUntil(10)
	if got := fmt.Sprint(r.log); got != "[1@1 2@2 3@3]" || e.Now() != 10 {
		t.Fatalf("resumed run: log %s Now=%d", got, e.Now())
	}
}

func TestStep(t *testing.T) {
	t.Parallel()
	e := sim.NewEngine()
	r := &recorder{}
	e.Schedule(5, r, 1)
	e.Schedule(5, r, 2)
	if !e.Step() || e.Now() != 5 || len(r.log) != 1 {
		t.Fatalf("first Step: Now=%d log=%v", e.Now(), r.log)
	}
	if !e.Step() || e.Step() {
		t.Fatal("Step should run exactly two events")
	}
}

func TestScheduleInThePastPanics(t *testing.T) {
	t.Parallel()
	e := sim.NewEngine()
	e.Schedule(10, &recorder{}, 0)
	e.Run()
	defer func() {
		if recover() == nil {
			t.Fatal("Schedule before Now did not panic")
		}
	}()
	e.Schedule(9, &recorder{}, 0)
}

func TestEngineAllocatesNothingPerEvent(t *testing.T) {
	e := sim.NewEngine()
	var h sim.Handler
	h = sim.HandlerFunc(func(e *sim.Engine, n uint64) { e.After(sim.Time(n%7)*sim.Nanosecond, h, n+1) })
	for i := range 100 {
		e.After(sim.Time(i), h, uint64(i))
	}
	e.RunUntil(e.Now() + 20*sim.Microsecond) // grow the queue to its size
	allocs := testing.AllocsPerRun(10, func() { e.RunUntil(e.Now() + sim.Microsecond) })
	if allocs != 0 {
		t.Fatalf("%v allocations per RunUntil, want 0", allocs)
	}
}
