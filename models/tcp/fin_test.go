package tcp

import (
	"testing"

	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// finRig is netperf's TCP_CRR on one connection: the client writes a
// 1-byte request, the server reads it, writes the response and closes
// (recv_omni's close_data_socket), the client reads the response and, on
// end of file, closes (send_omni_inner's disconnect_data_socket).
type finRig struct {
	*rig
	done          int
	doneAt, eofAt sim.Time
	states        []State // server, client after the server's close
}

func newFinRig(t *testing.T) *finRig {
	r := &finRig{rig: newRig(t, network.DefaultConfig(), hostPath(1), 1500, Options{})}
	c := r.c
	c.OnDone = func(got *Conn, at sim.Time) {
		if got != c {
			t.Errorf("OnDone for another connection")
		}
		r.done++
		r.doneAt = at
	}
	c.Client.OnEstablished = func(at sim.Time) { c.Client.Write(at, 1) }
	c.Server.OnRead = func(at sim.Time, total int64) {
		c.Server.OnRead = nil
		r.e.Schedule(at, handlerFunc(func(now sim.Time) {
			c.Server.Write(now, 1)
			c.Server.Close(now)
			r.states = append(r.states, c.Server.State(), c.Client.State())
		}), 0)
	}
	c.Client.OnEOF = func(at sim.Time) {
		r.eofAt = at
		r.e.Schedule(at, handlerFunc(func(now sim.Time) {
			r.states = append(r.states, c.Client.State())
			if ret := c.Client.Close(now); ret < now {
				t.Errorf("close() returned at %v before it was called at %v", ret, now)
			}
			r.states = append(r.states, c.Client.State())
		}), 0)
	}
	return r
}

type handlerFunc func(now sim.Time)

func (f handlerFunc) Handle(e *sim.Engine, _ uint64) { f(e.Now()) }

// TestFinExchange: the server closes first and ends in TIME_WAIT, the
// client in CLOSED; the packets are exactly SYN, SYN-ACK, ACK, request,
// response, the quick ACKs and the three of the teardown (FIN, FIN+ACK,
// ACK); OnDone fires once, at the last ACK's arrival; the states pass
// FIN_WAIT_1 / CLOSE_WAIT / LAST_ACK as RFC 9293 names them.
func TestFinExchange(t *testing.T) {
	t.Parallel()
	r := newFinRig(t)
	fins := [2]int{}
	for i, ep := range []*Endpoint{r.c.Client, r.c.Server} {
		i := i
		ep.Route().DropIf = func(p *network.Packet, _ sim.Time) bool {
			if p.Flags&network.FlagFIN != 0 {
				fins[i]++
			}
			return false
		}
	}
	r.c.Connect(0)
	r.e.RunUntil(sim.Second)
	cl, sv := r.c.Client, r.c.Server
	if r.done != 1 || cl.State() != Closed || sv.State() != TimeWait || !cl.Done() || !sv.Done() {
		t.Fatalf("done %d, client %v server %v, want done once, closed and time_wait", r.done, cl.State(), sv.State())
	}
	want := []State{FinWait1, Established, CloseWait, LastAck}
	if len(r.states) != len(want) {
		t.Fatalf("states %v, want %v", r.states, want)
	}
	for i := range want {
		if r.states[i] != want[i] {
			t.Errorf("states %v, want %v", r.states, want)
			break
		}
	}
	if fins != [2]int{1, 1} {
		t.Errorf("FINs sent client %d server %d, want one each", fins[0], fins[1])
	}
	if r.doneAt <= r.eofAt {
		t.Errorf("done at %v, before the client's end of file at %v", r.doneAt, r.eofAt)
	}
	if cl.Stats.FinRetrans+sv.Stats.FinRetrans != 0 {
		t.Errorf("FIN retransmissions without loss")
	}
	r.conserve(t)
	if s := r.n.Stats(); s.InFlight != 0 {
		t.Errorf("%d packets in flight after the teardown", s.InFlight)
	}
}

// TestFinLoss drops one teardown packet: a lost FIN is retransmitted on
// the RTO (the teardown ends about one RTO later, 200 ms at least), a
// lost last ACK makes the passive side retransmit its FIN and the
// TIME_WAIT side acknowledge it again; with every FIN of a side dropped
// it gives up after finRetries retransmissions and the connection is done.
func TestFinLoss(t *testing.T) {
	t.Parallel()
	base := newFinRig(t)
	base.c.Connect(0)
	base.e.RunUntil(sim.Second)
	cases := []struct {
		name   string
		client bool // drop on the client's route (else the server's)
		drop   func(p *network.Packet) bool
		all    bool
		rtx    [2]uint64 // FIN retransmissions client, server
	}{
		{"server FIN", false, func(p *network.Packet) bool { return p.Flags&network.FlagFIN != 0 }, false, [2]uint64{0, 1}},
		// the client's FIN carried the ACK of the server's: both time out
		{"client FIN", true, func(p *network.Packet) bool { return p.Flags&network.FlagFIN != 0 }, false, [2]uint64{1, 1}},
		{"last ACK", false, func(p *network.Packet) bool { return p.Flags == network.FlagACK && p.Ack == 2 }, false, [2]uint64{1, 0}},
		{"every server FIN", false, func(p *network.Packet) bool { return p.Flags&network.FlagFIN != 0 }, true, [2]uint64{0, finRetries}},
	}
	for _, tc := range cases {
		r := newFinRig(t)
		ep := r.c.Server
		if tc.client {
			ep = r.c.Client
		}
		dropped := 0
		ep.Route().DropIf = func(p *network.Packet, _ sim.Time) bool {
			if tc.drop(p) && (tc.all || dropped == 0) {
				dropped++
				return true
			}
			return false
		}
		r.c.Connect(0)
		r.e.RunUntil(1000 * sim.Second)
		if r.done != 1 {
			t.Errorf("%s: done %d times, want once", tc.name, r.done)
			continue
		}
		if got := [2]uint64{r.c.Client.Stats.FinRetrans, r.c.Server.Stats.FinRetrans}; got != tc.rtx {
			t.Errorf("%s: FIN retransmissions %v, want %v", tc.name, got, tc.rtx)
		}
		if late := r.doneAt - base.doneAt; !tc.all && (late < 200*sim.Millisecond || late > 2*sim.Second) {
			t.Errorf("%s: done %v later than without loss, want one RTO", tc.name, late)
		}
		if tc.all && dropped != finRetries+1 {
			t.Errorf("%s: %d FINs sent, want %d", tc.name, dropped, finRetries+1)
		}
		r.conserve(t)
	}
}
