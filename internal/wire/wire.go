package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// IP protocol numbers.
const (
	ProtoTCP = 6
	ProtoUDP = 17
)

// TCP flag bits (RFC 9293, RFC 3168).
const (
	FlagFIN = 0x01
	FlagSYN = 0x02
	FlagRST = 0x04
	FlagPSH = 0x08
	FlagACK = 0x10
	FlagURG = 0x20
	FlagECE = 0x40
	FlagCWR = 0x80
)

// ECN codepoints, the low two bits of IPv4.TOS (RFC 3168).
const (
	ECNNotECT = 0
	ECNECT1   = 1
	ECNECT0   = 2
	ECNCE     = 3
)

// Header sizes and limits.
const (
	IPv4HeaderLen   = 20
	TCPHeaderLen    = 20 // without options
	UDPHeaderLen    = 8
	MaxTCPOptionLen = 40
	maxTotalLen     = 65535
	maxWScale       = 14 // RFC 7323 §2.3
)

// IPv4 is the fields of an IPv4 header a capture shows (20 bytes, no options).
type IPv4 struct {
	Src, Dst [4]byte
	TOS      uint8 // DSCP<<2 | ECN (ECN codepoints in the low two bits)
	ID       uint16
	DF       bool
	TTL      uint8
	Protocol uint8 // ProtoTCP or ProtoUDP; AppendTCP and AppendUDP set it
}

// TCP is a TCP header with the options Linux sends.
type TCP struct {
	SrcPort, DstPort uint16
	Seq, Ack         uint32
	Flags            uint8
	Window           uint16
	MSS              uint16 // MSS option (kind 2), 0: absent
	WScale           int8   // window scale option (kind 3), -1: absent (0..14 valid)
	SACKPermitted    bool   // kind 4
	HasTimestamps    bool   // kind 8
	TSval, TSecr     uint32
	SACK             []Block // kind 5; at most 3 with timestamps, 4 without
}

// Block is one SACK block: the sequence numbers [Start, End).
type Block struct{ Start, End uint32 }

// UDP is a UDP header; its length and checksum follow from the packet.
type UDP struct{ SrcPort, DstPort uint16 }

// Option kinds and lengths (RFC 9293, RFC 2018, RFC 7323).
const (
	optEOL       = 0
	optNOP       = 1
	optMSS       = 2
	optWScale    = 3
	optSACKPerm  = 4
	optSACK      = 5
	optTimestamp = 8

	lenMSS       = 4
	lenWScale    = 3
	lenSACKPerm  = 2
	lenTimestamp = 10
)

// optionsLen returns the length of t's options as AppendTCP lays them out:
// every option is padded to a 4-byte word, as Linux pads them.
func optionsLen(t *TCP) int {
	n := 0
	if t.MSS != 0 {
		n += 4
	}
	if t.HasTimestamps {
		n += 12 // SACK-permitted, if set, shares the word of the NOPs
	} else if t.SACKPermitted {
		n += 4
	}
	if t.WScale >= 0 {
		n += 4
	}
	if len(t.SACK) > 0 {
		n += 4 + 8*len(t.SACK)
	}
	return n
}

// AppendTCP appends the IPv4 and TCP headers of a segment carrying payload
// bytes to b: IP total length = headers + payload, IP header checksum
// computed, TCP checksum 0 (no payload to sum; Wireshark does not verify
// it by default), data offset from the options. The options follow Linux:
// MSS; timestamps, preceded by SACK-permitted if set, else by two NOPs;
// SACK-permitted alone as NOP NOP 4 2; NOP and window scale; NOP NOP and
// the SACK blocks. ip.Protocol is set to ProtoTCP. On error b is returned
// unchanged.
func AppendTCP(b []byte, ip IPv4, t TCP, payload int) ([]byte, error) {
	if t.WScale > maxWScale || t.WScale < -1 {
		return b, fmt.Errorf("wire: window scale %d outside 0..%d (-1: absent)", t.WScale, maxWScale)
	}
	olen := optionsLen(&t)
	if olen > MaxTCPOptionLen {
		return b, fmt.Errorf("wire: TCP options need %d bytes, over %d (%d SACK blocks)", olen, MaxTCPOptionLen, len(t.SACK))
	}
	tcpLen := TCPHeaderLen + olen
	total, err := ipTotal(tcpLen, payload)
	if err != nil {
		return b, err
	}
	ip.Protocol = ProtoTCP
	b = appendIPv4(b, &ip, total)

	b = binary.BigEndian.AppendUint16(b, t.SrcPort)
	b = binary.BigEndian.AppendUint16(b, t.DstPort)
	b = binary.BigEndian.AppendUint32(b, t.Seq)
	b = binary.BigEndian.AppendUint32(b, t.Ack)
	b = append(b, byte(tcpLen/4)<<4, t.Flags)
	b = binary.BigEndian.AppendUint16(b, t.Window)
	b = append(b, 0, 0, 0, 0) // checksum, urgent pointer

	if t.MSS != 0 {
		b = append(b, optMSS, lenMSS)
		b = binary.BigEndian.AppendUint16(b, t.MSS)
	}
	if t.HasTimestamps {
		if t.SACKPermitted {
			b = append(b, optSACKPerm, lenSACKPerm)
		} else {
			b = append(b, optNOP, optNOP)
		}
		b = append(b, optTimestamp, lenTimestamp)
		b = binary.BigEndian.AppendUint32(b, t.TSval)
		b = binary.BigEndian.AppendUint32(b, t.TSecr)
	} else if t.SACKPermitted {
		b = append(b, optNOP, optNOP, optSACKPerm, lenSACKPerm)
	}
	if t.WScale >= 0 {
		b = append(b, optNOP, optWScale, lenWScale, byte(t.WScale))
	}
	if len(t.SACK) > 0 {
		b = append(b, optNOP, optNOP, optSACK, byte(2+8*len(t.SACK)))
		for _, blk := range t.SACK {
			b = binary.BigEndian.AppendUint32(b, blk.Start)
			b = binary.BigEndian.AppendUint32(b, blk.End)
		}
	}
	return b, nil
}

// AppendUDP appends the IPv4 and UDP headers of a datagram carrying payload
// bytes to b: UDP length = 8 + payload, UDP checksum 0 (none, which IPv4
// allows). ip.Protocol is set to ProtoUDP. On error b is returned unchanged.
func AppendUDP(b []byte, ip IPv4, u UDP, payload int) ([]byte, error) {
	total, err := ipTotal(UDPHeaderLen, payload)
	if err != nil {
		return b, err
	}
	ip.Protocol = ProtoUDP
	b = appendIPv4(b, &ip, total)
	b = binary.BigEndian.AppendUint16(b, u.SrcPort)
	b = binary.BigEndian.AppendUint16(b, u.DstPort)
	b = binary.BigEndian.AppendUint16(b, uint16(UDPHeaderLen+payload))
	return append(b, 0, 0), nil
}

// ipTotal is the IP total length of a packet whose transport header of
// hdr bytes carries payload bytes, or why there is none.
func ipTotal(hdr, payload int) (int, error) {
	if payload < 0 {
		return 0, fmt.Errorf("wire: negative payload length %d", payload)
	}
	total := IPv4HeaderLen + hdr + payload
	if payload > maxTotalLen || total > maxTotalLen {
		return 0, fmt.Errorf("wire: IP total length %d over %d", total, maxTotalLen)
	}
	return total, nil
}

func appendIPv4(b []byte, ip *IPv4, total int) []byte {
	start := len(b)
	var frag uint16
	if ip.DF {
		frag = 0x4000
	}
	b = append(b, 0x45, ip.TOS)
	b = binary.BigEndian.AppendUint16(b, uint16(total))
	b = binary.BigEndian.AppendUint16(b, ip.ID)
	b = binary.BigEndian.AppendUint16(b, frag)
	b = append(b, ip.TTL, ip.Protocol, 0, 0)
	b = append(b, ip.Src[:]...)
	b = append(b, ip.Dst[:]...)
	binary.BigEndian.PutUint16(b[start+10:], checksum(b[start:]))
	return b
}

// checksum is the Internet checksum (RFC 1071) of b, whose checksum field
// is zero: the one's complement of the one's-complement sum of its 16-bit
// words.
func checksum(b []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// Packet is a decoded capture record.
type Packet struct {
	IP      IPv4
	TCP     *TCP // nil unless Protocol 6
	UDP     *UDP // nil unless Protocol 17
	Payload int  // bytes beyond the headers, from the IP total length
}

// ErrTruncated reports a record that ends inside the IP or transport header.
var ErrTruncated = errors.New("wire: truncated header")

// ErrNotIPv4 is a well-formed tunnel packet that carries no IPv4 packet (an
// ARP or IPv6 frame inside VXLAN or Geneve, a WireGuard handshake):
// DecodeEncap's errors wrap it, so a reader can skip such records.
var ErrNotIPv4 = errors.New("wire: the tunnel carries no IPv4 packet")

// Decode decodes a capture record that starts with an IPv4 header. The
// record may end anywhere after the transport header (a capture's snap
// length); the payload length comes from the IP total length. IP options
// and unknown TCP options are skipped, as are known TCP options of the
// wrong length (as Linux does); a window scale over 14 reads as 14 (RFC
// 7323 §2.3). Checksums are not verified: AppendTCP writes none. Another
// protocol than TCP or UDP decodes with both transport fields nil.
func Decode(b []byte) (Packet, error) {
	var p Packet
	if len(b) < 1 {
		return p, fmt.Errorf("%w: IPv4 header: 0 of %d bytes", ErrTruncated, IPv4HeaderLen)
	}
	if v := b[0] >> 4; v != 4 {
		return p, fmt.Errorf("wire: not IPv4: version %d", v)
	}
	ihl := int(b[0]&0x0f) * 4
	if ihl < IPv4HeaderLen {
		return p, fmt.Errorf("wire: IPv4 header length %d under %d", ihl, IPv4HeaderLen)
	}
	if len(b) < ihl {
		return p, fmt.Errorf("%w: IPv4 header: %d of %d bytes", ErrTruncated, len(b), ihl)
	}
	total := int(binary.BigEndian.Uint16(b[2:]))
	frag := binary.BigEndian.Uint16(b[6:])
	// A fragment's total length is not the segment's, and a later fragment
	// holds no transport header; the simulator never fragments.
	if frag&0x3fff != 0 {
		return p, fmt.Errorf("wire: IPv4 fragment (MF %t, offset %d)", frag&0x2000 != 0, frag&0x1fff)
	}
	p.IP = IPv4{
		TOS:      b[1],
		ID:       binary.BigEndian.Uint16(b[4:]),
		DF:       frag&0x4000 != 0,
		TTL:      b[8],
		Protocol: b[9],
	}
	copy(p.IP.Src[:], b[12:16])
	copy(p.IP.Dst[:], b[16:20])

	hdr := ihl
	seg := b[ihl:]
	switch p.IP.Protocol {
	case ProtoTCP:
		if len(seg) < TCPHeaderLen && total >= ihl+TCPHeaderLen {
			return p, fmt.Errorf("%w: TCP header: %d of %d bytes", ErrTruncated, len(seg), TCPHeaderLen)
		}
		var doff int
		if len(seg) >= TCPHeaderLen {
			doff = int(seg[12]>>4) * 4
			if doff < TCPHeaderLen {
				return p, fmt.Errorf("wire: TCP data offset %d bytes under %d", doff, TCPHeaderLen)
			}
		} else {
			doff = TCPHeaderLen
		}
		hdr += doff
		if total < hdr {
			return p, fmt.Errorf("wire: IP total length %d under the headers' %d bytes", total, hdr)
		}
		if len(seg) < doff {
			return p, fmt.Errorf("%w: TCP header: %d of %d bytes", ErrTruncated, len(seg), doff)
		}
		t := &TCP{
			SrcPort: binary.BigEndian.Uint16(seg[0:]),
			DstPort: binary.BigEndian.Uint16(seg[2:]),
			Seq:     binary.BigEndian.Uint32(seg[4:]),
			Ack:     binary.BigEndian.Uint32(seg[8:]),
			Flags:   seg[13],
			Window:  binary.BigEndian.Uint16(seg[14:]),
			WScale:  -1,
		}
		if err := decodeOptions(t, seg[TCPHeaderLen:doff]); err != nil {
			return p, err
		}
		p.TCP = t
	case ProtoUDP:
		hdr += UDPHeaderLen
		if total < hdr {
			return p, fmt.Errorf("wire: IP total length %d under the headers' %d bytes", total, hdr)
		}
		if len(seg) < UDPHeaderLen {
			return p, fmt.Errorf("%w: UDP header: %d of %d bytes", ErrTruncated, len(seg), UDPHeaderLen)
		}
		p.UDP = &UDP{
			SrcPort: binary.BigEndian.Uint16(seg[0:]),
			DstPort: binary.BigEndian.Uint16(seg[2:]),
		}
	default:
		if total < hdr {
			return p, fmt.Errorf("wire: IP total length %d under the header's %d bytes", total, hdr)
		}
	}
	p.Payload = total - hdr
	return p, nil
}

func decodeOptions(t *TCP, o []byte) error {
	for i := 0; i < len(o); {
		kind := o[i]
		if kind == optEOL {
			break
		}
		if kind == optNOP {
			i++
			continue
		}
		if i+1 >= len(o) {
			return fmt.Errorf("wire: TCP option kind %d at offset %d has no length byte", kind, i)
		}
		n := int(o[i+1])
		if n < 2 {
			return fmt.Errorf("wire: TCP option kind %d at offset %d has length %d", kind, i, n)
		}
		if i+n > len(o) {
			return fmt.Errorf("wire: TCP option kind %d at offset %d: length %d runs past the %d option bytes", kind, i, n, len(o))
		}
		v := o[i+2 : i+n]
		switch {
		case kind == optMSS && n == lenMSS:
			t.MSS = binary.BigEndian.Uint16(v)
		case kind == optWScale && n == lenWScale:
			t.WScale = int8(min(v[0], maxWScale))
		case kind == optSACKPerm && n == lenSACKPerm:
			t.SACKPermitted = true
		case kind == optTimestamp && n == lenTimestamp:
			t.HasTimestamps = true
			t.TSval = binary.BigEndian.Uint32(v)
			t.TSecr = binary.BigEndian.Uint32(v[4:])
		case kind == optSACK && n > 2 && (n-2)%8 == 0:
			t.SACK = t.SACK[:0]
			for j := 0; j < len(v); j += 8 {
				t.SACK = append(t.SACK, Block{
					Start: binary.BigEndian.Uint32(v[j:]),
					End:   binary.BigEndian.Uint32(v[j+4:]),
				})
			}
		}
		i += n
	}
	return nil
}
