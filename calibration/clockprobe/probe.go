package clockprobe

// CyclesPerStep is the latency of one step of the chain on x86-64: IMUL
// r64, r64 (3 cycles) then ADD (1), each on the result of the one before.
const CyclesPerStep = 4

// Block is how many steps Chain runs per call: about 4k cycles, a couple
// of microseconds, so a caller can count progress and stop promptly.
const Block = 1 << 10

// Chain runs Block dependent multiply-add steps from x and returns the
// result (keep it live, or the compiler may drop the loop). Not inlined,
// so that its loop compiles to one IMUL and one ADD on x per step
// (go tool objdump -s clockprobe.Chain).
//
//go:noinline
func Chain(x uint64) uint64 {
	for range Block {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

// ReferenceDatagram is the reference workload's datagram size in bytes
// (Reference): an MTU-1500 packet's TCP payload, rounded.
const ReferenceDatagram = 1400

// GHz is the clock that ran steps steps in runNs nanoseconds of a
// thread's run time.
func GHz(steps uint64, runNs float64) float64 {
	if runNs <= 0 {
		return 0
	}
	return float64(steps) * CyclesPerStep / runNs
}
