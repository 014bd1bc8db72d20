package tcp

import (
	"math"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/sim"
)

// Options.LinuxTSQ's limit is tcp_small_queue_check's, in a full
// segment's IP bytes: two skbs' truesize at least, else 1/1024 of the
// pacing rate (2x cwnd*mss/srtt in slow start below half ssthresh, 1.2x
// after, of max(cwnd, packets out)), capped at TSQBytes; the cap before
// the first RTT sample (closed forms).
func TestLinuxTSQLimit(t *testing.T) {
	opt := Options{LinuxTSQ: true}.Defaults()
	const mss = 1448
	seg := float64(datapath.TCPIPOverhead+mss) / skbTruesize // IP bytes per truesize byte
	for _, tc := range []struct {
		name           string
		srtt           sim.Time
		cwnd, ssthresh float64
		out            int64 // segments unacknowledged
		want           int64
	}{
		{"no RTT sample: the cap", 0, 10, math.Inf(1), 10, opt.TSQBytes},
		{"slow start, 10 Mbit/s queue: two skbs", 40 * sim.Millisecond, 16, math.Inf(1), 12, int64(2 * skbTruesize * seg)},
		{"slow start: 2x", sim.Millisecond, 20, math.Inf(1), 12, int64(2 * 20 * mss / 1e-3 / 1024 * seg)},
		{"packets out above cwnd", sim.Millisecond, 20, math.Inf(1), 30, int64(2 * 30 * mss / 1e-3 / 1024 * seg)},
		{"congestion avoidance: 1.2x", sim.Millisecond, 20, 30, 12, int64(1.2 * 20 * mss / 1e-3 / 1024 * seg)},
		{"fast path: the cap", 50 * sim.Microsecond, 100, math.Inf(1), 100, opt.TSQBytes},
	} {
		ep := &Endpoint{opt: &opt, mss: mss, srtt: tc.srtt, cwnd: tc.cwnd, ssthresh: tc.ssthresh, sndMax: tc.out * mss}
		if got := ep.linuxTSQLimit(); got < tc.want-1 || got > tc.want+1 {
			t.Errorf("%s: limit %d bytes, want %d", tc.name, got, tc.want)
		}
	}
}
