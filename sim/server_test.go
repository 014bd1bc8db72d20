package sim_test

import (
	"math"
	"testing"

	"github.com/cnisim/cnisim/sim"
)

// mm1 is an M/M/1 (or M/M/1/K with Limit) queue in time units of 1 µs:
// Poisson arrivals are events, the server needs none.
type mm1 struct {
	s             sim.Server
	arrive, serve func() sim.Time
	stop          sim.Time // no arrivals after stop
	offered       int
	wait, sojourn sim.Summary
	inSystem      sim.TimeWeighted
}

func newMM1(rep int, lambda, mu float64, stop sim.Time, limit int) *mm1 {
	st := sim.Streams{Seed: 2024, Replication: rep}
	a, s := st.Stream("arrivals"), st.Stream("service")
	m := &mm1{stop: stop}
	m.arrive = func() sim.Time { return sim.Time(a.ExpFloat64() / lambda * float64(sim.Microsecond)) }
	m.serve = func() sim.Time { return sim.Time(s.ExpFloat64() / mu * float64(sim.Microsecond)) }
	m.s.Limit = limit
	m.inSystem.Set(0, 0)
	m.s.OnQueueLen = func(at sim.Time, n int) { m.inSystem.Set(at, float64(n)) }
	return m
}

func (m *mm1) Handle(e *sim.Engine, _ uint64) {
	now := e.Now()
	m.offered++
	if m.s.Limit > 0 {
		if done, ok := m.s.Offer(now, m.serve()); ok {
			m.sojourn.Add(float64(done - now))
		}
	} else {
		start, done := m.s.Serve(now, m.serve())
		m.wait.Add(float64(start-now) / float64(sim.Microsecond))
		m.sojourn.Add(float64(done-now) / float64(sim.Microsecond))
	}
	if next := now + m.arrive(); next < m.stop {
		e.Schedule(next, m, 0)
	}
}

// run simulates arrivals until stop, then lets the server drain; it returns
// the time the last job left.
func (m *mm1) run() sim.Time {
	e := sim.NewEngine()
	e.Schedule(m.arrive(), m, 0)
	e.Run()
	end := m.s.BusyUntil()
	m.s.QueueLen(end) // report the remaining departures
	return end
}

// M/M/1 with lambda = 0.8, mu = 1 per µs (rho = 0.8): mean wait in queue
// Wq = rho/(mu-lambda) = 4 µs, mean number in system L = rho/(1-rho) = 4,
// utilisation rho (Kleinrock, Queueing Systems vol. 1, §3.2; any queueing
// text). Each replication's estimate is one observation; the theoretical
// value must lie in the 95% Student-t interval over 20 replications, and the
// interval must be narrow enough to catch a server that is 10% off.
func TestServerMM1(t *testing.T) {
	t.Parallel()
	const lambda, mu, reps = 0.8, 1.0, 20
	const rho = lambda / mu
	stop := 100 * sim.Millisecond // about 80,000 customers per replication
	var wq, util, l sim.Summary
	for rep := range reps {
		m := newMM1(rep, lambda, mu, stop, 0)
		end := m.run()
		wq.Add(m.wait.Mean())
		util.Add(m.s.Utilisation(stop))
		l.Add(m.inSystem.Mean(end))

		// Little's law holds exactly once the system is empty again: the
		// area under the number in system is the sum of the sojourn times.
		area := m.inSystem.Mean(end) * end.Seconds() * 1e6 // in µs
		sum := m.sojourn.Mean() * float64(m.sojourn.N())
		if math.Abs(area-sum) > 1e-9*sum {
			t.Fatalf("rep %d: integral of N(t) = %.9g µs, sum of sojourns = %.9g µs", rep, area, sum)
		}
	}
	for _, c := range []struct {
		name string
		s    *sim.Summary
		want float64
	}{
		{"Wq (µs)", &wq, rho / (mu - lambda)},
		{"utilisation", &util, rho},
		{"L (time-weighted jobs in system)", &l, rho / (1 - rho)},
	} {
		mean, hw := c.s.Mean(), c.s.CI95()
		t.Logf("%s: %.4f ± %.4f (theory %.4f)", c.name, mean, hw, c.want)
		if math.Abs(mean-c.want) > hw {
			t.Errorf("%s = %.4f ± %.4f, theory %.4f outside the 95%% CI", c.name, mean, hw, c.want)
		}
		if hw > 0.05*c.want {
			t.Errorf("%s: CI half-width %.4f too wide to test against %.4f", c.name, hw, c.want)
		}
	}
}

// M/M/1/K (K = Limit jobs in the system): an arrival is refused with the
// probability that the system is full, P_K = (1-rho) rho^K / (1-rho^(K+1))
// (PASTA; Kleinrock vol. 1, §3.6).
func TestServerBoundedQueueDrops(t *testing.T) {
	t.Parallel()
	const lambda, mu, k, reps = 0.8, 1.0, 5, 20
	const rho = lambda / mu
	want := (1 - rho) * math.Pow(rho, k) / (1 - math.Pow(rho, k+1)) // 0.0888
	var pdrop sim.Summary
	for rep := range reps {
		m := newMM1(rep, lambda, mu, 20*sim.Millisecond, k)
		m.run()
		if got := int(m.s.Jobs() + m.s.Dropped()); got != m.offered {
			t.Fatalf("accepted + dropped = %d, offered %d", got, m.offered)
		}
		pdrop.Add(float64(m.s.Dropped()) / float64(m.offered))
	}
	t.Logf("P(drop) = %.4f ± %.4f (theory %.4f)", pdrop.Mean(), pdrop.CI95(), want)
	if math.Abs(pdrop.Mean()-want) > pdrop.CI95() || pdrop.CI95() > 0.1*want {
		t.Errorf("P(drop) = %.4f ± %.4f, theory %.4f", pdrop.Mean(), pdrop.CI95(), want)
	}
}

func TestServerFIFO(t *testing.T) {
	t.Parallel()
	var s sim.Server
	var changes [][2]int64
	s.OnQueueLen = func(at sim.Time, n int) { changes = append(changes, [2]int64{int64(at), int64(n)}) }
	// A job on an idle server starts at once; later arrivals queue behind.
	for _, c := range []struct{ now, service, start, done sim.Time }{
		{0, 10, 0, 10},
		{2, 5, 10, 15},
		{3, 1, 15, 16},
		{20, 4, 20, 24}, // idle again
	} {
		start, done := s.Serve(c.now, c.service)
		if start != c.start || done != c.done {
			t.Fatalf("Serve(%d, %d) = %d, %d; want %d, %d", c.now, c.service, start, done, c.start, c.done)
		}
	}
	if n := s.QueueLen(24); n != 0 {
		t.Fatalf("QueueLen(24) = %d", n)
	}
	want := [][2]int64{{0, 1}, {2, 2}, {3, 3}, {10, 2}, {15, 1}, {16, 0}, {20, 1}, {24, 0}}
	if len(changes) != len(want) {
		t.Fatalf("queue length changes %v, want %v", changes, want)
	}
	for i := range want {
		if changes[i] != want[i] {
			t.Fatalf("queue length changes %v, want %v", changes, want)
		}
	}
	if s.Jobs() != 4 || s.BusyTime() != 20 {
		t.Fatalf("Jobs=%d BusyTime=%d, want 4, 20", s.Jobs(), s.BusyTime())
	}
	// Busy 10+5+1 of the first 16 and 4 of 20..24; at 22 half of the last
	// job is still ahead.
	if u := s.Utilisation(22); math.Abs(u-18.0/22) > 1e-12 {
		t.Fatalf("Utilisation(22) = %v, want %v", u, 18.0/22)
	}
}

func TestServerLimit(t *testing.T) {
	t.Parallel()
	s := sim.Server{Limit: 2}
	for i, c := range []struct {
		now  sim.Time
		ok   bool
		done sim.Time
	}{
		{0, true, 10},
		{0, true, 20},
		{5, false, 0},  // two in the system
		{10, true, 30}, // the first left at 10
		{11, false, 0},
	} {
		done, ok := s.Offer(c.now, 10)
		if ok != c.ok || done != c.done {
			t.Fatalf("offer %d at %d: (%d, %v), want (%d, %v)", i, c.now, done, ok, c.done, c.ok)
		}
	}
	if s.Dropped() != 2 || s.Jobs() != 3 {
		t.Fatalf("Dropped=%d Jobs=%d, want 2, 3", s.Dropped(), s.Jobs())
	}
}

func TestServerAllocatesNothingPerJob(t *testing.T) {
	var s sim.Server
	var w sim.TimeWeighted
	s.OnQueueLen = func(at sim.Time, n int) { w.Set(at, float64(n)) }
	now := sim.Time(0)
	for range 1000 { // grow the ring
		now += 3
		s.Serve(now, 2)
	}
	allocs := testing.AllocsPerRun(100, func() {
		now += 3
		s.Serve(now, 2)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per job, want 0", allocs)
	}
}
