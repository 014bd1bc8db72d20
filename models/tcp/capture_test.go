package tcp

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/cnisim/cnisim/internal/pcap"
	"github.com/cnisim/cnisim/internal/wire"
	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// capRecord is a decoded capture record.
type decoded struct {
	at sim.Time
	p  wire.Packet
}

func readCapture(t *testing.T, b []byte) []decoded {
	t.Helper()
	var out []decoded
	for _, rec := range readRecords(t, b) {
		p, err := wire.Decode(rec.Data)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(rec.Data) + p.Payload; got != rec.OrigLen {
			t.Fatalf("record of %d bytes + %d payload, original length %d", len(rec.Data), p.Payload, rec.OrigLen)
		}
		out = append(out, decoded{sim.Time(rec.TS) * sim.Nanosecond, p})
	}
	return out
}

// readRecords reads a capture's records, checking its link type.
func readRecords(t *testing.T, b []byte) []pcap.Record {
	t.Helper()
	link, recs, err := pcap.ReadAll(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if link != pcap.LinkTypeRaw {
		t.Fatalf("link type %d, want %d", link, pcap.LinkTypeRaw)
	}
	return recs
}

// captured runs a transfer of segs full segments from node 0 to node 1,
// dropping the client route's packets numbered drop (1-based: the SYN is
// the first), with a capture of both nodes when capture is set.
func captured(t *testing.T, segs int, capture *Capture, drop ...uint64) *rig {
	t.Helper()
	r := newRig(t, network.DefaultConfig(), hostPath(1), 1500, Options{Capture: capture})
	r.c.Client.Route().DropNth(drop...)
	r.c.Connect(0)
	r.c.Client.Write(0, int64(segs)*1448)
	r.e.RunUntil(3 * sim.Second)
	if got := r.c.Client.Acked(); got != int64(segs)*1448 {
		t.Fatalf("acked %d of %d bytes", got, segs*1448)
	}
	r.conserve(t)
	return r
}

// TestCaptureTransfer: the capture shows the handshake's options, every
// packet a side sent on its node and every packet it received on the
// other, a lost segment sent twice and received once, and the SACK block
// that reported the data above it.
func TestCaptureTransfer(t *testing.T) {
	t.Parallel()
	const segs, lost = 60, 12 // the client's 12th packet: SYN, ACK, then data
	cp := NewCapture(nil, 1<<30, 5201)
	r := captured(t, segs, cp, lost)
	files := cp.Files()
	if len(files) != 2 || cp.Skipped() != 0 {
		t.Fatalf("%d files, %d skipped: want 2, 0", len(files), cp.Skipped())
	}
	cli, srv := readCapture(t, files[0]), readCapture(t, files[1])
	cliAddr, srvAddr := podAddr(0, 0), podAddr(1, 1)
	count := func(recs []decoded, src [4]byte) (n int) {
		for _, d := range recs {
			if d.p.IP.Src == src {
				n++
			}
		}
		return n
	}
	sent, delivered, dropped := r.c.Client.Route().Counts()
	if dropped != 1 {
		t.Fatalf("client route dropped %d, want 1", dropped)
	}
	if got := count(cli, cliAddr); uint64(got) != sent {
		t.Errorf("node 0 recorded %d packets from the client, it sent %d", got, sent)
	}
	if got := count(srv, cliAddr); uint64(got) != delivered {
		t.Errorf("node 1 recorded %d packets from the client, %d were delivered", got, delivered)
	}
	ssent, sdelivered, _ := r.c.Server.Route().Counts()
	if got := count(srv, srvAddr); uint64(got) != ssent {
		t.Errorf("node 1 recorded %d packets from the server, it sent %d", got, ssent)
	}
	if got := count(cli, srvAddr); uint64(got) != sdelivered {
		t.Errorf("node 0 recorded %d packets from the server, %d were delivered", got, sdelivered)
	}
	for i := 1; i < len(cli); i++ {
		if cli[i].at < cli[i-1].at {
			t.Fatalf("node 0 record %d at %v before record %d's %v", i, cli[i].at, i-1, cli[i-1].at)
		}
	}

	syn := cli[0].p
	if syn.TCP == nil || syn.TCP.Flags != wire.FlagSYN || syn.TCP.MSS != 1460 || syn.TCP.WScale != 7 || !syn.TCP.SACKPermitted ||
		!syn.TCP.HasTimestamps || syn.TCP.DstPort != 5201 || syn.IP.Dst != srvAddr {
		t.Fatalf("first record %+v %+v: want the client's SYN with MSS 1460, wscale 7, SACK permitted, timestamps, to port 5201", syn.IP, syn.TCP)
	}
	isn := syn.TCP.Seq
	var synAck *wire.TCP
	for _, d := range srv {
		if d.p.TCP.Flags == wire.FlagSYN|wire.FlagACK {
			synAck = d.p.TCP
			break
		}
	}
	if synAck == nil || synAck.Ack != isn+1 {
		t.Fatalf("SYN-ACK %+v: want one acknowledging %d", synAck, isn+1)
	}

	// The lost segment: sent twice on node 0, received once on node 1;
	// the 10th data segment (the 12th packet: after the SYN and the
	// handshake's ACK) starts at 9 x 1448.
	hole := isn + 1 + 9*1448
	seen := func(recs []decoded) (n int) {
		for _, d := range recs {
			if d.p.IP.Src == cliAddr && d.p.TCP.Seq == hole && d.p.Payload == 1448 {
				n++
			}
		}
		return n
	}
	if a, b := seen(cli), seen(srv); a != 2 || b != 1 {
		t.Errorf("segment at %d: sent %d times, received %d, want 2 and 1", hole, a, b)
	}
	var sacked bool
	for _, d := range srv {
		if d.p.IP.Src == srvAddr && d.p.TCP.Ack == hole && len(d.p.TCP.SACK) > 0 {
			if d.p.TCP.SACK[0].Start != hole+1448 {
				t.Errorf("SACK block %+v of the ACK at %v: want it to start at %d, the hole's end", d.p.TCP.SACK[0], d.at, hole+1448)
			}
			sacked = true
		}
	}
	if !sacked {
		t.Error("no ACK of the hole carries a SACK block")
	}
	var data int
	for _, d := range srv {
		if d.p.IP.Src == cliAddr {
			data += d.p.Payload
		}
	}
	if data != segs*1448 {
		t.Errorf("node 1 received %d payload bytes, want %d", data, segs*1448)
	}
}

// TestCaptureChangesNothing: a captured run is the same run, and its
// capture is the same bytes again.
func TestCaptureChangesNothing(t *testing.T) {
	t.Parallel()
	plain := captured(t, 200, nil, 30, 31, 90)
	a, b := NewCapture(nil, 1<<30, 5201), NewCapture(nil, 1<<30, 5201)
	ra, _ := captured(t, 200, a, 30, 31, 90), captured(t, 200, b, 30, 31, 90)
	if plain.c.Client.Stats != ra.c.Client.Stats || plain.c.Server.Stats != ra.c.Server.Stats || plain.e.Now() != ra.e.Now() {
		t.Errorf("a captured run differs: client %+v / %+v", ra.c.Client.Stats, plain.c.Client.Stats)
	}
	fa, fb := a.Files(), b.Files()
	for n := range fa {
		if !bytes.Equal(fa[n], fb[n]) {
			t.Errorf("node %d: two captures of one run differ", n)
		}
	}
}

// TestCaptureBound: past MaxBytes nothing more is recorded and what is
// left out is counted; a node not captured gets no file.
func TestCaptureBound(t *testing.T) {
	t.Parallel()
	all := NewCapture(nil, 1<<30, 5201)
	captured(t, 100, all)
	whole := len(all.Files()[0]) + len(all.Files()[1])
	const max = 4000
	cp := NewCapture(nil, max, 5201)
	captured(t, 100, cp)
	files := cp.Files()
	got := len(files[0]) + len(files[1])
	if got > max || cp.Skipped() == 0 {
		t.Errorf("bounded at %d bytes: wrote %d, skipped %d packets", max, got, cp.Skipped())
	}
	per := (whole - 48) / int(cp.Skipped()+uint64(len(readCapture(t, files[0]))+len(readCapture(t, files[1]))))
	if per < 60 || per > 96 {
		t.Errorf("%d bytes per record on average, want about 84", per)
	}
	one := NewCapture([]int{1}, 1<<30, 5201)
	captured(t, 10, one)
	if f := one.Files(); len(f) != 1 || f[1] == nil {
		t.Errorf("nodes [1]: %d files, node 1's %d bytes", len(f), len(f[1]))
	}
}

// TestCaptureBlackhole: the asynchronous CNI's lost SYN (the vendor
// analysis' curl artefact) shows in the client pod's capture and not in
// the server's, and the retry a second later in both.
func TestCaptureBlackhole(t *testing.T) {
	t.Parallel()
	cp := NewCapture(nil, 1<<30, 80)
	r := newRig(t, network.DefaultConfig(), hostPath(1), 1500, Options{Capture: cp})
	r.c.Server.BlackholeUntil(300 * sim.Millisecond)
	r.c.Connect(0)
	r.e.RunUntil(3 * sim.Second)
	syns := func(recs []decoded) (ts []sim.Time) {
		for _, d := range recs {
			if d.p.TCP.Flags == wire.FlagSYN {
				ts = append(ts, d.at)
			}
		}
		return ts
	}
	files := cp.Files()
	cli, srv := syns(readCapture(t, files[0])), syns(readCapture(t, files[1]))
	if len(cli) != 2 || cli[0] != 0 || cli[1] != sim.Second || len(srv) != 1 || srv[0] < sim.Second || srv[0] > sim.Second+sim.Millisecond {
		t.Errorf("SYNs at %v on the client's node and %v on the server's: want 0 and 1 s, and just after 1 s", cli, srv)
	}
}

// TestCaptureNIC: at the NICs a VXLAN path's packets carry the tunnel's
// outer headers (the nodes' addresses, UDP to 4789 from one entropy port
// per direction, VNI 1, 50 bytes more), and inside them the pod's packets
// exactly as the pod capture of the same run shows them, later: a segment
// lost before the NIC is in the pod's capture only.
func TestCaptureNIC(t *testing.T) {
	t.Parallel()
	path := overlayPath()
	path.Encap = datapath.EncapVXLAN
	run := func(nic bool) map[int][]decoded {
		cp := NewCapture(nil, 1<<30, 5201)
		cp.NIC = nic
		r := newRig(t, network.DefaultConfig(), path, 1450, Options{Capture: cp})
		r.c.Client.Route().DropNth(12)
		r.c.Connect(0)
		r.c.Client.Write(0, 60*1398)
		r.e.RunUntil(3 * sim.Second)
		if got := r.c.Client.Acked(); got != 60*1398 {
			t.Fatalf("acked %d bytes", got)
		}
		out := map[int][]decoded{}
		for n, b := range cp.Files() {
			out[n] = readCaptureAt(t, b, nic)
		}
		return out
	}
	pod, nic := run(false), run(true)
	key := func(p wire.Packet) string { return fmt.Sprintf("%v %v %+v %d", p.IP.Src, p.IP.Dst, *p.TCP, p.Payload) }
	for n := range 2 {
		// every NIC record is a pod record of the same packet, at or after it
		left := map[string][]sim.Time{}
		for _, d := range pod[n] {
			left[key(d.p)] = append(left[key(d.p)], d.at)
		}
		for _, d := range nic[n] {
			k := key(d.p)
			if len(left[k]) == 0 {
				t.Fatalf("node %d: NIC record %s at %v has no pod record", n, k, d.at)
			}
			at, sentHere := left[k][0], int(d.p.IP.Src[2]) == n
			if sentHere && d.at < at || !sentHere && d.at > at {
				t.Errorf("node %d: %s at the NIC at %v, at the pod at %v", n, k, d.at, at)
			}
			left[k] = left[k][1:]
		}
		var missing int
		for _, ts := range left {
			missing += len(ts)
		}
		if want := map[int]int{0: 1, 1: 0}[n]; missing != want {
			t.Errorf("node %d: %d pod records not seen at the NIC, want %d (the segment dropped before it)", n, missing, want)
		}
	}
	if len(nic[0]) == 0 || len(nic[1]) == 0 {
		t.Fatal("no NIC records")
	}
}

// readCaptureAt reads a capture, the NIC's through its VXLAN headers,
// checking them.
func readCaptureAt(t *testing.T, b []byte, nic bool) []decoded {
	t.Helper()
	if !nic {
		return readCapture(t, b)
	}
	var out []decoded
	ports := map[[4]byte]uint16{}
	for _, rec := range readRecords(t, b) {
		e, inner, err := wire.DecodeEncap(rec.Data, 0)
		if err != nil {
			t.Fatal(err)
		}
		p, err := wire.Decode(inner)
		if err != nil {
			t.Fatal(err)
		}
		if e.Kind != wire.EncapVXLAN || e.VNI != 1 || e.Src != nodeAddr(int(p.IP.Src[2])) || e.Dst != nodeAddr(int(p.IP.Dst[2])) ||
			rec.OrigLen != len(inner)+p.Payload+50 || e.SrcPort < 32768 || e.SrcPort > 60999 {
			t.Fatalf("outer %+v of %+v (original length %d)", e, p.IP, rec.OrigLen)
		}
		if old, ok := ports[e.Src]; ok && old != e.SrcPort {
			t.Fatalf("direction from %v: source ports %d and %d", e.Src, old, e.SrcPort)
		}
		ports[e.Src] = e.SrcPort
		out = append(out, decoded{sim.Time(rec.TS) * sim.Nanosecond, p})
	}
	return out
}
