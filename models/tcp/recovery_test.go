package tcp

import (
	"math"
	"testing"

	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// dropRange drops the first transmission of every data segment starting
// in [from, to) and records the times of the retransmissions.
func dropRange(r *rig, from, to int64) *[]sim.Time {
	var retx []sim.Time
	r.c.Client.Route().DropIf = func(p *network.Packet, at sim.Time) bool {
		if p.Len == 0 || p.Seq < from || p.Seq >= to {
			return false
		}
		if p.Retx {
			retx = append(retx, at)
			return false
		}
		return true
	}
	return &retx
}

// recoveryWatch records, when the first recovery ends, the window,
// ssthresh, RecoverFS and PRR's counters (which keep their final values).
type recoveryWatch struct {
	exit                sim.Time
	prior, ss, cwndExit float64
	prrOut, prrDeliv    int64
	srtt                sim.Time
}

func watchRecovery(r *rig) *recoveryWatch {
	w := &recoveryWatch{exit: -1}
	ep := r.c.Client
	ep.OnAcked = func(at sim.Time, _ int64) {
		if w.exit < 0 && ep.Stats.FastRetrans == 1 && !ep.inRecovery {
			w.exit, w.cwndExit, w.srtt = at, ep.cwnd, ep.srtt
			w.prior, w.ss = float64(ep.priorCwnd)/float64(ep.mss), ep.ssthresh
			w.prrOut, w.prrDeliv = ep.prrOut, ep.prrDelivered
		}
	}
	return w
}

// TestSACKBurstLoss: k consecutive segments lost in one window are all
// retransmitted within about one RTT of the third duplicate ACK, with no
// timeout (RFC 6675 with IsLost and NextSeg), each exactly once; after
// recovery cwnd = ssthresh (RFC 6937; Linux tcp_end_cwnd_reduction), which
// is 0.5 x the flight for Reno (RFC 5681 eq. 4) and 0.7 x cwnd for CUBIC
// (RFC 9438 4.6). The 1 ms link delay makes the RTT long against a
// window's serialisation, so "one RTT" is sharp.
func TestSACKBurstLoss(t *testing.T) {
	t.Parallel()
	cfg := network.DefaultConfig()
	cfg.LinkDelay = sim.Millisecond
	for _, cc := range []string{Reno, Cubic} {
		for _, k := range []int64{1, 5, 20, 60} {
			r := newRig(t, cfg, hostPath(1), 1500, Options{Congestion: cc, TSQBytes: 64 << 20, RcvBuf: 256 << 20})
			mss := r.c.Client.MSS()
			retx := dropRange(r, 300*mss, (300+k)*mss)
			w := watchRecovery(r)
			r.c.Connect(0)
			const total = 3000 * 1448
			r.c.Client.Write(0, total)
			r.e.RunUntil(2 * sim.Second)
			st := r.c.Client.Stats
			if st.RTOs != 0 || st.FastRetrans != 1 || st.Retrans != uint64(k) {
				t.Errorf("%s k=%d: RTOs %d, recoveries %d, retransmissions %d; want 0, 1, %d", cc, k, st.RTOs, st.FastRetrans, st.Retrans, k)
			}
			if got := r.c.Server.Received(); got != total {
				t.Errorf("%s k=%d: received %d of %d", cc, k, got, total)
			}
			if len(*retx) > 0 {
				if span := (*retx)[len(*retx)-1] - (*retx)[0]; span > w.srtt*3/2 {
					t.Errorf("%s k=%d: retransmissions spread over %v, want within about one RTT (%v)", cc, k, span, w.srtt)
				}
			}
			if w.exit < 0 {
				t.Fatalf("%s k=%d: recovery did not end", cc, k)
			}
			if len(*retx) == 0 {
				t.Fatalf("%s k=%d: no retransmission", cc, k)
			}
			t.Logf("%s k=%d: recovery %v (srtt %v), retransmissions over %v, cwnd %.1f -> %.1f", cc, k, w.exit-(*retx)[0], w.srtt, (*retx)[len(*retx)-1]-(*retx)[0], w.prior, w.cwndExit)
			if d := w.exit - (*retx)[0]; d > 3*w.srtt {
				t.Errorf("%s k=%d: recovery took %v, want 1-2 RTTs (srtt %v)", cc, k, d, w.srtt)
			}
			if w.cwndExit != w.ss {
				t.Errorf("%s k=%d: cwnd after recovery %v, want ssthresh %v", cc, k, w.cwndExit, w.ss)
			}
			beta := 0.7
			if cc == Reno {
				beta = 0.5 // of the flight, which is the window here (cwnd-limited)
			}
			if math.Abs(w.ss-beta*w.prior) > 1 {
				t.Errorf("%s k=%d: ssthresh %.1f, want %.1f x cwnd %.1f", cc, k, w.ss, beta, w.prior)
			}
			r.conserve(t)
		}
	}
}

// TestPRRSendsSsthresh: during recovery PRR sends in proportion to the
// data delivered, ssthresh/RecoverFS of it (RFC 6937 3.1 and its
// appendix: over the recovery RTT prr_out approaches ssthresh); window
// inflation would send about a full window instead.
func TestPRRSendsSsthresh(t *testing.T) {
	t.Parallel()
	cfg := network.DefaultConfig()
	cfg.LinkDelay = sim.Millisecond
	for _, cc := range []string{Reno, Cubic} {
		r := newRig(t, cfg, hostPath(1), 1500, Options{Congestion: cc, TSQBytes: 64 << 20, RcvBuf: 256 << 20})
		mss := r.c.Client.MSS()
		const k = 10
		dropRange(r, 400*mss, (400+k)*mss)
		w := watchRecovery(r)
		r.c.Connect(0)
		r.c.Client.Write(0, math.MaxInt64/2)
		r.e.RunUntil(sim.Second)
		if w.exit < 0 {
			t.Fatalf("%s: no recovery", cc)
		}
		ss := w.ss * float64(mss)
		// delivered: the window outstanding at entry (RecoverFS = prior cwnd)
		if d := float64(w.prrDeliv) / (w.prior * float64(mss)); d < 0.9 || d > 1.05 {
			t.Errorf("%s: delivered %.2f of RecoverFS during recovery, want about all of it", cc, d)
		}
		t.Logf("%s: RecoverFS %.0f segs, ssthresh %.1f, delivered %d segs, sent %d segs", cc, w.prior, w.ss, w.prrDeliv/mss, w.prrOut/mss)
		if got := float64(w.prrOut) / ss; got < 0.9 || got > 1.05 {
			t.Errorf("%s: PRR sent %.2f x ssthresh during the recovery RTT, want about 1", cc, got)
		}
		if st := r.c.Client.Stats; st.RTOs != 0 {
			t.Errorf("%s: %d RTOs", cc, st.RTOs)
		}
		r.conserve(t)
	}
}

// TestCPUBoundRingRecovery is the overshoot into a CPU-bound receiver: a
// VXLAN-like receive path of 6000 cycles per packet on the softirq core at
// 2.4 GHz (400 k packets/s, below the 10 Gbit/s link's 822 k) with Linux's
// 6 MiB receive buffer, so slow start overruns the 1000-packet receive
// ring and drops bursts there. SACK and PRR repair the losses while the
// ring drains: no stall longer than a few RTTs (the 200 ms RTO would be
// one), and goodput within 10% of the core's rate x MSS.
func TestCPUBoundRingRecovery(t *testing.T) {
	t.Parallel()
	p := hostPath(1)
	p.Steps[2].Cycles = 1000 // nic in softirq
	p.Steps[3].Cycles = 5000 // tcp and the overlay's decapsulation in softirq
	r := newRig(t, network.DefaultConfig(), p, 1500, Options{})
	var last, maxGap sim.Time
	r.c.Server.OnRead = func(at sim.Time, _ int64) {
		if r.c.Server.Stats.DataSegsRcvd > 100 && at-last > maxGap {
			maxGap = at - last
		}
		last = at
	}
	r.c.Connect(0)
	r.c.Client.Write(0, math.MaxInt64/2)
	const warm, end = 50 * sim.Millisecond, 300 * sim.Millisecond
	r.e.RunUntil(warm)
	b0, a0, s0 := r.c.Server.Received(), r.c.Server.Stats.AcksSent, r.c.Server.Stats.DataSegsRcvd
	r.e.RunUntil(end)
	srv := r.c.Server.Stats
	acksPerSeg := float64(srv.AcksSent-a0) / float64(srv.DataSegsRcvd-s0)
	// the softirq core also sends the ACKs (tcp + nic on its Send side)
	perPkt := p.Steps[2].Cycles + p.Steps[3].Cycles + acksPerSeg*(p.Steps[0].Cycles+p.Steps[1].Cycles)
	want := 2.4e9 / perPkt * 1448 * 8
	got := float64(r.c.Server.Received()-b0) * 8 / (end - warm).Seconds()
	st := r.c.Client.Stats
	t.Logf("goodput %.0f Mbit/s of %.0f, longest stall %v, srtt %v, recoveries %d, RTOs %d, retx %d, cwnd %.0f ssthresh %.0f, %+v",
		got/1e6, want/1e6, maxGap, r.c.Client.SRTT(), st.FastRetrans, st.RTOs, st.Retrans, r.c.Client.Cwnd(), r.c.Client.ssthresh, r.n.Stats())
	if r.n.Stats().DropRx == 0 {
		t.Errorf("no drops at the receive ring: the scenario did not overrun it")
	}
	if st.RTOs != 0 || st.Retrans > r.n.Stats().Drops {
		t.Errorf("RTOs %d, retransmissions %d for %d drops: want no timeout and no spurious retransmission", st.RTOs, st.Retrans, r.n.Stats().Drops)
	}
	if limit := 5 * max(r.c.Client.SRTT(), sim.Millisecond); maxGap > limit {
		t.Errorf("longest stall %v, want under a few RTTs (%v)", maxGap, limit)
	}
	if got < 0.9*want || got > 1.001*want {
		t.Errorf("goodput %.0f Mbit/s, want within 10%% of the core's limit %.0f", got/1e6, want/1e6)
	}
	r.conserve(t)
}

// TestSpuriousRecoveryUndone: a segment delayed, not lost (the flow's
// later segments overtake it, as after a move to a shorter path), sets
// off fast recovery, and the ACK that ends recovery echoes the delayed
// original's timestamp: the recovery is undone (Eifel, RFC 3522), the
// window back where it was. The same segment lost instead: the
// retransmission fills the hole, nothing is undone, cwnd = ssthresh.
// holdFirst takes the client's first transmission of the data segment at
// seq off the wire and, with hold > 0, sends it again, as it was, hold
// later (delayed, not lost); with hold 0 it is lost.
func holdFirst(r *rig, seq int64, hold sim.Time) {
	ep := r.c.Client
	released := false
	ep.Route().DropIf = func(p *network.Packet, at sim.Time) bool {
		if p.Len == 0 || p.Seq != seq || p.Retx || released {
			return false
		}
		if hold > 0 {
			h := p.Header
			r.e.Schedule(at+hold, sim.HandlerFunc(func(e *sim.Engine, _ uint64) {
				released = true
				q := r.n.Alloc()
				q.Header = h
				r.n.Send(ep.Route(), q, ep.Core, e.Now())
			}), 0)
		}
		return true
	}
}

func TestSpuriousRecoveryUndone(t *testing.T) {
	t.Parallel()
	cfg := network.DefaultConfig()
	cfg.LinkDelay = sim.Millisecond
	for _, tc := range []struct {
		delayed bool
		segs    int64 // 320: the hole's later segments have all arrived when its retransmission does; 2000: new data keeps arriving after the recovery
	}{{true, 320}, {false, 320}, {false, 2000}} {
		delayed, segs := tc.delayed, tc.segs
		r := newRig(t, cfg, hostPath(1), 1500, Options{Congestion: Cubic, TSQBytes: 64 << 20, RcvBuf: 256 << 20})
		ep := r.c.Client
		mss := ep.MSS()
		hold := sim.Time(0)
		if delayed {
			hold = 1500 * sim.Microsecond // it arrives before the retransmission
		}
		holdFirst(r, 300*mss, hold)
		var before, after, ss float64
		ep.OnAcked = func(at sim.Time, _ int64) {
			if ep.Stats.FastRetrans == 0 {
				before = ep.cwnd
			} else if after == 0 && !ep.inRecovery {
				after, ss = ep.cwnd, ep.ssthresh
			}
		}
		r.c.Connect(0)
		r.c.Client.Write(0, segs*mss)
		r.e.RunUntil(2 * sim.Second)
		st := ep.Stats
		if got := r.c.Server.Received(); got != segs*mss {
			t.Fatalf("delayed %v, %d segments: received %d of %d", delayed, segs, got, segs*mss)
		}
		if st.FastRetrans != 1 || st.Retrans != 1 || st.RTOs != 0 {
			t.Fatalf("delayed %v, %d segments: recoveries %d, retransmissions %d, RTOs %d; want 1, 1, 0", delayed, segs, st.FastRetrans, st.Retrans, st.RTOs)
		}
		t.Logf("delayed %v, %d segments: cwnd %.1f before, %.1f after (ssthresh %.1f), undos %d", delayed, segs, before, after, ss, st.Undos)
		switch {
		case delayed && (st.Undos != 1 || after < before):
			t.Errorf("delayed: undos %d, cwnd %.1f after recovery, want 1 and at least %.1f", st.Undos, after, before)
		case !delayed && (st.Undos != 0 || after != ss || after >= before):
			t.Errorf("lost, %d segments: undos %d, cwnd %.1f after recovery (ssthresh %.1f, before %.1f), want 0 and ssthresh", segs, st.Undos, after, ss, before)
		}
		r.conserve(t)
	}
}

// TestDSACKUndo: a segment delayed past its retransmission fills its hole
// after the retransmission did, so the ACK ending the recovery echoes the
// retransmission and the timestamps cannot tell; the original then
// arrives as a duplicate, the receiver reports it (D-SACK) and the
// recovery is undone a round trip after it ended (Linux
// tcp_try_undo_dsack), without a second recovery for that ACK. The same
// segment lost is not undone.
func TestDSACKUndo(t *testing.T) {
	t.Parallel()
	cfg := network.DefaultConfig()
	cfg.LinkDelay = sim.Millisecond
	for _, delayed := range []bool{true, false} {
		r := newRig(t, cfg, hostPath(1), 1500, Options{Congestion: Cubic, TSQBytes: 64 << 20, RcvBuf: 256 << 20})
		ep := r.c.Client
		mss := ep.MSS()
		const segs = 2000
		hold := sim.Time(0)
		if delayed {
			hold = 5 * sim.Millisecond // after its retransmission (RTT 2 ms)
		}
		holdFirst(r, 300*mss, hold)
		r.c.Connect(0)
		r.c.Client.Write(0, segs*mss)
		r.e.RunUntil(2 * sim.Second)
		st := ep.Stats
		if got := r.c.Server.Received(); got != segs*mss {
			t.Fatalf("delayed %v: received %d of %d", delayed, got, segs*mss)
		}
		if st.FastRetrans != 1 || st.Retrans != 1 || st.RTOs != 0 {
			t.Fatalf("delayed %v: recoveries %d, retransmissions %d, RTOs %d; want 1, 1, 0", delayed, st.FastRetrans, st.Retrans, st.RTOs)
		}
		t.Logf("delayed %v: D-SACKs %d, undos %d, ssthresh %.1f", delayed, st.DSACKs, st.Undos, ep.ssthresh)
		switch {
		case delayed && (st.DSACKs != 1 || st.Undos != 1 || !math.IsInf(ep.ssthresh, 1)):
			t.Errorf("delayed: D-SACKs %d, undos %d, ssthresh %.1f; want 1, 1 and the slow start's +Inf back", st.DSACKs, st.Undos, ep.ssthresh)
		case !delayed && (st.DSACKs != 0 || st.Undos != 0 || math.IsInf(ep.ssthresh, 1)):
			t.Errorf("lost: D-SACKs %d, undos %d, ssthresh %.1f; want 0, 0 and the recovery's", st.DSACKs, st.Undos, ep.ssthresh)
		}
		r.conserve(t)
	}
}
