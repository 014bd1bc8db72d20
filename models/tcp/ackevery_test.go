package tcp

import (
	"math"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// bulkAcks sends segs full-sized segments on a cheap inter-host path with
// the given ACK policy and returns the receiver's pure ACKs and the times
// the sender processed each ACK that acknowledged new data.
func bulkAcks(t *testing.T, ackEvery, segs int) (acks uint64, acked []sim.Time, r *rig) {
	t.Helper()
	r = newRig(t, network.DefaultConfig(), hostPath(1), 1500, Options{AckEvery: ackEvery})
	r.c.Connect(0)
	r.c.Client.Write(0, int64(segs)*1448)
	r.c.Client.OnAcked = func(at sim.Time, _ int64) { acked = append(acked, at) }
	r.e.RunUntil(2 * sim.Second)
	if got := r.c.Server.Received(); got != int64(segs)*1448 {
		t.Fatalf("ack_every %d: received %d of %d bytes", ackEvery, got, segs*1448)
	}
	if n := r.c.Server.Stats.DataSegsRcvd; n != uint64(segs) || r.c.Client.Stats.Retrans != 0 {
		t.Fatalf("ack_every %d: %d data segments, %d retransmissions; want %d and 0", ackEvery, n, r.c.Client.Stats.Retrans, segs)
	}
	r.conserve(t)
	return r.c.Server.Stats.AcksSent, acked, r
}

// Closed form of the receiver's pure ACKs for a transfer of S full-sized
// segments without loss: the first QuickAcks (16) segments are ACKed at
// once, then one ACK per AckEvery segments, and a remainder by the
// delayed-ACK timer: 16 + floor((S-16)/N) + [(S-16) mod N > 0].
func TestAckEveryClosedForm(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2, 3, 8} {
		for _, s := range []int{16 + 8*3*5, 16 + 8*3*5 + 1, 1001} {
			acks, _, _ := bulkAcks(t, n, s)
			want := 16 + (s-16)/n
			if (s-16)%n > 0 {
				want++
			}
			if acks != uint64(want) {
				t.Errorf("ack_every %d, %d segments: %d pure ACKs, want %d", n, s, acks, want)
			}
		}
	}
}

// In a long bulk run the ACKs per data packet are 1/ack_every (within one
// ACK over the measured span), the ratio calibrate fit's acks_per_packet
// states; 64 models a GRO receiver's stretch ACKs.
func TestAckEveryRatio(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: simulates bulk streams at several ack_every (~1 s)")
	}
	for _, n := range []int{1, 2, 4, 64} {
		r := newRig(t, network.DefaultConfig(), hostPath(1), 1500, Options{AckEvery: n})
		r.c.Connect(0)
		r.c.Client.Write(0, math.MaxInt64/2)
		r.e.RunUntil(400 * sim.Millisecond)
		a0, s0 := r.c.Server.Stats.AcksSent, r.c.Server.Stats.DataSegsRcvd
		r.e.RunUntil(900 * sim.Millisecond)
		acks, segs := float64(r.c.Server.Stats.AcksSent-a0), float64(r.c.Server.Stats.DataSegsRcvd-s0)
		if segs < 100*float64(n) || math.Abs(acks-segs/float64(n)) > 1 {
			t.Errorf("ack_every %d: %g ACKs for %g segments, want %g (+-1)", n, acks, segs, segs/float64(n))
		}
		r.conserve(t)
	}
}

// The delayed-ACK timer is unchanged at the default: with 2, a transfer
// ending on an odd segment gets its last ACK DelAck (40 ms) after the one
// before it (the network's part of the gap is microseconds).
func TestDelayedAckTimer(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 2} { // 0: the default
		acks, acked, _ := bulkAcks(t, n, 16+2*5+1)
		if acks != 16+5+1 || len(acked) < 2 {
			t.Fatalf("ack_every %d: %d ACKs (%d acknowledging new data), want 22", n, acks, len(acked))
		}
		gap := acked[len(acked)-1] - acked[len(acked)-2]
		if gap < 40*sim.Millisecond || gap > 40*sim.Millisecond+100*sim.Microsecond {
			t.Errorf("ack_every %d: last ACK %v after the one before, want 40 ms (+ the path)", n, gap)
		}
	}
}

func TestAckEveryValidate(t *testing.T) {
	t.Parallel()
	for _, n := range []int{-1, MaxAckEvery + 1} {
		err := Options{AckEvery: n}.Defaults().Validate()
		if err == nil || !strings.Contains(err.Error(), "tcp.Options.AckEvery") || !strings.Contains(err.Error(), "[1, 1024]") {
			t.Errorf("ack_every %d: %v", n, err)
		}
	}
	if o := (Options{}).Defaults(); o.AckEvery != 2 {
		t.Errorf("default ack_every %d, want 2 (Linux)", o.AckEvery)
	}
	if err := (Options{AckEvery: MaxAckEvery}).Defaults().Validate(); err != nil {
		t.Error(err)
	}
}
