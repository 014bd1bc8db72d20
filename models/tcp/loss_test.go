package tcp

import (
	"math"
	"testing"

	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// dropSeq drops the first `times` transmissions of the data segment
// starting at seq and records when each copy of it was sent.
func dropSeq(r *rig, seq int64, times int) *[]sim.Time {
	var sends []sim.Time
	dropped := 0
	r.c.Client.Route().DropIf = func(p *network.Packet, at sim.Time) bool {
		if p.Len > 0 && p.Seq == seq {
			sends = append(sends, at)
			if dropped < times {
				dropped++
				return true
			}
		}
		return false
	}
	return &sends
}

// TestFastRetransmit: one lost segment in a window is repaired by fast
// retransmit on the third duplicate ACK (RFC 5681 3.2), without a timeout,
// and every byte arrives.
func TestFastRetransmit(t *testing.T) {
	t.Parallel()
	for _, cc := range []string{Reno, Cubic} {
		r := newRig(t, network.DefaultConfig(), hostPath(1), 1500, Options{Congestion: cc})
		mss := r.c.Client.MSS()
		sends := dropSeq(r, 40*mss, 1)
		r.c.Connect(0)
		const total = 2000 * 1448
		r.c.Client.Write(0, total)
		r.e.RunUntil(sim.Second)
		st := r.c.Client.Stats
		if st.FastRetrans != 1 || st.RTOs != 0 || st.Retrans != 1 {
			t.Errorf("%s: fast retransmits %d, RTOs %d, retransmissions %d; want 1, 0, 1", cc, st.FastRetrans, st.RTOs, st.Retrans)
		}
		if got := r.c.Server.Received(); got != total {
			t.Errorf("%s: received %d of %d bytes", cc, got, total)
		}
		if len(*sends) != 2 || (*sends)[1]-(*sends)[0] > 2*sim.Millisecond {
			t.Errorf("%s: segment sent at %v: the retransmission should follow within an RTT or two", cc, *sends)
		}
		r.conserve(t)
	}
}

// TestLostRetransmission: a retransmission that is lost in turn is found
// lost as soon as data sent after it is SACKed (RACK's rule, RFC 8985
// 6.2; Linux tcp_rack_detect_loss) and sent again within about an RTT,
// with no timeout, even twice in a row.
func TestLostRetransmission(t *testing.T) {
	t.Parallel()
	r := newRig(t, network.DefaultConfig(), hostPath(1), 1500, Options{})
	mss := r.c.Client.MSS()
	sends := dropSeq(r, 40*mss, 3)
	r.c.Connect(0)
	const total = 200 * 1448
	r.c.Client.Write(0, total)
	r.e.RunUntil(5 * sim.Second)
	s := *sends
	if len(s) != 4 {
		t.Fatalf("segment sent %d times (%v), want 4", len(s), s)
	}
	for k := 1; k < len(s); k++ {
		if d := s[k] - s[k-1]; d > 500*sim.Microsecond {
			t.Errorf("copy %d sent %v after the one before, want about an RTT (no timeout)", k+1, d)
		}
	}
	if st := r.c.Client.Stats; st.RTOs != 0 || st.FastRetrans != 1 || st.Retrans != 3 {
		t.Errorf("RTOs %d, fast retransmits %d, retransmissions %d; want 0, 1, 3", st.RTOs, st.FastRetrans, st.Retrans)
	}
	if got := r.c.Server.Received(); got != total {
		t.Errorf("received %d of %d", got, total)
	}
	r.conserve(t)
}

// TestTailLossProbe: the last two segments of a transfer are lost; no
// ACK follows them, so after 2 SRTT + 2 ms the sender probes with the
// last segment again (RFC 8985 7), whose SACK shows the other one lost:
// recovery resends it, with no timeout.
func TestTailLossProbe(t *testing.T) {
	t.Parallel()
	r := newRig(t, network.DefaultConfig(), hostPath(1), 1500, Options{})
	mss := r.c.Client.MSS()
	var sends [2][]sim.Time
	r.c.Client.Route().DropIf = func(p *network.Packet, at sim.Time) bool {
		for k, seq := range []int64{39 * mss, 40 * mss} {
			if p.Len > 0 && p.Seq == seq {
				sends[k] = append(sends[k], at)
				return len(sends[k]) == 1
			}
		}
		return false
	}
	r.c.Connect(0)
	total := 41 * mss
	r.c.Client.Write(0, total)
	r.e.RunUntil(sim.Second)
	st := r.c.Client.Stats
	if st.RTOs != 0 || st.TLPs != 1 || st.FastRetrans != 1 {
		t.Errorf("RTOs %d, loss probes %d, fast retransmits %d; want 0, 1, 1", st.RTOs, st.TLPs, st.FastRetrans)
	}
	if len(sends[0]) != 2 || len(sends[1]) != 2 {
		t.Fatalf("segments 39 and 40 sent at %v and %v, want twice each", sends[0], sends[1])
	}
	srtt := r.c.Client.SRTT()
	if probe := sends[1][1] - sends[1][0]; probe < 2*sim.Millisecond || probe > 2*sim.Millisecond+4*srtt {
		t.Errorf("probe %v after the segment (SRTT %v), want about 2 SRTT + 2 ms", probe, srtt)
	}
	if d := sends[0][1] - sends[1][1]; d < 0 || d > 2*srtt {
		t.Errorf("segment 39 resent %v after the probe, want within about an RTT", d)
	}
	if got := r.c.Server.Received(); got != total {
		t.Errorf("received %d of %d", got, total)
	}
	r.conserve(t)
}

// TestTailLossProbeReduces: the ACKs of a transfer's tail are lost and so
// is its last segment, so the sender probes with that segment again. When
// the ACK beyond the probe carries no D-SACK the probe repaired a loss and
// the window is reduced, once (RFC 8985 7.4.2; Linux tcp_process_tlp_ack);
// when the segment was only delayed past the probe, the receiver reports
// the duplicate and nothing is reduced. Neither is a recovery or a timeout.
func TestTailLossProbeReduces(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		lost   bool // else held back 10 ms, past the probe
		reduce uint64
	}{{"lost", true, 1}, {"delayed", false, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, network.DefaultConfig(), hostPath(1), 1500, Options{})
			mss := r.c.Client.MSS()
			const n = 40
			last := (n - 1) * mss
			if tc.lost {
				dropSeq(r, last, 1)
			} else {
				holdFirst(r, last, 10*sim.Millisecond)
			}
			r.c.Server.Route().DropIf = func(p *network.Packet, _ sim.Time) bool {
				return p.Len == 0 && p.Ack >= (n-3)*mss && p.Ack < n*mss // the tail's ACKs
			}
			r.c.Connect(0)
			r.c.Client.Write(0, n*mss)
			var cwndBefore float64
			r.e.Schedule(100*sim.Millisecond, sim.HandlerFunc(func(e *sim.Engine, _ uint64) {
				cwndBefore = r.c.Client.Cwnd()
				r.c.Client.Write(e.Now(), n*mss)
			}), 0)
			r.e.RunUntil(sim.Second)
			st := r.c.Client.Stats
			if st.TLPs != 1 || st.TLPRecoveries != tc.reduce || st.FastRetrans != 0 || st.RTOs != 0 {
				t.Errorf("probes %d, reductions %d, fast retransmits %d, RTOs %d; want 1, %d, 0, 0",
					st.TLPs, st.TLPRecoveries, st.FastRetrans, st.RTOs, tc.reduce)
			}
			ss := r.c.Client.Ssthresh()
			if tc.lost && !(ss < cwndBefore) {
				t.Errorf("ssthresh %.1f after the repair, want below the window %.1f", ss, cwndBefore)
			}
			if !tc.lost && !math.IsInf(ss, 1) {
				t.Errorf("ssthresh %.1f, want untouched (no loss)", ss)
			}
			if got := r.c.Server.Received(); got != 2*n*mss {
				t.Errorf("received %d of %d", got, 2*n*mss)
			}
			r.conserve(t)
		})
	}
}

// TestRTOBackoff: when nothing is sent after a lost segment (the last of
// the transfer), no ACK can reveal its loss. With one segment in flight
// the probe's timeout (2 SRTT + 200 ms) is after the RTO's (RFC 6298: at
// least 200 ms here, Linux TCP_RTO_MIN), so the sender probes at the RTO's
// time (Linux tcp_schedule_loss_probe), with the window untouched; the
// probe lost too, the RTO fires one RTO later, and each further loss
// doubles it (5.5); the window restarts from one segment.
func TestRTOBackoff(t *testing.T) {
	t.Parallel()
	r := newRig(t, network.DefaultConfig(), hostPath(1), 1500, Options{})
	mss := r.c.Client.MSS()
	sends := dropSeq(r, 40*mss, 4)
	r.c.Connect(0)
	total := 41 * mss // segment 40 is the last
	r.c.Client.Write(0, total)
	r.e.RunUntil(5 * sim.Second)
	s := *sends
	if len(s) != 5 {
		t.Fatalf("segment sent %d times (%v), want 5", len(s), s)
	}
	probe, g0, g1, g2 := s[1]-s[0], s[2]-s[1], s[3]-s[2], s[4]-s[3]
	// the timer runs from the last new ACK, shortly after the segment left
	if probe < 195*sim.Millisecond || probe > 210*sim.Millisecond {
		t.Errorf("probe after %v, want at the RTO's time, about the 200 ms minimum RTO", probe)
	}
	if math.Abs(float64(g0)/float64(probe)-1) > 0.03 {
		t.Errorf("first timeout %v after the probe, want one RTO (%v)", g0, probe)
	}
	if math.Abs(float64(g1)/float64(g0)-2) > 0.02 || math.Abs(float64(g2)/float64(g1)-2) > 0.01 {
		t.Errorf("timeouts %v, %v, %v: want each twice the one before", g0, g1, g2)
	}
	st := r.c.Client.Stats
	if st.TLPs != 1 || st.RTOs != 3 || st.FastRetrans != 0 {
		t.Errorf("probes %d, RTOs %d, fast retransmits %d; want 1, 3, 0", st.TLPs, st.RTOs, st.FastRetrans)
	}
	// replay to just after the probe, the first and the last timeout: the
	// probe leaves the window as it was, a timeout makes it one segment;
	// the first timeout sets ssthresh (CUBIC: 0.7 x the window), the
	// later ones, with no progress in between, hold it (RFC 5681 3.1)
	var cwndProbe, ssFirst float64
	for _, tc := range []struct {
		at   sim.Time
		one  bool
		what string
	}{{s[1] + sim.Microsecond, false, "probe"}, {s[2] + sim.Microsecond, true, "first RTO"}, {s[4] + sim.Microsecond, true, "last RTO"}} {
		r2 := newRig(t, network.DefaultConfig(), hostPath(1), 1500, Options{})
		dropSeq(r2, 40*mss, 4)
		r2.c.Connect(0)
		r2.c.Client.Write(0, total)
		r2.e.RunUntil(tc.at)
		if w := r2.c.Client.Cwnd(); (w == 1) != tc.one {
			t.Errorf("cwnd just after the %s %v, want 1 only after a timeout (RFC 5681 3.1)", tc.what, w)
		}
		switch tc.what {
		case "probe":
			cwndProbe = r2.c.Client.Cwnd()
		case "first RTO":
			ssFirst = r2.c.Client.Ssthresh()
		}
	}
	if want := 0.7 * cwndProbe; math.Abs(ssFirst-want) > 1e-9 {
		t.Errorf("ssthresh after the first timeout %v, want 0.7 x the window %v", ssFirst, cwndProbe)
	}
	if ss := r.c.Client.Ssthresh(); ss != ssFirst {
		t.Errorf("after the later timeouts ssthresh %v, want it held at %v", ss, ssFirst)
	}
	if got := r.c.Server.Received(); got != total {
		t.Errorf("received %d of %d", got, total)
	}
	r.conserve(t)
}

// TestSlowStart: with delayed ACKs and appropriate byte counting the
// window doubles every RTT from the initial 10 (RFC 3465, RFC 6928; Linux
// tcp_slow_start adds every segment ACKed). A 10 ms link delay makes the
// RTT much longer than the serialisation of a window.
func TestSlowStart(t *testing.T) {
	t.Parallel()
	cfg := network.DefaultConfig()
	cfg.LinkDelay = 10 * sim.Millisecond
	r := newRig(t, cfg, hostPath(1), 1500, Options{TSQBytes: 64 << 20, RcvBuf: 256 << 20})
	r.c.Connect(0)
	r.c.Client.Write(0, math.MaxInt64/2)
	r.e.RunUntil(30 * sim.Millisecond) // handshake done after one RTT
	est := r.c.Client.EstablishedAt
	rtt := est // the handshake takes one round trip
	for k := 0; k < 8; k++ {
		r.e.RunUntil(est + sim.Time(k)*rtt + rtt/2)
		if want := 10 * math.Pow(2, float64(k)); r.c.Client.Cwnd() != want {
			t.Errorf("round %d: cwnd %v, want %v", k, r.c.Client.Cwnd(), want)
		}
	}
	r.conserve(t)
}

// TestCongestionAvoidance: Reno adds one segment per RTT (RFC 5681 3.1);
// CUBIC after a reduction follows W(t) = C (t-K)^3 + Wmax (RFC 9438 4.2),
// back at Wmax after K = cbrt(Wmax (1-beta) / C) seconds. The 25 ms link
// delay keeps CUBIC out of its Reno-friendly region (4.3) until K.
func TestCongestionAvoidance(t *testing.T) {
	t.Parallel()
	cfg := network.DefaultConfig()
	cfg.LinkDelay = 25 * sim.Millisecond
	for _, cc := range []string{Reno, Cubic} {
		r := newRig(t, cfg, hostPath(1), 1500, Options{Congestion: cc, TSQBytes: 64 << 20, RcvBuf: 256 << 20})
		mss := r.c.Client.MSS()
		dropSeq(r, 1000*mss, 1) // one loss ends slow start
		r.c.Connect(0)
		r.c.Client.Write(0, math.MaxInt64/2)
		var tRec sim.Time
		var wRec float64
		r.c.Client.OnAcked = func(at sim.Time, acked int64) {
			if tRec == 0 && acked > 1000*mss && !r.c.Client.inRecovery {
				tRec, wRec = at, r.c.Client.Cwnd()
			}
		}
		for tRec == 0 && r.e.Now() < 5*sim.Second {
			r.e.RunUntil(r.e.Now() + sim.Millisecond)
		}
		if tRec == 0 {
			t.Fatalf("%s: no recovery", cc)
		}
		rtt := r.c.Client.SRTT()
		wmax := r.c.Client.cc.wMax
		switch cc {
		case Reno:
			r.e.RunUntil(tRec + 20*rtt)
			if got := r.c.Client.Cwnd() - wRec; math.Abs(got-20) > 1 {
				t.Errorf("reno: +%.2f segments in 20 RTTs, want 20", got)
			}
		case Cubic:
			if math.Abs(wRec-0.7*wmax) > 1 {
				t.Errorf("cubic: cwnd after recovery %.1f, want beta x Wmax = %.1f", wRec, 0.7*wmax)
			}
			k := math.Cbrt(wmax * 0.3 / 0.4)
			r.e.RunUntil(tRec + sim.FromSeconds(k))
			if got := r.c.Client.Cwnd(); math.Abs(got-wmax)/wmax > 0.03 {
				t.Errorf("cubic: cwnd %.1f at t = K = %.3f s, want Wmax %.1f", got, k, wmax)
			}
		}
		r.conserve(t)
	}
}

// TestSpuriousTimeoutUndone: every ACK the receiver sends from 5 to 250
// ms is held back 300 ms (a delay spike on the return path, long enough
// that no window update gets through), so the RTO fires although nothing
// was lost. The first ACK to advance snd_una after it
// echoes a timestamp from before the retransmission (or the receiver
// reports the retransmission as a duplicate): the timeout was spurious
// and is undone (Linux tcp_try_undo_loss): the window and ssthresh
// return, and the data the timeout took for lost is not sent again (no
// go-back-N of the window). When the data itself was lost instead, the
// timeout stands (the data sent from 5 to 150 ms lost, the probe with it:
// one timeout; had the probe arrived, its SACK would have started a fast
// recovery instead, RACK).
func TestSpuriousTimeoutUndone(t *testing.T) {
	t.Parallel()
	const from, hold = 5 * sim.Millisecond, 300 * sim.Millisecond
	for _, tc := range []struct {
		name    string
		delayed bool     // else the data sent in the window is lost
		until   sim.Time // the window's end
		undos   uint64
	}{{"ACKs delayed", true, 250 * sim.Millisecond, 1}, {"data lost", false, 150 * sim.Millisecond, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, network.DefaultConfig(), hostPath(1), 1500, Options{})
			if tc.delayed {
				srv := r.c.Server
				srv.Route().DropIf = func(p *network.Packet, at sim.Time) bool {
					if p.Len != 0 || at < from || at >= tc.until {
						return false
					}
					h := p.Header
					r.e.Schedule(at+hold, sim.HandlerFunc(func(e *sim.Engine, _ uint64) {
						q := r.n.Alloc()
						q.Header = h
						r.n.Send(srv.Route(), q, srv.Core, e.Now())
					}), 0)
					return true
				}
			} else {
				r.c.Client.Route().DropIf = func(p *network.Packet, at sim.Time) bool {
					return p.Len > 0 && at >= from && at < tc.until
				}
			}
			r.c.Connect(0)
			const total = 40000 * 1448 // longer than the spike
			r.c.Client.Write(0, total)
			var cwndBefore float64
			r.e.Schedule(from, sim.HandlerFunc(func(*sim.Engine, uint64) { cwndBefore = r.c.Client.Cwnd() }), 0)
			r.e.RunUntil(2 * sim.Second)
			st := r.c.Client.Stats
			if st.RTOs != 1 || st.RTOUndos != tc.undos {
				t.Fatalf("RTOs %d, undone %d; want 1, %d (probes %d, retrans %d, received %d)", st.RTOs, st.RTOUndos, tc.undos, st.TLPs, st.Retrans, r.c.Server.Received())
			}
			if tc.delayed {
				if st.Retrans > 3 {
					t.Errorf("%d retransmissions, want the probe's and the timeout's only (no go-back-N)", st.Retrans)
				}
				if !math.IsInf(r.c.Client.Ssthresh(), 1) {
					t.Errorf("ssthresh %v after the undo, want back to its initial infinity", r.c.Client.Ssthresh())
				}
				if w := r.c.Client.Cwnd(); w < cwndBefore {
					t.Errorf("cwnd %v at the end, below the %v before the spike", w, cwndBefore)
				}
			} else if math.IsInf(r.c.Client.Ssthresh(), 1) {
				t.Error("ssthresh untouched after a real timeout")
			}
			if got := r.c.Server.Received(); got != total {
				t.Errorf("received %d of %d", got, total)
			}
			r.conserve(t)
		})
	}
}

// TestTimeoutSkipsSACKed: after a timeout the data SACKed above a hole is
// not in flight (Linux tcp_packets_in_flight counts packets_out less
// sacked_out and lost_out, plus retrans_out), so the sender goes on to
// the next hole past a SACKed block in the same round trip, as its window
// allows. Every send of segments 40, 60 and 80-99 in the first 100 ms is
// lost, so the fast recovery and the probes cannot repair them and a
// timeout comes. It resends 40; the ACK covers up to 60 (41-59 were
// SACKed) and opens the window to two segments: 60 and then 80, past the
// SACKed 61-79, leave together, where counting 61-79 in flight held 80
// back a round trip (2 ms on this 1 ms link), until 60 was acknowledged.
func TestTimeoutSkipsSACKed(t *testing.T) {
	t.Parallel()
	cfg := network.DefaultConfig()
	cfg.LinkDelay = sim.Millisecond
	r := newRig(t, cfg, hostPath(1), 1500, Options{})
	mss := r.c.Client.MSS()
	sends := map[int64][]sim.Time{}
	r.c.Client.Route().DropIf = func(p *network.Packet, at sim.Time) bool {
		if p.Len == 0 {
			return false
		}
		seg := p.Seq / mss
		sends[seg] = append(sends[seg], at)
		return (seg == 40 || seg == 60 || seg >= 80) && at < 100*sim.Millisecond
	}
	r.c.Connect(0)
	total := 100 * mss
	r.c.Client.Write(0, total)
	r.e.RunUntil(2 * sim.Second)
	if st := r.c.Client.Stats; st.RTOs != 1 {
		t.Fatalf("%d timeouts, want 1 (the rig did not force one)", st.RTOs)
	}
	if got := r.c.Server.Received(); got != total {
		t.Errorf("received %d of %d", got, total)
	}
	last := func(seg int64) sim.Time { s := sends[seg]; return s[len(s)-1] }
	rto := last(40)
	if rto < 100*sim.Millisecond || last(60) < rto || last(80) < rto {
		t.Fatalf("last sends of 40, 60, 80 at %v, %v, %v: want them after the timeout", rto, last(60), last(80))
	}
	if gap := last(80) - last(60); gap < 0 || gap > 100*sim.Microsecond {
		t.Errorf("after the timeout (40 resent at %v) segment 60 sent at %v, 80 at %v: want 80 right after 60, in the same round trip", rto, last(60), last(80))
	}
	r.conserve(t)
}

// TestNoProbeInRecovery: a tail loss probe armed while the connection was
// open does not fire once fast recovery has begun; the head's fast
// retransmission re-arms the retransmission timer instead (Linux
// tcp_xmit_retransmit_queue rearms ICSK_TIME_RETRANS; tcp_schedule_loss_probe
// refuses outside TCP_CA_Open). Segment 40 of 50 is lost twice, so the
// recovery stalls until the timeout: no probe is sent in between.
func TestNoProbeInRecovery(t *testing.T) {
	t.Parallel()
	cfg := network.DefaultConfig()
	cfg.LinkDelay = sim.Millisecond
	r := newRig(t, cfg, hostPath(1), 1500, Options{})
	mss := r.c.Client.MSS()
	var sends []sim.Time
	r.c.Client.Route().DropIf = func(p *network.Packet, at sim.Time) bool {
		if p.Len == 0 || p.Seq/mss != 40 {
			return false
		}
		sends = append(sends, at)
		return len(sends) <= 2
	}
	r.c.Connect(0)
	total := 50 * mss
	r.c.Client.Write(0, total)
	r.e.RunUntil(2 * sim.Second)
	st := r.c.Client.Stats
	if st.FastRetrans != 1 || st.RTOs != 1 {
		t.Fatalf("%d fast recoveries and %d timeouts, want 1 and 1 (the rig did not stall a recovery)", st.FastRetrans, st.RTOs)
	}
	if st.TLPs != 0 {
		t.Errorf("%d tail loss probes, want none: one fired during fast recovery", st.TLPs)
	}
	if len(sends) != 3 {
		t.Fatalf("segment 40 sent %d times, want 3", len(sends))
	}
	if gap, rto := sends[2]-sends[1], r.c.Client.opt.MinRTO; gap < rto {
		t.Errorf("timeout %v after the lost fast retransmission, want at least the minimum RTO %v", gap, rto)
	}
	if got := r.c.Server.Received(); got != total {
		t.Errorf("received %d of %d", got, total)
	}
	r.conserve(t)
}

// TestSendsSerialised: a socket hands its segments down one after the
// other (Linux: under its lock). A segment decided at the end of an ACK's
// processing on a busy core (stamped late) and then one decided on an
// idle core (stamped earlier) leave in the order decided, the second no
// earlier than the first: without it the network saw the second first,
// and the receiver a reordering that RACK takes for losses.
func TestSendsSerialised(t *testing.T) {
	t.Parallel()
	r := newRig(t, network.DefaultConfig(), hostPath(1), 1500, Options{})
	r.c.Connect(0)
	r.e.RunUntil(5 * sim.Millisecond)
	ep := r.c.Client
	var seqs []int64
	var times []sim.Time
	ep.Route().DropIf = func(p *network.Packet, at sim.Time) bool {
		if p.Len > 0 {
			seqs, times = append(seqs, p.Seq), append(times, p.TSval)
		}
		return false
	}
	mss := ep.MSS()
	ep.appLimit = 2 * mss
	ep.xmit(8*sim.Millisecond, 0, mss)
	ep.sndNxt, ep.sndMax = mss, mss
	ep.xmit(6*sim.Millisecond, mss, mss)
	r.e.RunUntil(sim.Second)
	if len(seqs) < 2 || seqs[0] != 0 || seqs[1] != mss || times[1] < times[0] {
		t.Fatalf("segments %v stamped %v: want 0 then %d, the second no earlier", seqs, times, mss)
	}
}
