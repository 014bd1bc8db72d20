package sim_test

import (
	"math"
	"testing"

	"github.com/cnisim/cnisim/sim"
)

// A Processor computes exactly the start and completion times, busy time,
// job count and utilisation of a Server offered the same jobs.
func TestProcessorMatchesServer(t *testing.T) {
	t.Parallel()
	st := sim.Streams{Seed: 7}
	r := st.Stream("jobs")
	var p sim.Processor
	var s sim.Server
	now := sim.Time(0)
	for i := range 100000 {
		now += sim.Time(r.IntN(200)) // idle gaps and bursts (0 = simultaneous)
		svc := sim.Time(r.IntN(150))
		ps, pd := p.Serve(now, svc)
		ss, sd := s.Serve(now, svc)
		if ps != ss || pd != sd {
			t.Fatalf("job %d at %d (service %d): processor (%d, %d), server (%d, %d)", i, now, svc, ps, pd, ss, sd)
		}
		if p.BusyUntil() != s.BusyUntil() {
			t.Fatalf("job %d: BusyUntil %d, server %d", i, p.BusyUntil(), s.BusyUntil())
		}
	}
	if p.Jobs() != s.Jobs() || p.BusyTime() != s.BusyTime() {
		t.Fatalf("Jobs %d BusyTime %d, server %d %d", p.Jobs(), p.BusyTime(), s.Jobs(), s.BusyTime())
	}
	for _, at := range []sim.Time{0, now / 2, now, p.BusyUntil(), p.BusyUntil() + 1000} {
		if u, w := p.Utilisation(at), s.Utilisation(at); math.Abs(u-w) > 1e-15 {
			t.Fatalf("Utilisation(%d) = %v, server %v", at, u, w)
		}
	}
}

func TestProcessorFIFO(t *testing.T) {
	t.Parallel()
	var p sim.Processor
	for _, c := range []struct{ now, service, start, done sim.Time }{
		{0, 10, 0, 10},
		{2, 5, 10, 15},
		{3, 1, 15, 16},
		{20, 4, 20, 24}, // idle again
		{20, 0, 24, 24}, // a free job still waits its turn
	} {
		start, done := p.Serve(c.now, c.service)
		if start != c.start || done != c.done {
			t.Fatalf("Serve(%d, %d) = %d, %d; want %d, %d", c.now, c.service, start, done, c.start, c.done)
		}
	}
	if u := p.Utilisation(22); math.Abs(u-18.0/22) > 1e-12 {
		t.Fatalf("Utilisation(22) = %v, want %v", u, 18.0/22)
	}
}

// timeline is a brute-force reference for Processor.Book: one bool per
// picosecond, a job taking the earliest idle picoseconds from its arrival.
type timeline struct{ busy []bool }

func (tl *timeline) book(at, service sim.Time) (start, done sim.Time) {
	t := at
	for tl.at(t) {
		t++
	}
	start, done = t, t // a free job: at the first idle instant
	for left := service; left > 0; t++ {
		if tl.at(t) {
			continue
		}
		tl.busy[t] = true
		left--
		done = t + 1
	}
	return start, done
}

// at reports whether picosecond t is busy, growing the timeline.
func (tl *timeline) at(t sim.Time) bool {
	for int(t) >= len(tl.busy) {
		tl.busy = append(tl.busy, make([]bool, len(tl.busy)+64)...)
	}
	return tl.busy[t]
}

// busyBy is the busy time in [0, now).
func (tl *timeline) busyBy(now sim.Time) sim.Time {
	var b sim.Time
	for t := sim.Time(0); t < now && int(t) < len(tl.busy); t++ {
		if tl.busy[t] {
			b++
		}
	}
	return b
}

// checkBook books the jobs (the clock's steps, how far ahead each arrives,
// its service; all taken modulo small ranges) on a Processor and on the
// reference, and compares every start and completion time and the busy
// time by the clock.
func checkBook(t *testing.T, steps, ahead, service []uint8) {
	var p sim.Processor
	var tl timeline
	now := sim.Time(0)
	for i := range steps {
		now += sim.Time(steps[i] % 8)
		at := now
		if a := ahead[i%len(ahead)]; a%4 == 0 { // a quarter booked ahead of the clock
			at += sim.Time(a)
		}
		svc := sim.Time(service[i%len(service)] % 40)
		ps, pd := p.Book(now, at, svc)
		rs, rd := tl.book(at, svc)
		if ps != rs || pd != rd {
			t.Fatalf("job %d: Book(now %d, at %d, service %d) = %d, %d; want %d, %d", i, now, at, svc, ps, pd, rs, rd)
		}
		if b, want := p.BusyBy(now), tl.busyBy(now); b != want {
			t.Fatalf("job %d: BusyBy(%d) = %d, want %d", i, now, b, want)
		}
	}
	if want := tl.busyBy(sim.Time(len(tl.busy))); p.BusyTime() != want {
		t.Fatalf("BusyTime %d, want %d (conservation)", p.BusyTime(), want)
	}
}

// Jobs booked ahead of the clock leave gaps that earlier arrivals fill, in
// time order, interrupted by the booked work (the brute-force timeline).
func TestProcessorBookMatchesTimeline(t *testing.T) {
	t.Parallel()
	r := sim.Streams{Seed: 11}.Stream("book")
	for range 200 {
		n := 1 + r.IntN(300)
		steps, ahead, service := make([]uint8, n), make([]uint8, n), make([]uint8, n)
		for i := range n {
			steps[i], ahead[i], service[i] = uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256))
		}
		checkBook(t, steps, ahead, service)
	}
}

func FuzzProcessorBook(f *testing.F) {
	f.Add([]byte{1, 2, 3}, []byte{0, 100, 4}, []byte{10, 20, 30})
	f.Fuzz(func(t *testing.T, steps, ahead, service []byte) {
		if len(steps) == 0 || len(ahead) == 0 || len(service) == 0 || len(steps) > 2000 {
			return
		}
		checkBook(t, steps, ahead, service)
	})
}

// A job arriving while the core idles before work booked ahead runs then,
// not after it: the late core's artefact this replaces.
func TestProcessorBookFillsGap(t *testing.T) {
	t.Parallel()
	var p sim.Processor
	for _, c := range []struct{ now, at, service, start, done sim.Time }{
		{0, 100, 10, 100, 110}, // booked ahead: idle [0, 100)
		{5, 5, 20, 5, 25},      // runs at once
		{30, 90, 30, 90, 130},  // 10 before the booking, 20 after it
		{40, 40, 0, 40, 40},    // a free job: at once, the core is idle
		{50, 60, 5, 60, 65},
		{60, 60, 200, 65, 305}, // [65, 90) then after 130
	} {
		start, done := p.Book(c.now, c.at, c.service)
		if start != c.start || done != c.done {
			t.Fatalf("Book(%d, %d, %d) = %d, %d; want %d, %d", c.now, c.at, c.service, start, done, c.start, c.done)
		}
	}
	if b := p.BusyBy(100); b != 20+10+5+25 {
		t.Fatalf("BusyBy(100) = %d, want 60", b)
	}
}
