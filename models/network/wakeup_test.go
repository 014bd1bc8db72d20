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
			_, _, r, _ := setupWith(t, cfg, overlay())
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
		})
	}
}

// TestTimeSlice: a reader whose sender runs on its core (SenderShares, one
// node) starts its copy Config.TimeSlice after the data that wakes it,
// whether or not the core looks idle then (the sender's next send is not
// booked yet), and data arriving meanwhile joins the call; a reader on
// another core, or on another node's core, is not held back by it.
func TestTimeSlice(t *testing.T) {
	t.Parallel()
	const slice = 500 * sim.Microsecond
	rd := Read{Pkts: 1, Bytes: 1000, Payload: 948, Size: 1 << 17}
	for _, tc := range []struct {
		name   string
		shares bool
		intra  bool
		want   sim.Time // the copy's start after the data at 10 us
	}{
		{name: "sender on the reader's core", shares: true, intra: true, want: slice},
		{name: "sender on another core", shares: false, intra: true, want: 0},
		{name: "another node (SenderShares ignored)", shares: true, intra: false, want: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.TimeSlice = slice
			r := readerRoute(t, cfg, tc.intra, tc.shares)
			copyTime := r.RecvCost(1000) + sim.Time(r.recv.psCall+r.recv.psWake+0.5)
			at := 10 * sim.Microsecond
			done := r.Recv(rd, at)
			if want := at + tc.want + copyTime; done != want {
				t.Errorf("copy done at %v, want %v", done, want)
			}
			if tc.want == 0 {
				return
			}
			// a packet 1 us later, while the reader waits for the slice
			if done2 := r.Recv(rd, at+sim.Microsecond); done2 != done+r.RecvCost(1000) {
				t.Errorf("second copy done at %v, want %v: in the same call, right after", done2, done+r.RecvCost(1000))
			}
			if r.recv.wakes != 1 {
				t.Errorf("%d wake-ups, want 1", r.recv.wakes)
			}
		})
	}
}

// TestTimeSliceWindow: a reader on its sender's core waits less than the
// slice when the sender will have used the window it was left sooner, at
// the rate its data arrived while it was sending (between the reader's last
// wake-up and the last arrival); exactly the slice when the window lasts
// longer, and for datagrams, which have no window.
func TestTimeSliceWindow(t *testing.T) {
	t.Parallel()
	const slice = 500 * sim.Microsecond
	for _, tc := range []struct {
		name      string
		window    int64
		datagrams bool
		want      sim.Time
	}{
		// 1,896 bytes arrived over the 10 us after the first wake-up:
		// 948 bytes of window last 5 us
		{name: "window used before the slice ends", window: 948, want: 5 * sim.Microsecond},
		{name: "window outlasts the slice", window: 1 << 30, want: slice},
		{name: "datagrams", window: 948, datagrams: true, want: slice},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.TimeSlice = slice
			r := readerRoute(t, cfg, true, true)
			rd := Read{Pkts: 1, Bytes: 1000, Payload: 948, Size: 1 << 17, WindowLeft: 1 << 30, Datagrams: tc.datagrams}
			r.Recv(rd, 10*sim.Microsecond) // wakes: the whole slice (no rate yet)
			r.Recv(rd, 20*sim.Microsecond) // joins the call
			rd.WindowLeft = tc.window
			at := 2 * sim.Millisecond // long after the call ended: the next wake-up
			done := r.Recv(rd, at)
			calls := sim.Time(r.recv.psCall + r.recv.psWake + 0.5) // one read call (or datagram) and the wake-up
			if want := at + tc.want + r.RecvCost(1000) + calls; done != want {
				t.Errorf("copy done at %v, want %v (a wait of %v)", done, want, tc.want)
			}
		})
	}
}

// readerRoute is the overlay path from node 0 to a reader on core 2, on
// node 0 (intra, its Encap dropped) or node 1, its sender on that core or
// not (shares).
func readerRoute(t *testing.T, cfg Config, intra, shares bool) *Route {
	t.Helper()
	n, err := New(sim.NewEngine(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	path, dst := overlay(), 1
	if intra {
		path.InterHost, path.EncapBytes, dst = false, 0, 0
	}
	r, err := n.NewRoute(RouteSpec{Path: path, Src: 0, Dst: dst, FlowKey: 7, RecvCore: 2, SenderShares: shares, To: &sink{n: n}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}
