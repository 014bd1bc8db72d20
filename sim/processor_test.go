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
