package tcp

import "testing"

// TestCallsIn: a write of n bytes is ceil(n / WriteBytes) send calls, each
// paid by the segment that carries its first byte; several writes (RR
// messages) each begin a call.
func TestCallsIn(t *testing.T) {
	t.Parallel()
	ep := &Endpoint{opt: &Options{WriteBytes: 4000}}
	ep.writes = []span{{0, 10000}, {10000, 10001}, {10001, 10002}}
	for i, tc := range []struct {
		end   int64
		calls uint16
	}{
		{1448, 1},  // the first call's first byte
		{2896, 0},  // the rest of the first call
		{4344, 1},  // offset 4000 begins the second call
		{8688, 1},  // 8000: the third
		{10000, 0}, // its last bytes
		{10002, 2}, // two 1-byte writes in one segment
		{20000, 0}, // nothing more written
	} {
		if got := ep.callsIn(tc.end); got != tc.calls {
			t.Errorf("step %d (to %d): %d calls, want %d", i, tc.end, got, tc.calls)
		}
	}
}
