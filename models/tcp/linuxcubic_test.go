package tcp

import (
	"math"
	"testing"

	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// linuxCubicEndpoint is a bare sender in slow start with Linux's CUBIC.
func linuxCubicEndpoint(t *testing.T, cwnd float64) *Endpoint {
	t.Helper()
	opt := Options{LinuxCubic: true}.Defaults()
	ep := &Endpoint{opt: &opt, mss: 1448, cwnd: cwnd, ssthresh: math.Inf(1), sndUna: 1, sndMax: 100_000}
	ep.initLinuxCubic(nil)
	if ep.hs == nil {
		t.Fatal("LinuxCubic with CUBIC: no state")
	}
	return ep
}

// newRound makes the next ACK start a HyStart round (snd_una past its end).
func newRound(ep *Endpoint) {
	ep.sndUna = ep.hs.endSeq + 1
	ep.sndMax = ep.sndUna + 100_000
}

// HyStart's delay detection: the least RTT of a round's first eight
// samples above delay_min + clamp(delay_min/8, 4 ms, 16 ms) ends slow start
// at the ninth sample, ssthresh = cwnd; at the threshold itself it does
// not (Linux compares with >). ACKs 3 ms apart: no ACK train.
func TestHyStartDelay(t *testing.T) {
	ms := func(f float64) sim.Time { return sim.FromSeconds(f / 1000) }
	for _, tc := range []struct {
		name          string
		delayMin, rtt sim.Time
		found         bool
	}{
		{"4 ms floor, above", ms(1), ms(5) + 1, true},
		{"4 ms floor, at it", ms(1), ms(5), false},
		{"delay_min/8", ms(80), ms(90) + 1, true},
		{"delay_min/8, at it", ms(80), ms(90), false},
		{"16 ms cap", ms(200), ms(216) + 1, true},
		{"16 ms cap, below", ms(200), ms(215), false},
	} {
		ep := linuxCubicEndpoint(t, 20)
		at := sim.Time(0)
		ep.hystartAcked(tc.delayMin, at) // delay_min, in a round of its own
		newRound(ep)
		for i := 1; i <= 12; i++ {
			at += ms(3)
			ep.hystartAcked(tc.rtt, at)
			if ep.hs.found {
				if i != 9 || !tc.found {
					t.Errorf("%s: found at the round's sample %d", tc.name, i)
				}
				break
			}
		}
		if ep.hs.found != tc.found || tc.found && ep.ssthresh != 20 {
			t.Errorf("%s: found %v, ssthresh %v; want %v and 20", tc.name, ep.hs.found, ep.ssthresh, tc.found)
		}
	}
}

// HyStart's ACK train: ACKs no more than 2 ms apart, a round lasting
// longer than (delay_min + the TSO cushion)/2 ends slow start; the cushion
// is four 64 KiB packets at the pacing rate, at most 1 ms, none before an
// RTT sample. Nothing below a window of 16 segments, nothing with ACKs
// 3 ms apart.
func TestHyStartAckTrain(t *testing.T) {
	ms := func(f float64) sim.Time { return sim.FromSeconds(f / 1000) }
	for _, tc := range []struct {
		name    string
		cwnd    float64
		srtt    sim.Time // 0: no pacing rate, no cushion
		spacing sim.Time
		foundAt sim.Time // after the round's start; -1 never
	}{
		{"no cushion: past 5 ms", 20, 0, ms(0.5), ms(5.5)},
		{"1 ms cushion: past 5.5 ms", 20, ms(10), ms(0.5), ms(6)},
		{"ACKs 3 ms apart: no train", 20, 0, ms(3), -1},
		{"window below 16", 15, 0, ms(0.5), -1},
	} {
		ep := linuxCubicEndpoint(t, tc.cwnd)
		ep.srtt = tc.srtt
		start := ms(100)
		ep.hystartAcked(ms(10), 0) // delay_min 10 ms
		newRound(ep)
		got := sim.Time(-1)
		for at := start; at <= start+ms(30); at += tc.spacing {
			ep.hystartAcked(ms(10), at) // no queue: the delay detection stays off
			if ep.hs.found {
				got = at - start
				break
			}
		}
		if got != tc.foundAt {
			t.Errorf("%s: found %v after the round's start, want %v", tc.name, got, tc.foundAt)
		}
	}
}

// Before a W_max (no loss yet, or a timeout forgot it) Linux's CUBIC grows
// the window by at least 1/20 of a segment for each segment ACKed; with a
// W_max it grows as RFC 9438's, the cubic's time ahead by delay_min.
func TestLinuxCubicGrowth(t *testing.T) {
	grow := func(linux bool, wMax float64) float64 {
		opt := Options{LinuxCubic: linux}.Defaults()
		ep := &Endpoint{opt: &opt, mss: 1448, cwnd: 100, ssthresh: 100, srtt: 2 * sim.Millisecond}
		ep.cc.beta, ep.cc.c = 0.7, 0.4
		ep.cc.wMax = wMax
		ep.initLinuxCubic(nil)
		if linux {
			ep.hs.delayMin = ep.srtt // the same RTT ahead as RFC 9438's SRTT
		}
		for i := 0; i < 50; i++ {
			ep.ccOnAck(2, sim.Time(i)*20*sim.Microsecond)
		}
		return ep.cwnd - 100
	}
	rfc, linux := grow(false, 0), grow(true, 0)
	if want := 100 * 1.0 / 20; linux < want-1e-9 || rfc >= want {
		t.Errorf("no W_max: grew %.4f segments (RFC 9438 %.4f), want at least %.4f, the RFC's less", linux, rfc, want)
	}
	if rfc, linux := grow(false, 150), grow(true, 150); rfc != linux {
		t.Errorf("with a W_max: Linux grew %v segments, RFC 9438 %v: want the same", linux, rfc)
	}
}

// A bulk stream into a 1,000-packet FIFO at 100 Mbit/s with TCP small
// queues out of the way (a pod's stream through its node, Config.
// TSQOrphan): RFC 9438's slow start runs into the full queue and loses
// hundreds of segments; Linux's HyStart leaves it early and CUBIC then
// fills the queue with a few losses (the kernel: 17-55 retransmissions
// in 12 s, calibration/tsq/rtt-under-load.sh).
func TestLinuxCubicDeepQueue(t *testing.T) {
	run := func(linux bool) (retrans uint64, srtt sim.Time) {
		cfg := network.DefaultConfig()
		cfg.LinkGbps, cfg.QdiscLen = 0.1, 1000
		r := newRig(t, cfg, hostPath(1), 1500, Options{LinuxCubic: linux, TSQBytes: 1 << 30})
		r.c.Connect(0)
		r.c.Client.Write(0, math.MaxInt64/2)
		r.e.RunUntil(4 * sim.Second)
		r.conserve(t)
		return r.c.Client.Stats.Retrans, r.c.Client.SRTT()
	}
	rfcRetx, _ := run(false)
	linuxRetx, srtt := run(true)
	t.Logf("retransmissions: RFC 9438 %d, Linux %d (srtt %v)", rfcRetx, linuxRetx, srtt)
	if rfcRetx < 200 {
		t.Errorf("RFC 9438's slow start: %d retransmissions, want hundreds (the test's premise)", rfcRetx)
	}
	if linuxRetx > 60 {
		t.Errorf("Linux's CUBIC: %d retransmissions, want the few of a queue filled in congestion avoidance", linuxRetx)
	}
	if srtt < 50*sim.Millisecond {
		t.Errorf("Linux's CUBIC: srtt %v at 4 s, want the queue filled (1,000 packets: 121 ms)", srtt)
	}
}
