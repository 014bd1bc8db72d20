package tcp

import (
	"testing"

	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// establishedServer returns a rig whose connection is established and
// its server, for a test to feed segments directly (onData).
func establishedServer(t *testing.T) (*rig, *Endpoint) {
	t.Helper()
	r := newRig(t, network.DefaultConfig(), hostPath(1), 1500, Options{})
	r.c.Connect(0)
	r.e.RunUntil(10 * sim.Millisecond)
	if st := r.c.Server.state; st != Established {
		t.Fatalf("server state %v after 10 ms", st)
	}
	return r, r.c.Server
}

// TestEchoedTimestamp feeds a receiver segments with chosen timestamps and
// reads the echo of each ACK it sends, against Linux's rules for
// ts_recent (tcp_replace_ts_recent): a delayed ACK echoes the first
// segment it covers; the echo never goes back (a segment sent before a
// retransmission, arriving after it); a duplicate below the last ACK
// leaves it.
func TestEchoedTimestamp(t *testing.T) {
	t.Parallel()
	r, srv := establishedServer(t)
	var echoes []sim.Time
	srv.Route().DropIf = func(p *network.Packet, _ sim.Time) bool {
		echoes = append(echoes, p.TSecr)
		return false
	}
	srv.quick = 0 // past quick-ack: an ACK every second full segment
	mss, base := srv.MSS(), srv.rcvNxt
	in := r.c.Client.Route()
	now := r.e.Now()
	for i, tc := range []struct {
		seg    int64    // segment index from the first
		tsval  sim.Time // its timestamp
		echoes []sim.Time
	}{
		{0, 100, nil},             // held: the ACK waits for a second segment
		{1, 200, []sim.Time{100}}, // the ACK covering 0 and 1 echoes 0's
		{2, 300, nil},             //
		{3, 250, []sim.Time{300}}, // 3 was sent before 2 (as a retransmission 2 and its original 3): no going back
		{0, 400, []sim.Time{300}}, // a duplicate is ACKed at once; its timestamp is not kept
		{4, 350, nil},             //
		{5, 500, []sim.Time{350}}, //
		{6, 600, nil},             //
		{8, 800, []sim.Time{600}}, // out of order: a duplicate ACK at once with the echo of 6, which began at the last ACK
		{7, 700, []sim.Time{700}}, // fills the hole at rcv_wup: its own (RFC 7323 4.2 case C)
	} {
		echoes = echoes[:0]
		now += sim.Microsecond
		h := network.Header{Seq: base + tc.seg*mss, Len: int32(mss), Flags: network.FlagACK, TSval: tc.tsval}
		srv.onData(&h, in, now, false)
		r.e.RunUntil(now + 500*sim.Nanosecond)
		if len(echoes) != len(tc.echoes) || len(echoes) > 0 && echoes[0] != tc.echoes[0] {
			t.Errorf("step %d (segment %d, TSval %d): ACKs echo %v, want %v", i, tc.seg, tc.tsval, echoes, tc.echoes)
		}
	}
}

// TestDSACKReported: a duplicate is reported once, as the first block of
// the next ACK (RFC 2883): below the cumulative ACK when it was in order,
// inside the second block when it was held out of order.
func TestDSACKReported(t *testing.T) {
	t.Parallel()
	r, srv := establishedServer(t)
	mss, base := srv.MSS(), srv.rcvNxt
	var opts [][]span
	srv.Route().DropIf = func(p *network.Packet, _ sim.Time) bool {
		var o []span
		if p.Flags&flagSACK != 0 {
			rec := srv.sackLog.buf[uint64(p.Seq)&uint64(len(srv.sackLog.buf)-1)]
			for k := uint8(0); k < rec.n; k++ {
				o = append(o, span{(rec.blk[k].start - base) / mss, (rec.blk[k].end - base) / mss})
			}
		}
		opts = append(opts, o)
		return false
	}
	srv.quick = 100 // every segment ACKed at once
	in := r.c.Client.Route()
	now := r.e.Now()
	for i, tc := range []struct {
		seg  int64
		want []span // each ACK's blocks, in segments from the first
	}{
		{0, []span{}},
		{1, []span{}},
		{0, []span{{0, 1}}},         // a duplicate in order: below the ACK (2)
		{3, []span{{3, 4}}},         // out of order
		{3, []span{{3, 4}, {3, 4}}}, // held already: inside the next block
		{4, []span{{3, 5}}},         // reported once
		{2, []span{}},               // the hole filled
	} {
		opts = opts[:0]
		now += sim.Microsecond
		h := network.Header{Seq: base + tc.seg*mss, Len: int32(mss), Flags: network.FlagACK, TSval: now}
		srv.onData(&h, in, now, false)
		r.e.RunUntil(now + 500*sim.Nanosecond)
		if len(opts) != 1 || len(opts[0]) != len(tc.want) {
			t.Fatalf("step %d (segment %d): ACKs with blocks %v, want one with %v", i, tc.seg, opts, tc.want)
		}
		for k := range tc.want {
			if opts[0][k] != tc.want[k] {
				t.Errorf("step %d (segment %d): blocks %v, want %v", i, tc.seg, opts[0], tc.want)
				break
			}
		}
	}
}
