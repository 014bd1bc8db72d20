package tcp

import (
	"math"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

func linuxOpt(o Options) Options {
	o.AckPolicy = AckPolicyLinux
	return o
}

// linuxBulk sends segs full-sized segments on the cheap host path with
// the Linux policy and returns the rig once everything is acknowledged.
func linuxBulk(t *testing.T, cfg network.Config, path datapath.CostedPath, o Options, segs int) *rig {
	t.Helper()
	r := newRig(t, cfg, path, 1500, linuxOpt(o))
	r.c.Connect(0)
	r.c.Client.Write(0, int64(segs)*1448)
	r.e.RunUntil(2 * sim.Second)
	if got := r.c.Client.Acked(); got != int64(segs)*1448 {
		t.Fatalf("acked %d of %d bytes", got, segs*1448)
	}
	if r.c.Client.Stats.Retrans != 0 {
		t.Fatalf("%d retransmissions, want 0", r.c.Client.Stats.Retrans)
	}
	r.conserve(t)
	return r
}

// Closed form of a lossless transfer of S full-sized segments without
// offloads and a reader that keeps up: the first Q segments are ACKed one
// by one (quick-ACK mode, Q = min(16, window / 2 segments)), then every
// second one (more than one rcv_mss unACKed and the window not
// shrinking), and an odd last one by the delayed-ACK timer:
// Q + floor((S-Q)/2) + (S-Q) mod 2.
func TestLinuxAckClosedForm(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		rmem int64 // tcp rmem: the window is half, in whole segments
		q    int
	}{
		{0, 16},            // 6 MiB: the initial window 65535 (45 segments) / 2 > 16
		{2 * 10 * 1448, 5}, // a window of 10 segments: 5 quick ACKs
		{2 * 3 * 1448, 1},  // 3 segments: 1
	} {
		for _, s := range []int{40, 41, 301} {
			r := linuxBulk(t, network.DefaultConfig(), hostPath(1), Options{RcvBuf: c.rmem}, s)
			want := c.q + (s-c.q)/2 + (s-c.q)%2
			if got := r.c.Server.Stats.AcksSent; got != uint64(want) {
				t.Errorf("rmem %d, %d segments: %d pure ACKs, want %d (%d quick)", c.rmem, s, got, want, c.q)
			}
		}
	}
}

// tcp_incr_quickack: rcv_wnd / (2 rcv_mss) quick ACKs, 2 when that is 0,
// at most TCP_MAX_QUICKACKS, never fewer than are left.
func TestIncrQuickAck(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		wnd         int64
		left, quick int32
	}{
		{0, 0, 2}, {1448, 0, 2}, {2896, 0, 1}, {10 * 1448, 0, 5}, {3 << 20, 0, 16},
		{65535, 0, 16}, {2896, 10, 10}, {10 * 1448, 3, 5},
	} {
		ep := &Endpoint{mss: 1448, opt: &Options{QuickAcks: 16}, lx: &linuxAck{rcvWnd: c.wnd}, quick: c.left}
		ep.incrQuickAck()
		if ep.quick != c.quick {
			t.Errorf("rcv_wnd %d with %d left: %d quick ACKs, want %d", c.wnd, c.left, ep.quick, c.quick)
		}
	}
}

// With "every" the same transfer ACKs 16 quick then per AckEvery: the
// two policies agree on a host path whose reader keeps up, which is why
// "linux" differs only where Linux does (GRO, lagging readers, RR).
func TestLinuxAckMatchesEveryWhenReaderKeepsUp(t *testing.T) {
	t.Parallel()
	for _, s := range []int{40, 301} {
		l := linuxBulk(t, network.DefaultConfig(), hostPath(1), Options{}, s)
		e, _, _ := bulkAcks(t, 2, s)
		if l.c.Server.Stats.AcksSent != e {
			t.Errorf("%d segments: linux %d ACKs, every %d", s, l.c.Server.Stats.AcksSent, e)
		}
	}
}

// The delayed-ACK timer fires ato after the lone segment it waits for:
// a full segment after the quick ACKs waits TCP_DELACK_MIN (40 ms); the
// timer's firing doubles ato to 80 ms (tcp_delack_timer_handler); a short
// full segment 70 ms after the last data then sets ato = 80/2 + 70 = 110
// ms (tcp_event_data_recv), under tcp_send_delayed_ack's 500 ms, and its
// ACK goes exactly then.
func TestLinuxDelayedAckTimer(t *testing.T) {
	t.Parallel()
	r := newRig(t, network.DefaultConfig(), hostPath(1), 1500, linuxOpt(Options{}))
	r.c.Connect(0)
	r.c.Client.Write(0, 16*1448) // uses up the 16 quick ACKs
	r.e.RunUntil(10 * sim.Millisecond)
	srv := r.c.Server
	if srv.quick != 0 || srv.Stats.AcksSent != 16 {
		t.Fatalf("after 16 segments: %d quick ACKs left, %d sent; want 0 and 16", srv.quick, srv.Stats.AcksSent)
	}
	expect := func(seg uint64, ato sim.Time, acks uint64) sim.Time {
		t.Helper()
		stepUntil(r, sim.Second, func() bool { return srv.Stats.DataSegsRcvd == seg })
		arrived := srv.lx.lrcv
		if srv.lx.ato != ato || srv.delack.Deadline() != arrived+ato {
			t.Fatalf("segment %d: ato %v, timer %v after it; want %v", seg, srv.lx.ato, srv.delack.Deadline()-arrived, ato)
		}
		r.e.RunUntil(arrived + ato - 1)
		if srv.Stats.AcksSent != acks-1 {
			t.Fatalf("segment %d: an ACK before the timer (%d)", seg, srv.Stats.AcksSent)
		}
		r.e.RunUntil(arrived + ato)
		if srv.Stats.AcksSent != acks {
			t.Fatalf("segment %d: no ACK when the timer fired (%d)", seg, srv.Stats.AcksSent)
		}
		return arrived
	}
	r.c.Client.Write(10*sim.Millisecond, 1448)
	first := expect(17, 40*sim.Millisecond, 17)
	if srv.lx.ato != 80*sim.Millisecond {
		t.Fatalf("ato after the timer fired %v, want doubled to 80ms", srv.lx.ato)
	}
	// the same idle path: written 70 ms later, it arrives 70 ms later
	r.c.Client.Write(80*sim.Millisecond, 1448)
	second := expect(18, 110*sim.Millisecond, 18)
	if second-first != 70*sim.Millisecond {
		t.Errorf("second segment %v after the first, want 70ms", second-first)
	}
}

// stepUntil runs the engine until cond holds and returns the time then.
func stepUntil(r *rig, limit sim.Time, cond func() bool) sim.Time {
	for !cond() && r.e.Now() < limit {
		if !r.e.Step() {
			break
		}
	}
	return r.e.Now()
}

// With offloads a GSO super-packet is one skb: the receiver ACKs it once
// (a stretch ACK for all its segments: more than one rcv_mss unACKed, the
// window clamped by a growing rcv_ssthresh never shrinks), exactly one
// ACK per skb, where "every" ACKs a super-packet's head by its own rule
// and the rest of it once more. A 64 MiB buffer keeps the reader's window
// updates (tcp_cleanup_rbuf's doubling rule) out of the count.
func TestLinuxAckPerSuperPacket(t *testing.T) {
	t.Parallel()
	cfg := network.DefaultConfig()
	cfg.Offloads = true
	intra := hostPath(1)
	intra.InterHost = false
	intra.Steps = []datapath.CostedStep{intra.Steps[0], intra.Steps[3], intra.Steps[4]}
	const segs = 2000
	o := Options{RcvBuf: 64 << 20}
	r := linuxBulk(t, cfg, intra, o, segs)
	st := r.c.Server.Stats
	t.Logf("linux: %d segments in %d skbs, %d pure ACKs", st.DataSegsRcvd, st.DataSkbsRcvd, st.AcksSent)
	if st.DataSkbsRcvd*20 > st.DataSegsRcvd {
		t.Fatalf("%d skbs for %d segments: GSO did not batch", st.DataSkbsRcvd, st.DataSegsRcvd)
	}
	if st.AcksSent != st.DataSkbsRcvd {
		t.Errorf("linux: %d ACKs for %d skbs, want one per skb", st.AcksSent, st.DataSkbsRcvd)
	}
	e := newRig(t, cfg, intra, 1500, o)
	e.c.Connect(0)
	e.c.Client.Write(0, segs*1448)
	e.e.RunUntil(2 * sim.Second)
	es := e.c.Server.Stats
	t.Logf("every: %d segments in %d skbs, %d pure ACKs", es.DataSegsRcvd, es.DataSkbsRcvd, es.AcksSent)
	if es.AcksSent <= es.DataSkbsRcvd {
		t.Errorf("every: %d ACKs for %d skbs, want more than one per skb", es.AcksSent, es.DataSkbsRcvd)
	}
}

// netperf TCP_RR with 1-byte messages: each side quick-ACKs the first
// message it receives (quick-ACK mode at the first data), then answers
// within ato and so enters ping-pong mode: from then on every ACK rides
// on the next message, no pure ACK at all ("every" sends 16 quick ACKs
// a side).
func TestLinuxAckRRPiggybacks(t *testing.T) {
	t.Parallel()
	for _, pol := range []string{AckPolicyLinux, AckPolicyEvery} {
		r := newRig(t, network.DefaultConfig(), hostPath(1), 1500, Options{AckPolicy: pol, ReadBytes: 1, WriteBytes: 1})
		const n = 200
		done := 0
		// the application answers when its read is done (an event then,
		// as the workloads do), not from inside the receive path
		respond := sim.HandlerFunc(func(e *sim.Engine, _ uint64) { r.c.Server.Write(e.Now(), 1) })
		request := sim.HandlerFunc(func(e *sim.Engine, _ uint64) { r.c.Client.Write(e.Now(), 1) })
		r.c.Server.OnRead = func(at sim.Time, total int64) { r.e.Schedule(at, respond, 0) }
		r.c.Client.OnRead = func(at sim.Time, total int64) {
			done = int(total)
			if done < n {
				r.e.Schedule(at, request, 0)
			}
		}
		r.c.Connect(0)
		r.c.Client.Write(0, 1)
		r.e.RunUntil(sim.Second)
		if done != n {
			t.Fatalf("%s: %d transactions, want %d", pol, done, n)
		}
		cl, sv := r.c.Client.Stats.AcksSent, r.c.Server.Stats.AcksSent
		t.Logf("%s: pure ACKs client %d server %d for %d transactions", pol, cl, sv, n)
		if pol == AckPolicyLinux && (cl != 3 || sv != 1) {
			// the client's handshake ACK, one quick ACK per side for the
			// first message, and the client's delayed ACK of the last
			// response (no request follows to carry it)
			t.Errorf("linux: pure ACKs client %d, server %d; want 3 (handshake, first and last response) and 1", cl, sv)
		}
	}
}

// A reader that lags (its copies queue behind the softirq work on one
// core) leaves the window shrinking, so __tcp_ack_snd_check defers and
// the ACKs go at the ends of read calls: about one per ReadBytes, far
// fewer than "every"'s one per two segments.
func TestLinuxAckPerReadCall(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short")
	}
	p := hostPath(1)
	p.Steps[4].CyclesPerByte = 2 // a copy dearer than the softirq work: the reader lags
	for _, rb := range []int64{64 << 10, 256 << 10} {
		r := newRig(t, network.DefaultConfig(), p, 1500, linuxOpt(Options{ReadBytes: rb}))
		r.c.Connect(0)
		r.c.Client.Write(0, math.MaxInt64/2)
		r.e.RunUntil(100 * sim.Millisecond)
		a0, s0 := r.c.Server.Stats.AcksSent, r.c.Server.Stats.DataSegsRcvd
		r.e.RunUntil(300 * sim.Millisecond)
		ratio := float64(r.c.Server.Stats.AcksSent-a0) / float64(r.c.Server.Stats.DataSegsRcvd-s0)
		perCall := 1448 / float64(rb) // one ACK per read call
		t.Logf("read %d: %.4f ACKs per data packet (1/%.1f; one per read call: 1/%.1f)", rb, ratio, 1/ratio, 1/perCall)
		// at least one per read call; the window updates of a reader
		// freeing half the buffer (tcp_cleanup_rbuf) add some
		if ratio < perCall || ratio > 1.5*perCall {
			t.Errorf("read %d: %.4f ACKs per data packet, want one per read call (%.4f) to 1.5 times that", rb, ratio, perCall)
		}
	}
}

func TestAckPolicyValidate(t *testing.T) {
	t.Parallel()
	err := Options{AckPolicy: "bsd"}.Defaults().Validate()
	if err == nil || !strings.Contains(err.Error(), "tcp.Options.AckPolicy") || !strings.Contains(err.Error(), "every, linux") {
		t.Errorf("ack policy bsd: %v", err)
	}
	if o := (Options{}).Defaults(); o.AckPolicy != AckPolicyEvery {
		t.Errorf("default %q, want every", o.AckPolicy)
	}
}
