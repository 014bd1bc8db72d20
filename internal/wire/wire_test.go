package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"
)

var (
	ipA = [4]byte{10, 0, 0, 1}
	ipB = [4]byte{10, 0, 0, 2}
)

func ip(proto uint8) IPv4 {
	return IPv4{Src: ipA, Dst: ipB, ID: 0x1234, DF: true, TTL: 64, Protocol: proto}
}

func TestRoundTrip(t *testing.T) {
	ts := TCP{SrcPort: 34567, DstPort: 80, Seq: 1001, Ack: 5001, Flags: FlagACK, Window: 502, WScale: -1, HasTimestamps: true, TSval: 7, TSecr: 9}
	withSACK := func(n int, stamps bool) TCP {
		t := ts
		if !stamps {
			t.HasTimestamps, t.TSval, t.TSecr = false, 0, 0
		}
		for i := range n {
			t.SACK = append(t.SACK, Block{Start: uint32(2000 + 1000*i), End: uint32(2500 + 1000*i)})
		}
		return t
	}
	ce := ip(ProtoTCP)
	ce.TOS = 0xb8<<0 | ECNCE // DSCP EF with CE
	tests := []struct {
		name    string
		ip      IPv4
		tcp     *TCP
		udp     *UDP
		payload int
		hdrLen  int
	}{
		{"SYN", ip(ProtoTCP), &TCP{SrcPort: 34567, DstPort: 80, Seq: 1000, Flags: FlagSYN, Window: 64240, MSS: 1460, WScale: 7, SACKPermitted: true, HasTimestamps: true, TSval: 1}, nil, 0, 60},
		{"SYN-ACK", ip(ProtoTCP), &TCP{SrcPort: 80, DstPort: 34567, Seq: 5000, Ack: 1001, Flags: FlagSYN | FlagACK, Window: 65160, MSS: 1448, WScale: 9, SACKPermitted: true, HasTimestamps: true, TSval: 2, TSecr: 1}, nil, 0, 60},
		{"SYN without timestamps", ip(ProtoTCP), &TCP{Flags: FlagSYN, MSS: 1460, WScale: 0, SACKPermitted: true}, nil, 0, 52},
		{"SYN bare", ip(ProtoTCP), &TCP{Flags: FlagSYN, WScale: -1}, nil, 0, 40},
		{"data with timestamps", ip(ProtoTCP), &TCP{SrcPort: 34567, DstPort: 80, Seq: 1001, Ack: 5001, Flags: FlagACK | FlagPSH, Window: 502, WScale: -1, HasTimestamps: true, TSval: 3, TSecr: 2}, nil, 1448, 52},
		{"ACK 1 SACK block", ip(ProtoTCP), ptr(withSACK(1, true)), nil, 0, 64},
		{"ACK 2 SACK blocks", ip(ProtoTCP), ptr(withSACK(2, true)), nil, 0, 72},
		{"ACK 3 SACK blocks", ip(ProtoTCP), ptr(withSACK(3, true)), nil, 0, 80},
		{"ACK 4 SACK blocks no timestamps", ip(ProtoTCP), ptr(withSACK(4, false)), nil, 0, 76},
		{"FIN", ip(ProtoTCP), &TCP{SrcPort: 34567, DstPort: 80, Seq: 9000, Ack: 5001, Flags: FlagFIN | FlagACK, Window: 502, WScale: -1, HasTimestamps: true, TSval: 10, TSecr: 8}, nil, 0, 52},
		{"ECN CE with ECE CWR", ce, &TCP{SrcPort: 34567, DstPort: 80, Seq: 1, Ack: 2, Flags: FlagACK | FlagECE | FlagCWR, Window: 100, WScale: -1}, nil, 100, 40},
		{"RST no DF", IPv4{Src: ipB, Dst: ipA, TTL: 1, Protocol: ProtoTCP}, &TCP{Flags: FlagRST, WScale: -1}, nil, 0, 40},
		{"UDP", ip(ProtoUDP), nil, &UDP{SrcPort: 53000, DstPort: 53}, 512, 28},
		{"UDP max", ip(ProtoUDP), nil, &UDP{SrcPort: 1, DstPort: 2}, 65535 - 28, 28},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b []byte
			var err error
			if tc.tcp != nil {
				b, err = AppendTCP(nil, tc.ip, *tc.tcp, tc.payload)
			} else {
				b, err = AppendUDP(nil, tc.ip, *tc.udp, tc.payload)
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(b) != tc.hdrLen {
				t.Errorf("encoded %d bytes, want %d", len(b), tc.hdrLen)
			}
			if (len(b)-IPv4HeaderLen)%4 != 0 {
				t.Errorf("transport header %d bytes, not a multiple of 4", len(b)-IPv4HeaderLen)
			}
			if c := checksum(b[:IPv4HeaderLen]); c != 0 {
				t.Errorf("IP header checksum verifies to %#04x, want 0", c)
			}
			got, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			want := Packet{IP: tc.ip, TCP: tc.tcp, UDP: tc.udp, Payload: tc.payload}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Decode =\n%+v %+v %+v\nwant\n%+v %+v %+v", got, got.TCP, got.UDP, want, want.TCP, want.UDP)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// TestGoldenSYN checks a SYN against bytes written out by hand from RFC
// 791, RFC 9293 and the Linux option layout.
func TestGoldenSYN(t *testing.T) {
	want := []byte{
		// IPv4: version 4 IHL 5, TOS 0, total length 60, ID 0x1234,
		// DF, TTL 64, protocol 6, checksum, 10.0.0.1 > 10.0.0.2.
		0x45, 0x00, 0x00, 0x3c, 0x12, 0x34, 0x40, 0x00,
		0x40, 0x06, 0x14, 0x86, 0x0a, 0x00, 0x00, 0x01,
		0x0a, 0x00, 0x00, 0x02,
		// TCP: ports 34567 > 80, seq 1000, ack 0, data offset 10
		// words, SYN, window 64240, checksum 0, urgent 0.
		0x87, 0x07, 0x00, 0x50, 0x00, 0x00, 0x03, 0xe8,
		0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa, 0xf0,
		0x00, 0x00, 0x00, 0x00,
		// MSS 1460; SACK-permitted, timestamps val 0x01020304 ecr 0;
		// NOP, window scale 7.
		0x02, 0x04, 0x05, 0xb4,
		0x04, 0x02, 0x08, 0x0a, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00,
		0x01, 0x03, 0x03, 0x07,
	}
	syn := TCP{SrcPort: 34567, DstPort: 80, Seq: 1000, Flags: FlagSYN, Window: 64240,
		MSS: 1460, WScale: 7, SACKPermitted: true, HasTimestamps: true, TSval: 0x01020304}
	prefix := []byte{0xde, 0xad}
	got, err := AppendTCP(prefix, ip(0), syn, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got[:2], prefix) || !bytes.Equal(got[2:], want) {
		t.Errorf("AppendTCP =\n% x\nwant\n% x", got[2:], want)
	}
}

func TestChecksum(t *testing.T) {
	// The classic example header, whose checksum is 0xb1e6.
	h := []byte{0x45, 0x00, 0x00, 0x3c, 0x1c, 0x46, 0x40, 0x00, 0x40, 0x06,
		0xb1, 0xe6, 0xac, 0x10, 0x0a, 0x63, 0xac, 0x10, 0x0a, 0x0c}
	if c := checksum(h); c != 0 {
		t.Errorf("checksum of a correct header = %#04x, want 0", c)
	}
	z := bytes.Clone(h)
	z[10], z[11] = 0, 0
	if c := checksum(z); c != 0xb1e6 {
		t.Errorf("checksum = %#04x, want 0xb1e6", c)
	}
	// Odd length pads with a zero byte; the carry folds back in.
	if c := checksum([]byte{0xff, 0xff, 0xff}); c != ^uint16(0xff00) {
		t.Errorf("checksum(ff ff ff) = %#04x", c)
	}
}

func TestLinuxOptionLayouts(t *testing.T) {
	tests := []struct {
		name string
		tcp  TCP
		opts []byte
	}{
		{"timestamps", TCP{WScale: -1, HasTimestamps: true, TSval: 1, TSecr: 2},
			[]byte{1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2}},
		{"SACK-permitted alone", TCP{WScale: -1, SACKPermitted: true},
			[]byte{1, 1, 4, 2}},
		{"SACK-permitted and window scale", TCP{WScale: 14, SACKPermitted: true},
			[]byte{1, 1, 4, 2, 1, 3, 3, 14}},
		{"SACK blocks", TCP{WScale: -1, SACK: []Block{{1, 2}, {3, 4}}},
			[]byte{1, 1, 5, 18, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4}},
	}
	for _, tc := range tests {
		b, err := AppendTCP(nil, ip(ProtoTCP), tc.tcp, 0)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := b[40:]; !bytes.Equal(got, tc.opts) {
			t.Errorf("%s: options % x, want % x", tc.name, got, tc.opts)
		}
		if doff := int(b[32]>>4) * 4; doff != 20+len(tc.opts) {
			t.Errorf("%s: data offset %d, want %d", tc.name, doff, 20+len(tc.opts))
		}
	}
}

func TestAppendErrors(t *testing.T) {
	blocks := func(n int) []Block { return make([]Block, n) }
	tests := []struct {
		name    string
		tcp     *TCP
		payload int
		want    string
	}{
		{"negative payload", &TCP{WScale: -1}, -1, "negative payload"},
		{"total length", &TCP{WScale: -1}, 65535 - 40 + 1, "total length 65536"},
		{"huge payload", &TCP{WScale: -1}, 1 << 62, "total length"},
		{"window scale 15", &TCP{WScale: 15}, 0, "window scale 15"},
		{"window scale -2", &TCP{WScale: -2}, 0, "window scale -2"},
		{"4 SACK blocks with timestamps", &TCP{WScale: -1, HasTimestamps: true, SACK: blocks(4)}, 0, "4 SACK blocks"},
		{"5 SACK blocks", &TCP{WScale: -1, SACK: blocks(5)}, 0, "5 SACK blocks"},
		{"3 SACK blocks with all options", &TCP{MSS: 1, WScale: 1, HasTimestamps: true, SACK: blocks(3)}, 0, "over 40"},
		{"UDP negative payload", nil, -5, "negative payload"},
		{"UDP total length", nil, 65535 - 28 + 1, "total length 65536"},
	}
	for _, tc := range tests {
		prefix := []byte{1, 2, 3}
		var b []byte
		var err error
		if tc.tcp != nil {
			b, err = AppendTCP(prefix, ip(ProtoTCP), *tc.tcp, tc.payload)
		} else {
			b, err = AppendUDP(prefix, ip(ProtoUDP), UDP{}, tc.payload)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
		if !bytes.Equal(b, prefix) {
			t.Errorf("%s: b changed on error: % x", tc.name, b)
		}
	}
}

func TestDecodeSnapLength(t *testing.T) {
	// A record cut off after the headers decodes, as does one with
	// trailing link-layer padding; the payload comes from the total length.
	b, err := AppendTCP(nil, ip(ProtoTCP), TCP{WScale: -1}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range [][]byte{b, append(bytes.Clone(b), make([]byte, 100)...)} {
		p, err := Decode(rec)
		if err != nil {
			t.Fatal(err)
		}
		if p.Payload != 1000 {
			t.Errorf("payload %d, want 1000", p.Payload)
		}
	}
}

func TestDecodeLenient(t *testing.T) {
	base, err := AppendTCP(nil, ip(ProtoTCP), TCP{WScale: -1}, 0)
	if err != nil {
		t.Fatal(err)
	}
	withOpts := func(opts ...byte) []byte {
		b := bytes.Clone(base)
		b = append(b, opts...)
		b[32] = byte((20+len(opts))/4) << 4
		binary.BigEndian.PutUint16(b[2:], uint16(len(b)))
		return b
	}
	tests := []struct {
		name string
		b    []byte
		want TCP
	}{
		{"unknown option skipped", withOpts(30, 6, 1, 2, 3, 4, 2, 4, 0x05, 0xb4, 1, 1), TCP{WScale: -1, MSS: 1460}},
		{"MSS of wrong length skipped", withOpts(2, 3, 9, 1), TCP{WScale: -1}},
		{"SACK of wrong length skipped", withOpts(5, 6, 0, 0, 0, 0, 1, 1), TCP{WScale: -1}},
		{"window scale over 14 reads 14", withOpts(3, 3, 200, 0), TCP{WScale: 14}},
		{"EOL ends the options", withOpts(0, 2, 4, 5), TCP{WScale: -1}},
		{"compact layout", withOpts(2, 4, 5, 0xb4, 4, 2, 3, 3, 7, 0, 0, 0), TCP{MSS: 1460, SACKPermitted: true, WScale: 7}},
	}
	for _, tc := range tests {
		p, err := Decode(tc.b)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !reflect.DeepEqual(*p.TCP, tc.want) {
			t.Errorf("%s: TCP %+v, want %+v", tc.name, *p.TCP, tc.want)
		}
	}

	// IP options are skipped; another protocol decodes without transport.
	b := bytes.Clone(base)
	b = append(b[:20:20], append([]byte{1, 1, 1, 0}, b[20:]...)...)
	b[0] = 0x46
	binary.BigEndian.PutUint16(b[2:], uint16(len(b)))
	if p, err := Decode(b); err != nil || p.TCP == nil || p.Payload != 0 {
		t.Errorf("IP options: %+v, %v", p, err)
	}
	icmp := bytes.Clone(base[:20])
	icmp[9] = 1
	binary.BigEndian.PutUint16(icmp[2:], 84)
	if p, err := Decode(icmp); err != nil || p.TCP != nil || p.UDP != nil || p.Payload != 64 {
		t.Errorf("ICMP: %+v, %v", p, err)
	}
}

func TestDecodeErrors(t *testing.T) {
	tcp, err := AppendTCP(nil, ip(ProtoTCP), TCP{WScale: -1, HasTimestamps: true}, 0)
	if err != nil {
		t.Fatal(err)
	}
	udp, err := AppendUDP(nil, ip(ProtoUDP), UDP{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	mod := func(b []byte, f func(b []byte)) []byte {
		b = bytes.Clone(b)
		f(b)
		return b
	}
	setTotal := func(n int) func([]byte) {
		return func(b []byte) { binary.BigEndian.PutUint16(b[2:], uint16(n)) }
	}
	opts := func(o ...byte) []byte {
		return mod(tcp, func(b []byte) { copy(b[40:], o) })
	}
	tests := []struct {
		name      string
		b         []byte
		want      string
		truncated bool
	}{
		{"empty", nil, "IPv4 header: 0 of 20", true},
		{"IPv6", mod(tcp, func(b []byte) { b[0] = 0x60 }), "not IPv4: version 6", false},
		{"IHL 4", mod(tcp, func(b []byte) { b[0] = 0x44 }), "header length 16 under 20", false},
		{"IP header cut", tcp[:19], "IPv4 header: 19 of 20", true},
		{"IP options cut", mod(tcp[:22], func(b []byte) { b[0] = 0x46 }), "IPv4 header: 22 of 24", true},
		{"fragment", mod(tcp, func(b []byte) { b[6] = 0x20 }), "fragment", false},
		{"TCP header cut", tcp[:39], "TCP header: 19 of 20", true},
		{"TCP options cut", tcp[:51], "TCP header: 31 of 32", true},
		{"TCP total length short", mod(tcp, setTotal(51)), "total length 51 under the headers' 52", false},
		{"TCP total length under 40", mod(tcp[:30], setTotal(30)), "total length 30 under the headers' 40", false},
		{"data offset 4", mod(tcp, func(b []byte) { b[32] = 0x40 }), "data offset 16 bytes under 20", false},
		{"data offset past record", mod(tcp, func(b []byte) { b[32] = 0xf0 }), "total length 52 under the headers' 80", false},
		{"option length runs past", opts(1, 1, 8, 12), "length 12 runs past", false},
		{"option length zero", opts(30, 0), "has length 0", false},
		{"option length one", opts(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 9, 1), "has length 1", false},
		{"option without length", opts(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 8), "no length byte", false},
		{"UDP header cut", udp[:27], "UDP header: 7 of 8", true},
		{"UDP total length short", mod(udp, setTotal(27)), "total length 27 under the headers' 28", false},
		{"other protocol total length short", mod(udp, func(b []byte) { b[9] = 1; setTotal(19)(b) }), "total length 19 under the header's 20", false},
	}
	for _, tc := range tests {
		_, err := Decode(tc.b)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
			continue
		}
		if errors.Is(err, ErrTruncated) != tc.truncated {
			t.Errorf("%s: errors.Is(%v, ErrTruncated) = %t", tc.name, err, !tc.truncated)
		}
	}
}

func FuzzDecode(f *testing.F) {
	syn, _ := AppendTCP(nil, ip(ProtoTCP), TCP{Flags: FlagSYN, MSS: 1460, WScale: 7, SACKPermitted: true, HasTimestamps: true, TSval: 1}, 0)
	sack, _ := AppendTCP(nil, ip(ProtoTCP), TCP{Flags: FlagACK, WScale: -1, HasTimestamps: true, SACK: []Block{{1, 2}, {3, 4}, {5, 6}}}, 100)
	udp, _ := AppendUDP(nil, ip(ProtoUDP), UDP{SrcPort: 1, DstPort: 2}, 10)
	f.Add(syn)
	f.Add(sack)
	f.Add(udp)
	f.Add([]byte{0x46, 0, 0, 40, 0, 0, 0, 0, 64, 6, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 1, 1, 1, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Decode(b)
		if err != nil {
			return
		}
		var again []byte
		switch {
		case p.TCP != nil:
			again, err = AppendTCP(nil, p.IP, *p.TCP, p.Payload)
		case p.UDP != nil:
			again, err = AppendUDP(nil, p.IP, *p.UDP, p.Payload)
		default:
			return
		}
		if err != nil {
			return // e.g. options that fit in a compact layout but not in Linux's
		}
		q, err := Decode(again)
		if err != nil {
			t.Fatalf("re-encoded packet does not decode: %v\n% x", err, again)
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("round trip changed the packet:\n%+v %+v %+v\n%+v %+v %+v", p, p.TCP, p.UDP, q, q.TCP, q.UDP)
		}
	})
}
