// Package sim is cnisim's discrete-event engine: simulated time in
// picoseconds, an event scheduler with FIFO tie-breaking, cheap re-armable
// timers, FIFO servers (CPU cores, links), reproducible random streams and
// the statistics used to summarise replications.
//
// The package knows nothing about networks and does no I/O.
package sim
