package sim

// GrowRing grows a full power-of-two ring buffer, the one cold path that
// the simulator's rings share (the servers here; links, receive rings and
// transmit queues in models/network). Each ring keeps its own head and
// size and indexes with a mask on its hot path.
//
// It returns a buffer of twice buf's length, at least least (a power of
// two), holding buf's n elements from head (wrapping at its end) at
// 0..n-1: the caller sets its head to 0.
func GrowRing[T any](buf []T, head, n, least int) []T {
	out := make([]T, max(2*len(buf), least))
	mask := len(buf) - 1
	for i := 0; i < n; i++ {
		out[i] = buf[(head+i)&mask]
	}
	return out
}
