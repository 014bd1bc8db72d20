package tcp

import "math"

// The application's writer, as the workloads drive it: a TCP writer pays
// the sched stage of its send context (datapath/calls.go) only when the
// workload says it was woken. Output limited by the congestion or the
// peer's window does not block a Linux writer, whose data waits in the
// socket; only a full send buffer does (sk_stream_wait_memory).

// WriterWoke says the application's writer, blocked on a full send
// buffer, was woken (sk_stream_write_space): a new segment pays its
// wake-up (one wake-up a segment, in the order they came).
func (ep *Endpoint) WriterWoke() {
	if ep.writerWakes < math.MaxUint8 {
		ep.writerWakes++
	}
}

// WriterSlept says the application slept before its next write (a paced
// writer ahead of its schedule): the next new segment pays the sleep's
// call, and a new segment the wake-up from it.
func (ep *Endpoint) WriterSlept() {
	ep.WriterWoke()
	if ep.sleepCalls < math.MaxUint8 {
		ep.sleepCalls++
	}
}
