package flowstats

import (
	"net/netip"
	"slices"
	"sort"

	"github.com/cnisim/cnisim/internal/wire"
)

// Packet is one decoded capture record: its time (nanoseconds) and its
// IPv4 packet (the inner one of a tunnel).
type Packet struct {
	TS int64
	P  wire.Packet
}

// Conn is one TCP connection of a capture, seen from where it was
// captured. Its data direction is the client's to the server's unless the
// server sent more payload (a download), then the reverse.
type Conn struct {
	// Client sent the first SYN; without one in the capture, the side
	// that sent more payload.
	Client, Server netip.AddrPort
	First, Last    int64 // first and last packet, ns
	// Syns are the client's SYNs (1: none lost), SynAck the time from the
	// first SYN to the first SYN-ACK (-1: not both seen).
	Syns   int
	SynAck int64
	// Download: the server sent more payload; Sender, Receiver then name
	// the data direction's ends.
	Download         bool
	Sender, Receiver netip.AddrPort
	// The data direction: data segments (payload > 0), their payload,
	// the payload once each (sequence space covered), segments sent
	// again or out of order (ending at or below the highest sequence seen
	// before), the first and last data segment's times.
	Segments, Bytes, UniqueBytes, Retrans int64
	DataFirst, DataLast                   int64
	// The reverse direction's pure ACKs (no payload, no SYN/FIN), those
	// carrying SACK blocks and those reporting a duplicate (D-SACK: a
	// first block below the ACK).
	Acks, SACKAcks, DSACKs int64
	// CE are data segments whose IP header carries CE; ECE the ACKs with
	// ECE set.
	CE, ECE int64
	// RTT are the samples of the timestamps' echo: from a data segment to
	// the first ACK echoing its TSval, ns. Taken where the capture is:
	// at the sender they are round trips, at the receiver its ACK delay.
	RTT []int64
	// MaxWindow is the largest window the receiver offered, bytes (its
	// SYN's window scale applied when the SYN was captured).
	MaxWindow int64
	// Completion is the flow completion time: from the first SYN to the
	// ACK of the data direction's last byte, where captured (-1: no SYN,
	// no payload, or the last byte not acknowledged in the capture).
	Completion int64
}

// dir is one direction's sequence bookkeeping.
type dir struct {
	base     uint32 // the first sequence number seen (the ISN after a SYN)
	started  bool
	high     int64 // highest sequence end seen, relative to base
	ackHigh  int64 // highest the other side acknowledged, relative to base,
	ackAt    int64 // and when that ACK was seen
	wscale   uint8
	syn      bool // the SYN was captured (wscale known)
	bytes    int64
	segs     int64
	retrans  int64
	first    int64
	last     int64
	tsSent   []tsSent // data segments' first TSvals not yet echoed, in send order
	maxWin   int64
	acks     int64
	sackAcks int64
	dsacks   int64
	ce, ece  int64
	rtt      []int64
}

type tsSent struct {
	val uint32
	at  int64
}

// echoed takes an ACK's TSecr at ts: the first data segment that carried
// it gives an RTT sample; older values can no longer be echoed first
// (timestamps rise), so they go.
func (d *dir) echoed(val uint32, ts int64) {
	i := 0
	for i < len(d.tsSent) && int32(d.tsSent[i].val-val) < 0 {
		i++
	}
	if i < len(d.tsSent) && d.tsSent[i].val == val {
		d.rtt = append(d.rtt, ts-d.tsSent[i].at)
		i++
	}
	d.tsSent = d.tsSent[:copy(d.tsSent, d.tsSent[i:])]
}

// rel is seq relative to the direction's base, unwrapped near high.
func (d *dir) rel(seq uint32) int64 {
	off := int64(int32(seq - d.base - uint32(d.high)))
	return d.high + off
}

type conn struct {
	key        [2]netip.AddrPort // a, b in canonical order
	client     int               // index of the client in key (-1 unknown)
	d          [2]dir            // by sender index in key
	first      int64
	last       int64
	syns       int
	synAt      int64
	synAckAt   int64
	synAckSeen bool
}

// Analyze returns the TCP connections of a capture's packets (in capture
// order), by first packet; packets of other protocols are skipped.
func Analyze(pkts []Packet) []Conn {
	conns := map[[2]netip.AddrPort]*conn{}
	var order []*conn
	for _, pk := range pkts {
		t := pk.P.TCP
		if t == nil {
			continue
		}
		src := netip.AddrPortFrom(netip.AddrFrom4(pk.P.IP.Src), t.SrcPort)
		dst := netip.AddrPortFrom(netip.AddrFrom4(pk.P.IP.Dst), t.DstPort)
		key, from := [2]netip.AddrPort{src, dst}, 0
		if dst.Compare(src) < 0 {
			key, from = [2]netip.AddrPort{dst, src}, 1
		}
		c := conns[key]
		if c == nil {
			c = &conn{key: key, client: -1, first: pk.TS, synAt: -1, synAckAt: -1}
			conns[key] = c
			order = append(order, c)
		}
		c.last = pk.TS
		c.packet(from, pk.TS, t, pk.P)
	}
	out := make([]Conn, 0, len(order))
	for _, c := range order {
		out = append(out, c.result())
	}
	return out
}

// packet takes one segment sent by side from of c.
func (c *conn) packet(from int, ts int64, t *wire.TCP, p wire.Packet) {
	d, r := &c.d[from], &c.d[1-from]
	syn, ack := t.Flags&wire.FlagSYN != 0, t.Flags&wire.FlagACK != 0
	if syn {
		d.base, d.started, d.syn, d.high = t.Seq+1, true, true, 0
		if t.WScale >= 0 {
			d.wscale = uint8(t.WScale)
		}
		if !ack {
			if c.syns == 0 {
				c.synAt = ts
			}
			c.syns++
			c.client = from
		} else if !c.synAckSeen {
			c.synAckSeen, c.synAckAt = true, ts
		}
	}
	if !d.started {
		d.base, d.started = t.Seq, true
	}
	win := int64(t.Window)
	if !syn && d.syn && r.syn { // scaling applies once both SYNs offered it
		win <<= d.wscale
	}
	d.maxWin = max(d.maxWin, win)
	if ack && t.HasTimestamps && len(r.tsSent) > 0 {
		r.echoed(t.TSecr, ts)
	}
	if ack && r.started {
		if a := r.rel(t.Ack); a > r.ackHigh {
			r.ackHigh, r.ackAt = a, ts
		}
	}
	if p.Payload > 0 && !syn {
		start := d.rel(t.Seq)
		end := start + int64(p.Payload)
		if d.segs == 0 {
			d.first = ts
		}
		d.last = ts
		d.segs++
		d.bytes += int64(p.Payload)
		if end <= d.high {
			d.retrans++
		} else {
			d.high = end
		}
		if p.IP.TOS&3 == wire.ECNCE {
			d.ce++
		}
		if n := len(d.tsSent); t.HasTimestamps && (n == 0 || int32(t.TSval-d.tsSent[n-1].val) > 0) {
			d.tsSent = append(d.tsSent, tsSent{t.TSval, ts})
		}
		return
	}
	if ack && !syn && t.Flags&wire.FlagFIN == 0 { // a pure ACK, for the other side's data
		d.acks++
		if len(t.SACK) > 0 {
			d.sackAcks++
			if r.started && r.rel(t.SACK[0].Start) < r.rel(t.Ack) {
				d.dsacks++
			}
		}
		if t.Flags&wire.FlagECE != 0 {
			d.ece++
		}
	}
}

// result is c as a Conn.
func (c *conn) result() Conn {
	cl := c.client
	if cl < 0 { // no SYN captured: the side that sent more is the client
		cl = 0
		if c.d[1].bytes > c.d[0].bytes {
			cl = 1
		}
	}
	out := Conn{Client: c.key[cl], Server: c.key[1-cl], First: c.first, Last: c.last, Syns: c.syns, SynAck: -1}
	if c.synAt >= 0 && c.synAckSeen {
		out.SynAck = c.synAckAt - c.synAt
	}
	snd := cl
	if c.d[1-cl].bytes > c.d[cl].bytes {
		snd, out.Download = 1-cl, true
	}
	d, r := &c.d[snd], &c.d[1-snd]
	out.Sender, out.Receiver = c.key[snd], c.key[1-snd]
	out.Segments, out.Bytes, out.UniqueBytes, out.Retrans = d.segs, d.bytes, d.high, d.retrans
	out.DataFirst, out.DataLast = d.first, d.last
	out.Acks, out.SACKAcks, out.DSACKs, out.ECE = r.acks, r.sackAcks, r.dsacks, r.ece
	out.CE = d.ce
	out.RTT = slices.Clone(d.rtt)
	out.MaxWindow = r.maxWin
	out.Completion = -1
	if c.synAt >= 0 && d.high > 0 && d.ackHigh >= d.high {
		out.Completion = d.ackAt - c.synAt
	}
	return out
}

// Summary pools a capture's connections.
type Summary struct {
	Connections int
	// Bytes and UniqueBytes are every connection's data direction;
	// GoodputMbps the unique bytes over the span from the first data
	// segment to the last, all connections together.
	Bytes, UniqueBytes int64
	GoodputMbps        float64
	Segments, Retrans  int64
	RetransFraction    float64 // Retrans / Segments
	AckRatio           float64 // pure ACKs per data segment
	SACKAcks, DSACKs   int64
	CE, ECE            int64
	// RTT quantiles of the pooled samples, µs (0: none).
	RTTP10us, RTTP50us, RTTP90us float64
	RTTSamples                   int
	// SynRetries are SYNs beyond each connection's first; SynAckP50us
	// the median of the handshakes' SYN to SYN-ACK times (0: none seen).
	SynRetries  int
	SynAckP50us float64
	// Completed are the connections with a completion time, and the
	// quantiles of those times, µs.
	Completed                    int
	FCTP50us, FCTP90us, FCTP99us float64
}

// Summarize pools conns.
func Summarize(conns []Conn) Summary {
	var s Summary
	var rtt, syn, fct []float64
	first, last := int64(-1), int64(0)
	var acks int64
	for _, c := range conns {
		s.Connections++
		s.Bytes += c.Bytes
		s.UniqueBytes += c.UniqueBytes
		s.Segments += c.Segments
		s.Retrans += c.Retrans
		acks += c.Acks
		s.SACKAcks += c.SACKAcks
		s.DSACKs += c.DSACKs
		s.CE += c.CE
		s.ECE += c.ECE
		for _, r := range c.RTT {
			rtt = append(rtt, float64(r)/1e3)
		}
		if c.Syns > 1 {
			s.SynRetries += c.Syns - 1
		}
		if c.SynAck >= 0 {
			syn = append(syn, float64(c.SynAck)/1e3)
		}
		if c.Completion >= 0 {
			fct = append(fct, float64(c.Completion)/1e3)
		}
		if c.Segments > 0 {
			if first < 0 || c.DataFirst < first {
				first = c.DataFirst
			}
			last = max(last, c.DataLast)
		}
	}
	if s.Segments > 0 {
		s.RetransFraction = float64(s.Retrans) / float64(s.Segments)
		s.AckRatio = float64(acks) / float64(s.Segments)
	}
	if last > first && first >= 0 {
		s.GoodputMbps = float64(s.UniqueBytes) * 8 / (float64(last-first) / 1e9) / 1e6
	}
	s.RTTSamples = len(rtt)
	s.RTTP10us, s.RTTP50us, s.RTTP90us = quantile(rtt, 0.1), quantile(rtt, 0.5), quantile(rtt, 0.9)
	s.SynAckP50us = quantile(syn, 0.5)
	s.Completed = len(fct)
	s.FCTP50us, s.FCTP90us, s.FCTP99us = quantile(fct, 0.5), quantile(fct, 0.9), quantile(fct, 0.99)
	return s
}

// quantile is the q-quantile of xs by the nearest rank (0 for none).
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sort.Float64s(xs)
	i := int(q*float64(len(xs))+0.5) - 1
	return xs[min(max(i, 0), len(xs)-1)]
}
