package datapath

// Application calls and wake-ups (issue 20; fidelity.md "Syscalls and
// wake-ups dominate small messages"). A `syscall` step in the sending
// process's context (Send) or the receiving process's context (Recv) is
// paid once per send or read call of the application, not per packet: an
// iperf3 write of 128 KiB crosses it once for some 90 segments, a 1-byte
// TCP_RR request once for its one segment. A `sched` step there is paid
// once per wake-up of the blocked reader (Recv) or of the writer (Send:
// blocked on a full send buffer, or a paced sender woken from its sleep).
// Pure ACKs and retransmissions, which the kernel sends without a call,
// pay neither.
// In a user-space daemon's context (Daemon) both stay per packet: the
// daemon reads and writes one packet per call and is woken for each.

// Per says how often a step is paid.
type Per uint8

const (
	PerPacket     Per = iota // every packet (data or ACK) crossing the step
	PerWrite                 // every send call of the application
	PerRead                  // every read call of the application
	PerWake                  // every wake-up of the blocked reader
	PerWriterWake            // every wake-up of the writer (blocked, or sleeping to pace its sends)
)

// StepPer returns how often a step of kind k in context c is paid.
func StepPer(k Kind, c Context) Per {
	switch {
	case k == Syscall && c == Send:
		return PerWrite
	case k == Syscall && c == Recv:
		return PerRead
	case k == Sched && c == Recv:
		return PerWake
	case k == Sched && c == Send:
		return PerWriterWake
	}
	return PerPacket
}
