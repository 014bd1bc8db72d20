package sim_test

import (
	"fmt"

	"github.com/cnisim/cnisim/sim"
)

// The hold model: each event reschedules itself an exponential time later,
// drawn from a named random stream, so the run is reproducible.
func Example_holdModel() {
	e := sim.NewEngine()
	rng := sim.Streams{Seed: 1, Replication: 0}.Stream("hold")
	var hold sim.Handler
	hold = sim.HandlerFunc(func(e *sim.Engine, id uint64) {
		fmt.Printf("%v: event %d\n", e.Now().Duration(), id)
		e.After(sim.Time(rng.ExpFloat64()*float64(sim.Microsecond)), hold, id)
	})
	for id := range 3 {
		e.After(0, hold, uint64(id)) // equal times run in scheduling order
	}
	e.RunUntil(2 * sim.Microsecond)
	fmt.Println(e.Executed(), "events run,", e.Pending(), "pending, now", e.Now())
	// Output:
	// 0s: event 0
	// 0s: event 1
	// 0s: event 2
	// 289ns: event 0
	// 553ns: event 0
	// 856ns: event 1
	// 1.097µs: event 2
	// 1.316µs: event 0
	// 1.669µs: event 1
	// 9 events run, 3 pending, now 2µs
}

// A FIFO server needs no event per job; its queue length feeds a
// time-weighted mean.
func ExampleServer() {
	e := sim.NewEngine()
	st := sim.Streams{Seed: 7, Replication: 0}
	arrivals, service := st.Stream("arrivals"), st.Stream("service")
	var core sim.Server
	var queue sim.TimeWeighted
	queue.Set(0, 0)
	core.OnQueueLen = func(at sim.Time, n int) { queue.Set(at, float64(n)) }
	var wait sim.Summary
	var arrive sim.Handler
	arrive = sim.HandlerFunc(func(e *sim.Engine, _ uint64) {
		// M/M/1 at 80% load: mean service 1 µs, mean gap 1.25 µs.
		start, _ := core.Serve(e.Now(), sim.Time(service.ExpFloat64()*1e6))
		wait.Add((start - e.Now()).Seconds() * 1e6)
		e.After(sim.Time(arrivals.ExpFloat64()*1.25e6), arrive, 0)
	})
	e.After(0, arrive, 0)
	end := 200 * sim.Millisecond
	e.RunUntil(end)
	core.QueueLen(end) // report departures up to end
	fmt.Printf("utilisation %.2f, mean wait %.1f µs, mean jobs in system %.1f\n",
		core.Utilisation(end), wait.Mean(), queue.Mean(end))
	// Output:
	// utilisation 0.80, mean wait 3.9 µs, mean jobs in system 3.9
}

// A retransmission timer re-armed on every ACK fires once, RTO after the
// last ACK, and costs no event per re-arm.
func ExampleTimer() {
	e := sim.NewEngine()
	rto := sim.NewTimer(e, sim.HandlerFunc(func(e *sim.Engine, _ uint64) {
		fmt.Println("retransmission timeout at", e.Now())
	}), 0)
	ack := sim.HandlerFunc(func(e *sim.Engine, _ uint64) { rto.Reset(200 * sim.Millisecond) })
	for i := range 5 {
		e.Schedule(sim.Time(i)*10*sim.Millisecond, ack, 0)
	}
	e.Run()
	fmt.Println(e.Executed(), "events")
	// Output:
	// retransmission timeout at 240ms
	// 7 events
}

// Replication means summarised with a Student-t 95% confidence interval.
func ExampleSummary() {
	var s sim.Summary
	for _, x := range []float64{9.8, 10.4, 10.1, 9.7, 10.0} {
		s.Add(x)
	}
	fmt.Printf("%.2f ± %.2f (n=%d)\n", s.Mean(), s.CI95(), s.N())
	// Output:
	// 10.00 ± 0.34 (n=5)
}

// A core as a Processor: three jobs arriving together run one after the
// other, each start and end known when the job arrives, with no events.
func ExampleProcessor() {
	var core sim.Processor
	for i := range 3 {
		start, done := core.Serve(0, sim.Cycles(2400, 2.4)) // 2400 cycles at 2.4 GHz: 1 µs
		fmt.Printf("job %d: %v .. %v\n", i, start.Duration(), done.Duration())
	}
	fmt.Printf("busy %v, utilisation over 4 µs %.2f\n", core.BusyTime().Duration(), core.Utilisation(4*sim.Microsecond))
	// Output:
	// job 0: 0s .. 1µs
	// job 1: 1µs .. 2µs
	// job 2: 2µs .. 3µs
	// busy 3µs, utilisation over 4 µs 0.75
}

// Latencies into a Histogram: constant memory whatever their number,
// quantiles exact while each bucket holds one distinct value.
func ExampleHistogram() {
	var h sim.Histogram
	for i := range 1000 {
		lat := 20 * sim.Microsecond
		if i%100 == 99 {
			lat = 250 * sim.Microsecond // one transaction in a hundred waits
		}
		h.Record(lat)
	}
	fmt.Printf("n %d, mean %.1f µs, p50 %.0f µs, p99 %.0f µs, p99.9 %.0f µs\n",
		h.N(), h.Mean()*1e6, h.Quantile(0.5)*1e6, h.Quantile(0.99)*1e6, h.Quantile(0.999)*1e6)
	// Output:
	// n 1000, mean 22.3 µs, p50 20 µs, p99 20 µs, p99.9 250 µs
}
