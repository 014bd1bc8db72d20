package flowstats

import (
	"bytes"
	"math"
	"testing"

	"github.com/cnisim/cnisim/internal/pcap"
	"github.com/cnisim/cnisim/internal/wire"
	"github.com/cnisim/cnisim/models/datapath/datapathtest"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/sim"
)

var cli, srv = [4]byte{10, 0, 0, 2}, [4]byte{10, 0, 1, 2}

// seg builds a segment from the client (or the server) at ts µs.
func seg(ts int64, fromClient bool, flags uint8, seq, ack uint32, payload int, tsval, tsecr uint32, sack ...wire.Block) Packet {
	ip := wire.IPv4{Src: cli, Dst: srv, TTL: 64, Protocol: wire.ProtoTCP}
	t := &wire.TCP{SrcPort: 40000, DstPort: 5201, Seq: seq, Ack: ack, Flags: flags, Window: 1000, WScale: -1,
		HasTimestamps: true, TSval: tsval, TSecr: tsecr, SACK: sack}
	if !fromClient {
		ip.Src, ip.Dst = srv, cli
		t.SrcPort, t.DstPort = 5201, 40000
	}
	if flags&wire.FlagSYN != 0 {
		t.WScale = 7
	}
	return Packet{TS: ts * 1000, P: wire.Packet{IP: ip, TCP: t, Payload: payload}}
}

// TestAnalyzeByHand: a handshake with its SYN lost once, five segments of
// 1000 bytes from an ISN near the wrap, the third lost and sent again,
// ACKs with a SACK block, a D-SACK and echoed timestamps: every counter
// as written out by hand.
func TestAnalyzeByHand(t *testing.T) {
	const isn = math.MaxUint32 - 1500 // the sequence numbers wrap inside the transfer
	A, S, AS := uint8(wire.FlagACK), uint8(wire.FlagSYN), uint8(wire.FlagSYN|wire.FlagACK)
	base := uint32(isn + 1)
	pkts := []Packet{
		seg(0, true, S, isn, 0, 0, 1, 0),
		seg(1000000, true, S, isn, 0, 0, 2, 0),      // the SYN again at 1 s
		seg(1000100, false, AS, 7, isn+1, 0, 50, 2), // SYN-ACK 100 µs after the second
		seg(1000200, true, A, base, 8, 0, 3, 50),
		seg(1000300, true, A, base, 8, 1000, 4, 50),
		seg(1000301, true, A, base+1000, 8, 1000, 5, 50),
		seg(1000302, true, A, base+2000, 8, 1000, 6, 50), // lost
		seg(1000303, true, A, base+3000, 8, 1000, 7, 50),
		seg(1000304, true, A, base+4000, 8, 1000, 8, 50),
		seg(1000400, false, A, 8, base+2000, 0, 51, 5), // echoes 5: 99 µs after it was sent
		seg(1000401, false, A, 8, base+2000, 0, 52, 7, wire.Block{Start: base + 3000, End: base + 5000}),
		seg(1000500, true, A, base+2000, 8, 1000, 9, 52),  // the retransmission
		seg(1000600, false, A, 8, base+5000, 0, 53, 9),    // echoes 9: 100 µs
		seg(1000700, true, A, base+2000, 8, 1000, 10, 53), // a spurious one
		seg(1000800, false, A, 8, base+5000, 0, 54, 10, wire.Block{Start: base + 2000, End: base + 3000}),
	}
	cs := Analyze(pkts)
	if len(cs) != 1 {
		t.Fatalf("%d connections", len(cs))
	}
	c := cs[0]
	// SynAck from the first SYN: the lost one's second included
	want := Conn{Syns: 2, SynAck: 1000100e3, Segments: 7, Bytes: 7000, UniqueBytes: 5000, Retrans: 2, Acks: 4, SACKAcks: 2, DSACKs: 1,
		DataFirst: 1000300e3, DataLast: 1000700e3, First: 0, Last: 1000800e3, MaxWindow: 1000 << 7}
	if c.Client.Addr().As4() != cli || c.Download || c.Syns != want.Syns || c.SynAck != want.SynAck || c.Segments != want.Segments ||
		c.Bytes != want.Bytes || c.UniqueBytes != want.UniqueBytes || c.Retrans != want.Retrans || c.Acks != want.Acks ||
		c.SACKAcks != want.SACKAcks || c.DSACKs != want.DSACKs || c.DataFirst != want.DataFirst || c.DataLast != want.DataLast ||
		c.First != want.First || c.Last != want.Last || c.MaxWindow != want.MaxWindow {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
	if c.Completion != 1000600e3 { // the first SYN to the ACK of byte 5000
		t.Errorf("completion %d ns, want 1000600000", c.Completion)
	}
	if len(c.RTT) != 4 || c.RTT[0] != 99e3 || c.RTT[1] != 98e3 || c.RTT[2] != 100e3 || c.RTT[3] != 100e3 {
		t.Errorf("RTT samples %v, want 99, 98, 100 and 100 µs (the spurious retransmission's echo too)", c.RTT)
	}
	s := Summarize(cs)
	if s.SynRetries != 1 || s.RetransFraction != 2.0/7 || s.AckRatio != 4.0/7 || s.RTTP50us != 99 || s.SynAckP50us != 1000100 || s.Completed != 1 || s.FCTP99us != 1000600 ||
		math.Abs(s.GoodputMbps-5000*8/400e-6/1e6) > 1e-9 {
		t.Errorf("summary %+v", s)
	}
}

// TestAnalyzeSimulated: the statistics of a simulated capture are the
// model's own counters, read back from the packets: at the sender's node,
// every data segment it sent and every one it sent again, every pure ACK
// the receiver sent and delivered, and round trips whose median is within
// the range of the sender's RTT samples.
func TestAnalyzeSimulated(t *testing.T) {
	e := sim.NewEngine()
	c := network.DefaultConfig()
	c.LinkGbps, c.QdiscLen = 1, 20 // a short queue: losses and recoveries
	n, err := network.New(e, c)
	if err != nil {
		t.Fatal(err)
	}
	capture := tcp.NewCapture([]int{0}, 1<<30, 5201)
	path := datapathtest.HostPath(1)
	conn, err := tcp.Dial(n, tcp.Side{Node: 0}, tcp.Side{Node: 1, Core: 1}, path, path, 1500, 1, tcp.Options{Capture: capture})
	if err != nil {
		t.Fatal(err)
	}
	conn.Connect(0)
	conn.Client.Write(0, 20<<20)
	e.RunUntil(2 * sim.Second)
	cl, sv := conn.Client.Stats, conn.Server.Stats
	if cl.Retrans == 0 {
		t.Fatal("no retransmissions: the test wants losses")
	}
	var pkts []Packet
	_, recs, err := pcap.ReadAll(bytes.NewReader(capture.Files()[0]))
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		p, err := wire.Decode(rec.Data)
		if err != nil {
			t.Fatal(err)
		}
		pkts = append(pkts, Packet{TS: rec.TS, P: p})
	}
	cs := Analyze(pkts)
	if len(cs) != 1 {
		t.Fatalf("%d connections", len(cs))
	}
	got := cs[0]
	_, delivered, _ := conn.Server.Route().Counts()
	if got.Completion <= 0 || got.Completion > int64(2*sim.Second/sim.Nanosecond) || conn.Client.Acked() != 20<<20 {
		t.Errorf("completion %d ns of a transfer acknowledged %d of %d bytes in 2 s", got.Completion, conn.Client.Acked(), 20<<20)
	}
	inFlight := got.UniqueBytes - conn.Client.Acked()
	if got.Segments != int64(cl.SegsSent) || got.Retrans != int64(cl.Retrans) || inFlight < 0 || inFlight > 3<<20 ||
		got.Acks > int64(sv.AcksSent) || got.Acks == 0 || uint64(got.Acks) > delivered || got.Syns != 1 {
		t.Errorf("capture: %d segments, %d again, %d unique bytes, %d ACKs; model: %d sent, %d retransmitted, %d acked, %d ACKs sent (%d packets delivered)",
			got.Segments, got.Retrans, got.UniqueBytes, got.Acks, cl.SegsSent, cl.Retrans, conn.Client.Acked(), sv.AcksSent, delivered)
	}
	s := Summarize(cs)
	mean := cl.RTT.Mean() // µs
	if s.RTTSamples == 0 || s.RTTP50us < mean/2 || s.RTTP50us > 2*mean {
		t.Errorf("RTT p50 %.1f µs of %d samples, the sender's mean %.1f", s.RTTP50us, s.RTTSamples, mean)
	}
}

// FuzzAnalyze: any sequence of segments, however wrapped, repeated or out
// of order, is analysed without a panic into counts that add up.
func FuzzAnalyze(f *testing.F) {
	f.Add([]byte{0x02, 0, 0, 0, 1, 0x10, 0, 5, 0xdc, 0x12, 3, 0x10, 0xff, 0xff, 0xff, 0xf0})
	f.Fuzz(func(t *testing.T, b []byte) {
		var pkts []Packet
		for i := 0; i+8 <= len(b) && len(pkts) < 2000; i += 8 {
			fromClient := b[i]&1 == 0
			p := seg(int64(b[i+1]), fromClient, b[i+2], uint32(b[i+3])<<24|uint32(b[i+4])<<8, uint32(b[i+5])<<24, int(b[i+6])*8,
				uint32(b[i+7]), uint32(b[i+7]-1))
			if b[i]&2 != 0 {
				p.P.TCP.SACK = []wire.Block{{Start: uint32(b[i+3]) << 24, End: uint32(b[i+4]) << 24}}
			}
			pkts = append(pkts, p)
		}
		cs := Analyze(pkts)
		var segs int64
		for _, c := range cs {
			if c.Retrans > c.Segments || c.Bytes < 0 || c.UniqueBytes < 0 || c.SACKAcks > c.Acks || c.DSACKs > c.SACKAcks {
				t.Fatalf("inconsistent %+v", c)
			}
			segs += c.Segments
		}
		s := Summarize(cs)
		if s.Segments != segs || s.RetransFraction < 0 || s.RetransFraction > 1 {
			t.Fatalf("summary %+v", s)
		}
	})
}

// TestAnalyzeUDP: datagrams a direction each, their payload and rate.
func TestAnalyzeUDP(t *testing.T) {
	t.Parallel()
	dgram := func(ts int64, fwd bool, n int) Packet {
		ip, u := wire.IPv4{Src: cli, Dst: srv, Protocol: wire.ProtoUDP}, &wire.UDP{SrcPort: 40000, DstPort: 5201}
		if !fwd {
			ip.Src, ip.Dst, u.SrcPort, u.DstPort = srv, cli, 5201, 40000
		}
		return Packet{TS: ts, P: wire.Packet{IP: ip, UDP: u, Payload: n}}
	}
	var pkts []Packet
	for i := range 11 { // 11 datagrams of 1,250 bytes 1 ms apart: 10,000 bits a ms over 10 ms
		pkts = append(pkts, dgram(int64(i)*1e6, true, 1250))
	}
	pkts = append(pkts, dgram(5e6, false, 8), seg(0, true, wire.FlagSYN, 1, 0, 0, 1, 0))
	fs := AnalyzeUDP(pkts)
	if len(fs) != 2 || fs[0].Datagrams != 11 || fs[0].Bytes != 13750 || fs[1].Datagrams != 1 || fs[1].RateMbps() != 0 {
		t.Fatalf("flows %+v", fs)
	}
	if r := fs[0].RateMbps(); math.Abs(r-11) > 1e-9 { // 13,750 bytes over 10 ms
		t.Errorf("rate %.3f Mbit/s, want 11", r)
	}
	if s := SummarizeUDP(fs); s.Flows != 2 || s.Datagrams != 12 || s.Bytes != 13758 || math.Abs(s.RateMbps-13758*8/10e-3/1e6) > 1e-9 {
		t.Errorf("summary %+v", s)
	}
}
