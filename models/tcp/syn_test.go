package tcp

import (
	"slices"
	"testing"

	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// TestSynSchedule drops the first k SYNs: the connection is established
// at the k-th retransmission time plus one handshake RTT, the Linux
// schedule (tcp_syn_retries 6, initial RTO 1 s doubling: SYNs at 0, 1, 3,
// 7, 15, 31, 63 s, failure at 127 s; CONVENTIONS "Linux vs simulator
// defaults"), or with tcp_syn_linear_timeouts = 4 at 1, 2, 3, 4, 5, 7 s
// and failure at 11 s. The initial window is 10, or 1 once the SYN was
// retransmitted twice (DESIGN 2).
func TestSynSchedule(t *testing.T) {
	t.Parallel()
	sched := map[string][]float64{
		SynExponential: {0, 1, 3, 7, 15, 31, 63, 127},
		SynLinear4:     {0, 1, 2, 3, 4, 5, 7, 11},
	}
	for _, kind := range []string{SynExponential, SynLinear4} {
		var hs sim.Time // handshake time without loss
		for k := 0; k <= 7; k++ {
			r := newRig(t, network.DefaultConfig(), hostPath(1), 1500, Options{SynSchedule: kind})
			dropped := 0
			r.c.Client.Route().DropIf = func(p *network.Packet, _ sim.Time) bool {
				if p.Flags&network.FlagSYN != 0 && dropped < k {
					dropped++
					return true
				}
				return false
			}
			r.c.Connect(0)
			r.e.RunUntil(200 * sim.Second)
			want := sim.FromSeconds(sched[kind][k])
			cl := r.c.Client
			if k == 7 {
				if cl.State() != Failed || cl.FailedAt != want {
					t.Errorf("%s: 7 SYNs lost: state %v failed at %v, want failed at %v", kind, cl.State(), cl.FailedAt, want)
				}
				continue
			}
			if k == 0 {
				hs = cl.EstablishedAt
			}
			if cl.State() != Established || cl.EstablishedAt != want+hs {
				t.Errorf("%s: %d SYNs lost: state %v at %v, want established at %v", kind, k, cl.State(), cl.EstablishedAt, want+hs)
			}
			wantCwnd := 10.0
			if k >= 2 {
				wantCwnd = 1
			}
			if cl.Cwnd() != wantCwnd {
				t.Errorf("%s: %d SYNs lost: initial cwnd %v, want %v", kind, k, cl.Cwnd(), wantCwnd)
			}
			var sent []float64
			for _, at := range cl.SynSent() {
				sent = append(sent, at.Seconds())
			}
			if !slices.Equal(sent, sched[kind][:k+1]) {
				t.Errorf("%s: %d SYNs lost: SynSent %v, want %v", kind, k, sent, sched[kind][:k+1])
			}
			if cl.Stats.SynRetrans != uint64(k) {
				t.Errorf("%s: %d SYNs lost: %d retransmissions", kind, k, cl.Stats.SynRetrans)
			}
			r.conserve(t)
		}
	}
}

// TestSynAckLoss: a lost SYN-ACK is repaired by the server's own timer
// (1 s, tcp_synack_retries) or the client's SYN retransmission, both at 1 s.
func TestSynAckLoss(t *testing.T) {
	t.Parallel()
	r := newRig(t, network.DefaultConfig(), hostPath(1), 1500, Options{})
	r.c.Server.Route().DropNth(1)
	r.c.Connect(0)
	r.e.RunUntil(5 * sim.Second)
	if r.c.Client.State() != Established || r.c.Server.State() != Established {
		t.Fatalf("states %v / %v", r.c.Client.State(), r.c.Server.State())
	}
	if at := r.c.Client.EstablishedAt; at < sim.Second || at > sim.Second+sim.Millisecond {
		t.Errorf("established at %v, want just after 1 s", at)
	}
	r.conserve(t)
}

// TestBlackhole: a server pod whose network becomes ready at 300 ms loses
// the first SYN; the retry at 1 s connects (the vendor analysis' async CNI).
func TestBlackhole(t *testing.T) {
	t.Parallel()
	r := newRig(t, network.DefaultConfig(), hostPath(1), 1500, Options{})
	r.c.Server.BlackholeUntil(300 * sim.Millisecond)
	r.c.Connect(0)
	r.e.RunUntil(3 * sim.Second)
	if at := r.c.Client.EstablishedAt; at < sim.Second || at > sim.Second+sim.Millisecond {
		t.Errorf("established at %v, want just after the 1 s SYN retry", at)
	}
	r.conserve(t)
}
