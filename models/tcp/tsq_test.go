package tcp

import (
	"math"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/sim"
)

// Options.LinuxTSQ's limit is tcp_small_queue_check's, in a full
// segment's IP bytes: two truesizes of the skb about to go at least, else
// 1/1024 of the pacing rate (2x cwnd*mss/srtt in slow start below half
// ssthresh, 1.2x after, of max(cwnd, packets out)), capped at TSQBytes;
// the cap before the first RTT sample (closed forms).
func TestLinuxTSQLimit(t *testing.T) {
	opt := Options{LinuxTSQ: true}.Defaults()
	const mss = 1448
	seg := float64(datapath.TCPIPOverhead+mss) / (skbOverhead + mss) // IP bytes per truesize byte
	cap := float64(opt.TSQBytes)
	for _, tc := range []struct {
		name           string
		srtt           sim.Time
		cwnd, ssthresh float64
		out, skb       int64 // segments unacknowledged; the skb's payload
		want           float64
	}{
		{"no RTT sample: the cap", 0, 10, math.Inf(1), 10, mss, cap},
		{"slow start, a queue's RTT: two skbs", 40 * sim.Millisecond, 16, math.Inf(1), 12, mss, 2 * (skbOverhead + mss)},
		{"a two-segment skb: two of its truesize", 40 * sim.Millisecond, 16, math.Inf(1), 12, 2625, 2 * (skbOverhead + 2625)},
		{"slow start: 2x", sim.Millisecond, 20, math.Inf(1), 12, mss, 2 * 20 * mss / 1e-3 / 1024},
		{"packets out above cwnd", sim.Millisecond, 20, math.Inf(1), 30, mss, 2 * 30 * mss / 1e-3 / 1024},
		{"congestion avoidance: 1.2x", sim.Millisecond, 20, 30, 12, mss, 1.2 * 20 * mss / 1e-3 / 1024},
		{"fast path: the cap", 50 * sim.Microsecond, 100, math.Inf(1), 100, mss, cap},
	} {
		ep := &Endpoint{opt: &opt, mss: mss, srtt: tc.srtt, cwnd: tc.cwnd, ssthresh: tc.ssthresh, sndMax: tc.out * mss}
		want := int64(tc.want * seg)
		if got := ep.linuxTSQLimit(tc.skb); got < want-1 || got > want+1 {
			t.Errorf("%s: limit %d bytes, want %d", tc.name, got, want)
		}
	}
}
