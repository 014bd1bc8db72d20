// Package sim is cnisim's discrete-event engine: simulated time in
// picoseconds, an event scheduler with FIFO tie-breaking, cheap re-armable
// timers, FIFO servers computed as "busy until" without events (Server,
// with a bounded queue and its length, for a NIC; Processor, the bare
// busy-until time and the idle gaps that jobs booked ahead of the clock
// leave, for a CPU core), reproducible random streams and the
// statistics used to summarise replications (Summary, Student-t CI95, a
// log-linear Histogram for latency quantiles in constant memory).
//
// The scheduler is a monotone radix heap with byte digits (time never goes
// backwards), storing events by value, each bucket's first in the bucket
// (one cache line) and the rest in a block arena: about 25 M events/s
// with 1,000 pending events and 20 M with 100,000 on one core of the
// project's machine, with no allocation per event (BenchmarkHoldModel).
// Up to 64 pending events (a packet model's links and timers, for a few flows)
// skip the heap: they wait in a short array sorted by pop order.
// Package simtest holds a conformance test and a fuzz oracle for it.
//
// Three hooks let a model spend fewer events than it has happenings, with
// the same order: Defer runs a call once the running event returns (to
// finish a batch in time order), Horizon says how early anything not yet
// asked for can happen, and Continue runs a model's own next event inline
// when it would be the engine's next event anyway.
//
// The package knows nothing about networks and does no I/O.
package sim
