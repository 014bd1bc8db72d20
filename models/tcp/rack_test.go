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
// RTT and Linux's 2 ms timer floor after that ACK and starts a fast
// recovery: no probe, no timeout (the incast the testbed measures:
// `cnisim testbed incast`). The retransmission follows the SACKed
// segment's send by its round trip, the reordering window and the floor.
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
	lo := minRTT + minRTT/4 + timeoutMin
	hi := lo + minRTT/2
	if d := sends[1][1] - sends[11][0]; d < lo || d > hi {
		t.Errorf("segment 1 resent %v after segment 11 was sent, want its round trip, a quarter of the minimum RTT (%v) and 2 ms: [%v, %v]", d, minRTT, lo, hi)
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

// TestReoTimerEndsWithRecovery: one segment of the initial window is
// lost; the first SACK arms RACK's reordering timer, the third starts a
// fast recovery by RFC 6675's rule, and the timer is gone by the time the
// hole is sent again (in Linux it is the retransmission timer, re-armed
// for the retransmission), so it cannot fire, stale, into a later
// episode.
func TestReoTimerEndsWithRecovery(t *testing.T) {
	t.Parallel()
	r := newRig(t, network.DefaultConfig(), hostPath(1), 1500, Options{})
	mss := r.c.Client.MSS()
	ep := r.c.Client
	var sends, armedAtRetx int
	r.c.Client.Route().DropIf = func(p *network.Packet, at sim.Time) bool {
		if p.Len == 0 || p.Seq/mss != 1 {
			return false
		}
		sends++
		if sends == 2 && ep.reoTimer.Armed() {
			armedAtRetx++
		}
		return sends == 1
	}
	r.c.Connect(0)
	r.c.Client.Write(0, 10*mss)
	r.e.RunUntil(sim.Second)
	if st := ep.Stats; st.FastRetrans != 1 || st.RTOs != 0 || sends != 2 {
		t.Fatalf("fast retransmits %d, RTOs %d, segment 1 sent %d times; want 1, 0, 2", st.FastRetrans, st.RTOs, sends)
	}
	if armedAtRetx != 0 {
		t.Error("RACK's reordering timer still armed when recovery resent the hole")
	}
	r.conserve(t)
}

// TestRACKInRecovery: segments 1 and 5 of the first flight are lost.
// SACKs for 2-4 start a recovery that resends 1; the SACK for 6 shows 5
// lost too, at once (RACK's reordering window is 0 in recovery, Linux
// tcp_rack_reo_wnd), and the PRR budget of that ACK resends it before any
// new data. RFC 6675's IsLost would wait for the SACKs for 7 and 8 and
// spend that budget on new data first (send order ... 1 12 5 ...).
func TestRACKInRecovery(t *testing.T) {
	t.Parallel()
	r := newRig(t, network.DefaultConfig(), hostPath(1), 1500, Options{})
	mss := r.c.Client.MSS()
	var order []int64 // segments in the order sent, retransmissions included
	sends := map[int64]int{}
	r.c.Client.Route().DropIf = func(p *network.Packet, at sim.Time) bool {
		if p.Len == 0 {
			return false
		}
		seg := p.Seq / mss
		order = append(order, seg)
		sends[seg]++
		return (seg == 1 || seg == 5) && sends[seg] == 1
	}
	r.c.Connect(0)
	r.c.Client.Write(0, 30*mss)
	r.e.RunUntil(sim.Second)
	st := r.c.Client.Stats
	if st.RTOs != 0 || st.TLPs != 0 || st.FastRetrans != 1 || st.Retrans != 2 {
		t.Errorf("RTOs %d, probes %d, fast retransmits %d, retransmissions %d; want 0, 0, 1, 2", st.RTOs, st.TLPs, st.FastRetrans, st.Retrans)
	}
	second := func(seg int64) int { // position of seg's second sending
		k := 0
		for i, s := range order {
			if s == seg {
				if k++; k == 2 {
					return i
				}
			}
		}
		return -1
	}
	r1, r5 := second(1), second(5)
	if r1 < 0 || r5 < r1 {
		t.Fatalf("segments 1 and 5 not resent in that order: %v", order)
	}
	for _, s := range order[r1+1 : r5] {
		if s >= 10 {
			t.Errorf("new segment %d sent between the retransmissions of 1 and 5 (send order %v)", s, order)
		}
	}
	r.conserve(t)
}

// TestRetxCarriedAcrossRecoveries: segment 1 and its first retransmission
// are lost, so the recovery lasts a round trip longer; in it segment 13,
// new data above the recovery point, is lost, found lost by RACK once 14
// is SACKed, and its retransmission is lost too. The recovery ends when 1
// arrives, with 13's retransmission still out; data sent after it is
// SACKed, so it is lost again and the next recovery sends it a third
// time (Linux keeps a retransmission's state per segment across
// episodes), where forgetting it left it counted in flight until the RTO.
func TestRetxCarriedAcrossRecoveries(t *testing.T) {
	t.Parallel()
	r := newRig(t, network.DefaultConfig(), hostPath(1), 1500, Options{})
	mss := r.c.Client.MSS()
	sends := dropSends(r, func(seg int64, n int) bool { return (seg == 1 || seg == 13) && n <= 2 })
	r.c.Connect(0)
	r.c.Client.Write(0, 200*mss)
	r.e.RunUntil(sim.Second)
	st := r.c.Client.Stats
	if got := r.c.Server.Received(); got != 200*mss {
		t.Fatalf("received %d of %d", got, 200*mss)
	}
	if st.RTOs != 0 || sends[1] != 3 || sends[13] != 3 || st.FastRetrans != 2 {
		t.Errorf("RTOs %d, segment 1 sent %d times, 13 %d, fast recoveries %d; want 0, 3, 3, 2", st.RTOs, sends[1], sends[13], st.FastRetrans)
	}
	r.conserve(t)
}

// dropSends counts the client's data segments by number (sequence / MSS)
// as they are sent, in the order sent, and drops the n-th sending of a
// segment (n from 1) when drop says so.
func dropSends(r *rig, drop func(seg int64, n int) bool) map[int64]int {
	mss := r.c.Client.MSS()
	sends := map[int64]int{}
	r.c.Client.Route().DropIf = func(p *network.Packet, at sim.Time) bool {
		if p.Len == 0 {
			return false
		}
		seg := p.Seq / mss
		sends[seg]++
		return drop(seg, sends[seg])
	}
	return sends
}

// TestRACKTailBehindHoles: segments 8-10 and the transfer's last, 13, are
// lost; 11 and 12 arrive, so RACK starts a recovery that repairs 8-10.
// Nothing above 13 is left to SACK it, but it was sent before those
// retransmissions: once the first of them is acknowledged RACK finds 13
// lost by its send time (Linux tcp_rack_detect_loss) and the same
// recovery sends it again: no probe (recovery has none) and no RTO.
func TestRACKTailBehindHoles(t *testing.T) {
	t.Parallel()
	r := newRig(t, network.DefaultConfig(), hostPath(1), 1500, Options{})
	sends := dropSends(r, func(seg int64, n int) bool { return n == 1 && (seg >= 8 && seg <= 10 || seg == 13) })
	r.c.Connect(0)
	total := 14 * r.c.Client.MSS()
	r.c.Client.Write(0, total)
	r.e.RunUntil(sim.Second)
	st := r.c.Client.Stats
	if st.RTOs != 0 || st.FastRetrans != 1 || st.Retrans != 4 {
		t.Errorf("RTOs %d, fast retransmits %d, retransmissions %d; want 0, 1, 4", st.RTOs, st.FastRetrans, st.Retrans)
	}
	if sends[13] != 2 || sends[12] != 1 {
		t.Errorf("segment 13 sent %d times, 12 %d; want 2 and 1", sends[13], sends[12])
	}
	if got := r.c.Server.Received(); got != total {
		t.Fatalf("received %d of %d", got, total)
	}
	r.conserve(t)
}

// TestRTOFromHead: a transfer's tail (segments 10-19) and its loss probe
// are lost, so the RTO resends segment 10. Linux re-arms the RTO, once
// the probe is out, to expire an RTO after the oldest outstanding
// segment was sent (tcp_rearm_rto with the probe pending:
// tcp_rto_delta_us), not an RTO after the probe; Options.RTOFromHead does
// so, without it the RTO counts from the probe.
func TestRTOFromHead(t *testing.T) {
	t.Parallel()
	for _, head := range []bool{false, true} {
		r := newRig(t, network.DefaultConfig(), hostPath(1), 1500, Options{RTOFromHead: head})
		mss := r.c.Client.MSS()
		sends := map[int64][]sim.Time{}
		r.c.Client.Route().DropIf = func(p *network.Packet, at sim.Time) bool {
			k := p.Seq / mss
			if p.Len == 0 || k < 10 {
				return false
			}
			sends[k] = append(sends[k], at)
			return len(sends[k]) == 1 || k == 19 && len(sends[k]) == 2 // the tail, and the probe
		}
		r.c.Connect(0)
		total := 20 * mss
		r.c.Client.Write(0, total)
		r.e.RunUntil(2 * sim.Second)
		st := r.c.Client.Stats
		if got := r.c.Server.Received(); got != total || st.TLPs != 1 || st.RTOs != 1 {
			t.Fatalf("head %v: received %d of %d, %d probes, %d RTOs; want all, 1, 1", head, got, total, st.TLPs, st.RTOs)
		}
		probe, first, rto := sends[19][1], sends[10][0], sends[10][1]
		srtt := r.c.Client.SRTT()
		if !head && rto-probe < 200*sim.Millisecond {
			t.Errorf("RTO %v after the probe, want the RTO (200 ms and more)", rto-probe)
		}
		if head && (rto-probe >= 200*sim.Millisecond || rto-first < 200*sim.Millisecond || rto-first > 200*sim.Millisecond+2*srtt) {
			t.Errorf("RTO %v after the probe and %v after segment 10 was sent (SRTT %v): want an RTO after the latter", rto-probe, rto-first, srtt)
		}
		r.conserve(t)
	}
}
