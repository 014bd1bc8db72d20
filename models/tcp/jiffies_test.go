package tcp

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

func TestTimerAt(t *testing.T) {
	t.Parallel()
	ms := sim.Millisecond
	for _, c := range []struct {
		hz           int
		now, timeout sim.Time
		want         sim.Time
	}{
		{0, 3 * ms, 2100 * sim.Microsecond, 5100 * sim.Microsecond}, // exact
		{250, 0, 2100 * sim.Microsecond, 8 * ms},                    // one jiffy, filed one tick after it
		{250, 3900 * sim.Microsecond, 2100 * sim.Microsecond, 8 * ms},
		{250, 4 * ms, 2100 * sim.Microsecond, 12 * ms},
		{250, 4 * ms, 0, 8 * ms},                              // due at once: the next tick
		{250, 4 * ms, 200 * ms, 208 * ms},                     // 50 jiffies
		{250, 4 * ms, 200*ms + 20*sim.Microsecond, 212 * ms},  // 51: the measured 208 ms after a tick
		{250, 0, 248 * ms, 252 * ms},                          // 62 jiffies: still level 0
		{250, 0, 252 * ms, 256 * ms},                          // 63: level 1, 8-jiffy buckets: (63>>3+1)<<3 = 64
		{250, 0, sim.Second, 1024 * ms},                       // 250 jiffies: (250>>3+1)<<3 = 256
		{250, 0, 3 * sim.Second, 3072 * ms},                   // 750: level 2, 64-jiffy buckets: 768
		{1000, 10*ms + 500*sim.Microsecond, 40 * ms, 51 * ms}, // jiffy 10, 40 jiffies, the tick after
		{100, 0, 200 * ms, 210 * ms},                          // 20 jiffies of 10 ms
		{300, 0, 40 * ms, 13 * (sim.Second / 300)},            // 12 jiffies of TICK_NSEC
	} {
		o := Options{HZ: c.hz}
		if got := o.timerAt(c.now, c.timeout); got != c.want {
			t.Errorf("HZ %d: armed at %v for %v fires at %v, want %v", c.hz, c.now, c.timeout, got, c.want)
		}
	}
}

// TestTimerAtNeverEarly: a kernel timer fires on a tick, never before its
// timeout, and at most its level's granularity and a jiffy after it.
func TestTimerAtNeverEarly(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, hz := range KernelHZs[1:] {
		o := Options{HZ: hz}
		jiffy := sim.Second / sim.Time(hz)
		for range 20000 {
			now := sim.Time(rng.Int64N(int64(10 * sim.Second)))
			timeout := sim.Time(rng.Int64N(int64(130 * sim.Second)))
			got := o.timerAt(now, timeout)
			n := (timeout + jiffy - 1) / jiffy
			gran := sim.Time(1)
			for start := sim.Time(63); n >= start; start *= 8 {
				gran *= 8
			}
			if got < now+timeout || got%jiffy != 0 || got > now+timeout+(gran+1)*jiffy {
				t.Fatalf("HZ %d: armed at %v for %v fires at %v: want a tick in [%v, %v]", hz, now, timeout, got, now+timeout, now+timeout+(gran+1)*jiffy)
			}
		}
	}
}

// TestProbeOnTicks is the kernel measurement of timerAt's comment run in
// the model: a flight of ten segments is lost, and so is the tail loss
// probe that follows. With HZ 250 the probe (2 SRTT + 2 ms: one jiffy)
// leaves on a tick one to two jiffies after the flight, and the RTO
// (200 ms and the SRTT: 51 jiffies) 52 ticks after the probe; with exact
// timers 2 SRTT + 2 ms and the RTO itself.
func TestProbeOnTicks(t *testing.T) {
	t.Parallel()
	for _, hz := range []int{0, 250} {
		t.Run(fmt.Sprint(hz), func(t *testing.T) {
			t.Parallel()
			r := newRig(t, network.DefaultConfig(), hostPath(1), 1500, Options{HZ: hz})
			mss := r.c.Client.MSS()
			var at [][]sim.Time
			r.c.Client.Route().DropIf = func(p *network.Packet, now sim.Time) bool {
				if p.Len == 0 {
					return false
				}
				seg := int(p.Seq / mss)
				for len(at) <= seg {
					at = append(at, nil)
				}
				at[seg] = append(at[seg], now)
				return now < 250*sim.Millisecond
			}
			r.c.Connect(0)
			r.e.RunUntil(5 * sim.Millisecond) // the handshake's SRTT
			start := r.e.Now()
			r.c.Client.Write(start, 10*mss)
			r.e.RunUntil(sim.Second)
			st := r.c.Client.Stats
			if st.TLPs != 1 || st.RTOs < 1 || len(at) != 10 || len(at[9]) < 3 {
				t.Fatalf("probes %d, RTOs %d, segment 9 sent at %v: want one probe of the last segment, then the RTO", st.TLPs, st.RTOs, at)
			}
			last, probe, rto := at[9][0], at[9][1], at[0][1]
			srtt, jiffy := r.c.Client.SRTT(), 4*sim.Millisecond
			if hz == 0 {
				if d := probe - last; d < timeoutMin || d > timeoutMin+4*srtt {
					t.Errorf("probe %v after the flight (SRTT %v), want about 2 SRTT + 2 ms", d, srtt)
				}
				if d := rto - probe; d <= 200*sim.Millisecond || d > 201*sim.Millisecond {
					t.Errorf("RTO %v after the probe, want 200 ms and a little", d)
				}
				return
			}
			if d := probe - last; probe%jiffy != 0 || d <= jiffy || d > 2*jiffy {
				t.Errorf("probe at %v, %v after the flight: want on a tick, one to two jiffies later", probe, d)
			}
			if d := rto - probe; d != 52*jiffy {
				t.Errorf("RTO %v after the probe, want 52 jiffies (%v; the RTO 51 and the wheel's tick)", d, 52*jiffy)
			}
			if got := r.c.Server.Received(); got != 10*mss {
				t.Errorf("received %d of %d", got, 10*mss)
			}
		})
	}
}
