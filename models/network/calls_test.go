package network

import "testing"

// TestReadCalls: a woken reader reads what it finds in calls of Size
// bytes; data arriving while it copies joins the call in progress up to
// Size, then further calls; a datagram socket reads one packet per call.
func TestReadCalls(t *testing.T) {
	t.Parallel()
	var r Route
	for i, tc := range []struct {
		rd    Read
		woke  bool
		calls int64
		carry int64
	}{
		{Read{Pkts: 1, Payload: 1448, Size: 4096}, true, 1, 1448},
		{Read{Pkts: 1, Payload: 1448, Size: 4096}, false, 0, 2896},
		{Read{Pkts: 1, Payload: 1448, Size: 4096}, false, 1, 248}, // 1200 fill the call, 248 begin the next
		{Read{Pkts: 6, Payload: 8688, Size: 4096}, true, 3, 496},
		{Read{Pkts: 2, Payload: 2, Size: 1}, true, 2, 1},
		{Read{Pkts: 3, Payload: 3000, Size: 1, Datagrams: true}, false, 3, 1},
		{Read{Pkts: 1, Payload: 0, Size: 4096}, true, 1, 0}, // a FIN: the call returns
		{Read{Pkts: 1, Payload: 9000}, true, 1, 0},          // no size: one call takes all
		{Read{Pkts: 1, Payload: 9000}, false, 0, 0},
	} {
		if got := r.readCalls(&tc.rd, tc.woke); got != tc.calls || r.readCarry != tc.carry {
			t.Errorf("case %d: %d calls, carry %d; want %d, %d", i, got, r.readCarry, tc.calls, tc.carry)
		}
	}
}
