package tcp

import (
	"testing"

	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// TestRACKFewSACKs: a burst loses all but the first segment of the
// initial window; the two segments the first ACK clocks out arrive, and
// their SACK is all the sender learns: fewer than three segments SACKed,
// so RFC 6675's rule finds nothing lost. RACK (RFC 8985 6.2, Linux's loss
// detection) marks the holes below them lost a quarter of the minimum
// RTT after that ACK and starts a fast recovery: no probe, no timeout
// (the incast the testbed measures: `cnisim testbed incast`). The
// retransmission follows the SACKed segment's send by its round trip and
// the reordering window.
func TestRACKFewSACKs(t *testing.T) {
	t.Parallel()
	r := newRig(t, network.DefaultConfig(), hostPath(1), 1500, Options{})
	mss := r.c.Client.MSS()
	sends := map[int64][]sim.Time{}
	r.c.Client.Route().DropIf = func(p *network.Packet, at sim.Time) bool {
		if p.Len == 0 {
			return false
		}
		seg := p.Seq / mss
		sends[seg] = append(sends[seg], at)
		return seg >= 1 && seg <= 9 && len(sends[seg]) == 1
	}
	r.c.Connect(0)
	total := 12 * mss
	r.c.Client.Write(0, total)
	r.e.RunUntil(sim.Second)
	st := r.c.Client.Stats
	if st.RTOs != 0 || st.TLPs != 0 || st.FastRetrans != 1 || st.Retrans != 9 {
		t.Errorf("RTOs %d, probes %d, fast retransmits %d, retransmissions %d; want 0, 0, 1, 9", st.RTOs, st.TLPs, st.FastRetrans, st.Retrans)
	}
	if got := r.c.Server.Received(); got != total {
		t.Fatalf("received %d of %d", got, total)
	}
	if len(sends[1]) != 2 || len(sends[11]) != 1 {
		t.Fatalf("segment 1 sent at %v, 11 at %v: want twice and once", sends[1], sends[11])
	}
	minRTT := r.c.Client.minRTT
	lo, hi := minRTT+minRTT/4, minRTT+minRTT/4+minRTT/2
	if d := sends[1][1] - sends[11][0]; d < lo || d > hi {
		t.Errorf("segment 1 resent %v after segment 11 was sent, want its round trip and a quarter of the minimum RTT (%v): [%v, %v]", d, minRTT, lo, hi)
	}
	r.conserve(t)
}

// TestLossStateLostRetransmission: every segment sent from 1 to 150 ms is
// lost, the probe with them, so the timer fires; of what it sends again
// in order from snd_una, the second segment is lost once more while the
// third arrives. Its SACK shows the second lost (RACK in the loss state,
// reordering window 0): the sender leaves the loss state for a fast
// recovery and sends it a third time about a round trip later, instead
// of waiting for a second timeout, backed off to twice the first (Linux
// tcp_fastretrans_alert: TCP_CA_Loss with FLAG_LOST_RETRANS).
func TestLossStateLostRetransmission(t *testing.T) {
	t.Parallel()
	const from, until = 1 * sim.Millisecond, 150 * sim.Millisecond
	r := newRig(t, network.DefaultConfig(), hostPath(1), 1500, Options{})
	mss := r.c.Client.MSS()
	sends := map[int64][]sim.Time{}
	var after []int64 // segments in their order of first sending after the window
	r.c.Client.Route().DropIf = func(p *network.Packet, at sim.Time) bool {
		if p.Len == 0 {
			return false
		}
		seg := p.Seq / mss
		sends[seg] = append(sends[seg], at)
		if at >= from && at < until {
			return true
		}
		if at >= until && (len(after) == 0 || after[len(after)-1] != seg) && len(after) < 3 {
			after = append(after, seg)
			return len(after) == 2 // the second segment the timeout sends again
		}
		return false
	}
	r.c.Connect(0)
	const total = 2000 * 1448
	r.c.Client.Write(0, total)
	r.e.RunUntil(3 * sim.Second)
	st := r.c.Client.Stats
	if st.RTOs != 1 {
		t.Fatalf("%d timeouts, want 1 (probes %d, fast retransmits %d)", st.RTOs, st.TLPs, st.FastRetrans)
	}
	if got := r.c.Server.Received(); got != total {
		t.Fatalf("received %d of %d", got, total)
	}
	if len(after) < 2 {
		t.Fatalf("segments sent after the window: %v", after)
	}
	s := sends[after[1]]
	if n := len(s); n < 3 {
		t.Fatalf("segment %d sent at %v, want three times at least", after[1], s)
	}
	if d := s[2] - s[1]; d <= 0 || d > 10*r.c.Client.minRTT {
		t.Errorf("segment %d sent again %v after its lost retransmission, want about a round trip (minimum RTT %v), not a timeout", after[1], d, r.c.Client.minRTT)
	}
	r.conserve(t)
}

// TestProbeAfterEpisode: after a first segment has given the sender an
// RTT, the receiver's ACKs of the next window and of the tail loss probe
// it draws (new data) are held back 5 ms; the last segment, which the
// first of them clocks out, is lost, and the ACK that covers the probe
// ends its episode and is the last the sender gets. That ACK arms the next probe, not
// the retransmission timer (Linux tcp_ack: tcp_process_tlp_ack before
// tcp_set_xmit_timer), so the lost segment costs a probe, 2 SRTT + the
// minimum RTO with one segment out, at most the RTO: no timeout.
func TestProbeAfterEpisode(t *testing.T) {
	t.Parallel()
	const start = 10 * sim.Millisecond
	r := newRig(t, network.DefaultConfig(), hostPath(1), 1500, Options{})
	mss := r.c.Client.MSS()
	srv := r.c.Server
	srv.Route().DropIf = func(p *network.Packet, at sim.Time) bool {
		if p.Len != 0 || at < start || at >= start+3*sim.Millisecond {
			return false
		}
		h := p.Header // the second window's and the probe's ACKs: a delay spike of 5 ms
		r.e.Schedule(at+5*sim.Millisecond, sim.HandlerFunc(func(e *sim.Engine, _ uint64) {
			q := r.n.Alloc()
			q.Header = h
			r.n.Send(srv.Route(), q, srv.Core, e.Now())
		}), 0)
		return true
	}
	total := 13 * mss // the probe is the last segment but one
	last := total - mss
	var lastSends []sim.Time
	r.c.Client.Route().DropIf = func(p *network.Packet, at sim.Time) bool {
		if p.Len > 0 && p.Seq == last {
			lastSends = append(lastSends, at)
			return len(lastSends) == 1
		}
		return false
	}
	r.c.Connect(0)
	r.c.Client.Write(0, mss)
	r.e.Schedule(start, sim.HandlerFunc(func(e *sim.Engine, _ uint64) { r.c.Client.Write(e.Now(), total-mss) }), 0)
	r.e.RunUntil(2 * sim.Second)
	st := r.c.Client.Stats
	if got := r.c.Server.Received(); got != total {
		t.Fatalf("received %d of %d", got, total)
	}
	if st.RTOs != 0 || st.TLPs != 2 {
		t.Errorf("RTOs %d, probes %d; want 0 and 2 (the held ACKs' and the last segment's)", st.RTOs, st.TLPs)
	}
	if len(lastSends) != 2 {
		t.Fatalf("last segment sent at %v, want twice", lastSends)
	}
	r.conserve(t)
}

// TestRTOAboveSRTT: Linux floors the RTO's variance term at the minimum
// RTO, not the sum (tcp_rtt_estimator, __tcp_set_rto): with a steady RTT
// the RTO is SRTT + 200 ms, where RFC 6298 2.4 would give max(SRTT +
// 4 RTTVAR, 200 ms); a large variance term stands as it is.
func TestRTOAboveSRTT(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		samples []sim.Time
		want    sim.Time
	}{
		{"first sample 1 ms", []sim.Time{sim.Millisecond}, sim.Millisecond + 200*sim.Millisecond},
		{"first sample 150 ms", []sim.Time{150 * sim.Millisecond}, 150*sim.Millisecond + 300*sim.Millisecond},
		{"steady 50 ms", []sim.Time{50 * sim.Millisecond, 50 * sim.Millisecond, 50 * sim.Millisecond}, 50*sim.Millisecond + 200*sim.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ep := &Endpoint{opt: &Options{MinRTO: 200 * sim.Millisecond, MaxRTO: 120 * sim.Second}}
			at := sim.Second
			for _, r := range tc.samples {
				ep.rttSample(&network.Header{TSecr: at - r + 1}, at)
				at += sim.Second
			}
			if ep.rto != tc.want {
				t.Errorf("RTO %v after %v (SRTT %v, RTTVAR %v), want %v", ep.rto, tc.samples, ep.srtt, ep.rttvar, tc.want)
			}
		})
	}
}

// TestNoProbeFromHostQueue: on a 10 Mbit/s link the sender's last
// segments wait in its own NIC queue for milliseconds; the receiver's ACKs
// are held back from 3 to 10 ms, so the probe's timer fires while the last
// segment has not left the host. Sending it again would prove nothing, so
// no probe goes out and nothing is retransmitted (Linux
// skb_still_in_host_queue: TCPSpuriousRtxHostQueues); the transfer ends
// without a loss.
func TestNoProbeFromHostQueue(t *testing.T) {
	t.Parallel()
	cfg := network.DefaultConfig()
	cfg.LinkGbps = 0.01
	r := newRig(t, cfg, hostPath(1), 1500, Options{})
	mss := r.c.Client.MSS()
	srv := r.c.Server
	srv.Route().DropIf = func(p *network.Packet, at sim.Time) bool {
		if p.Len != 0 || at < 3*sim.Millisecond || at >= 10*sim.Millisecond {
			return false
		}
		h := p.Header
		r.e.Schedule(10*sim.Millisecond, sim.HandlerFunc(func(e *sim.Engine, _ uint64) {
			q := r.n.Alloc()
			q.Header = h
			r.n.Send(srv.Route(), q, srv.Core, e.Now())
		}), 0)
		return true
	}
	r.c.Connect(0)
	total := 14 * mss
	r.c.Client.Write(0, total)
	r.e.RunUntil(sim.Second)
	st := r.c.Client.Stats
	if got := r.c.Server.Received(); got != total {
		t.Fatalf("received %d of %d", got, total)
	}
	if st.TLPs != 0 || st.Retrans != 0 || st.RTOs != 0 {
		t.Errorf("probes %d, retransmissions %d, timeouts %d; want none (the last segment was still queued at the sender)", st.TLPs, st.Retrans, st.RTOs)
	}
	r.conserve(t)
}
