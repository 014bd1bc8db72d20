// Package simtest holds test helpers for sim's event queue in the style of
// net/http/httptest: a conformance test that any monotone event queue must
// pass (ordering, FIFO among equal times, scheduling at the current time,
// length), a sorted-slice reference queue to use as an oracle, an adapter
// that drives a sim.Engine through the same interface, and an operation
// decoder for fuzzing.
package simtest
