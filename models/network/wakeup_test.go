package network

import (
	"testing"

	"github.com/cnisim/cnisim/sim"
)

// TestWakeupLatency: a reader asleep on an idle core starts its copy
// Config.WakeupLatency after the data that wakes it, exactly; data arriving
// while it wakes or copies is read by the same call, with no second
// latency; a reader whose core is busy with other work at the wake-up
// waits for that work only (the core is not idle, so nothing wakes it).
func TestWakeupLatency(t *testing.T) {
	t.Parallel()
	const lat = 20 * sim.Microsecond
	rd := Read{Pkts: 1, Bytes: 1000, Payload: 948, Size: 1 << 17}
	for _, tc := range []struct {
		name    string
		latency sim.Time
		busy    sim.Time // the reader's core runs other work over [0, busy)
		second  bool     // a second packet 1 us after the first
	}{
		{name: "no latency", latency: 0},
		{name: "idle core", latency: lat},
		{name: "idle core, second packet while waking", latency: lat, second: true},
		{name: "busy core", latency: lat, busy: 50 * sim.Microsecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.WakeupLatency = tc.latency
			_, n, r, _ := setupWith(t, cfg, overlay())
			if tc.busy > 0 {
				r.recvProc.Book(0, 0, tc.busy)
			}
			copyTime := r.RecvCost(1000) + sim.Time(r.recv.psCall+r.recv.psWake+0.5)
			at := 10 * sim.Microsecond
			done := r.Recv(rd, at)
			start := at + tc.latency
			if tc.busy > 0 {
				start = tc.busy
			}
			if want := start + copyTime; done != want {
				t.Errorf("copy done at %v, want %v (start %v + copy %v)", done, want, start, copyTime)
			}
			if r.recv.wakes != 1 {
				t.Errorf("%d wake-ups, want 1", r.recv.wakes)
			}
			if !tc.second {
				return
			}
			done2 := r.Recv(rd, at+sim.Microsecond)
			if want := done + r.RecvCost(1000); done2 != want {
				t.Errorf("second copy done at %v, want %v: right after the first, no second wake-up", done2, want)
			}
			if r.recv.wakes != 1 {
				t.Errorf("%d wake-ups after the second packet, want 1", r.recv.wakes)
			}
			_ = n
		})
	}
}
