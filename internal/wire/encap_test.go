package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/internal/pcap"
)

var (
	node1 = [4]byte{192, 168, 1, 10}
	node2 = [4]byte{192, 168, 1, 11}
	pod1  = [4]byte{10, 244, 1, 5}
	pod2  = [4]byte{10, 244, 2, 7}
)

// podSegment returns a pod's TCP segment's captured headers and total
// length.
func podSegment(t testing.TB) ([]byte, int) {
	ip := IPv4{Src: pod1, Dst: pod2, TOS: ECNECT0, DF: true, TTL: 64}
	seg := TCP{SrcPort: 40000, DstPort: 8080, Seq: 1, Ack: 2, Flags: FlagACK, Window: 502, WScale: -1,
		HasTimestamps: true, TSval: 3, TSecr: 4}
	b, err := AppendTCP(nil, ip, seg, 1448)
	if err != nil {
		t.Fatal(err)
	}
	return b, len(b) + 1448
}

// outer is the outer fields the tests share.
func outer(kind, enc EncapKind, overhead int) Encap {
	return Encap{Kind: kind, Encrypted: enc, Src: node1, Dst: node2, TOS: ECNECT0, TTL: 64, Overhead: overhead}
}

func TestEncapRoundTrip(t *testing.T) {
	inner, innerTotal := podSegment(t)
	with := func(e Encap, f func(*Encap)) Encap { f(&e); return e }
	vxlan := func(e *Encap) { e.SrcPort, e.VNI = 51234, 1 }
	tests := []struct {
		name     string
		e        Encap
		port     uint16 // DecodeEncap's udpTunnelPort
		captured int    // bytes before the inner packet, or all if encrypted
		want     Encap  // what DecodeEncap sees
		clear    bool
		err      string // DecodeEncap's
	}{
		{name: "none", e: Encap{}, want: Encap{}, clear: true},
		{name: "VXLAN", e: with(outer(EncapVXLAN, EncapNone, 50), vxlan), captured: 50,
			want: with(outer(EncapVXLAN, EncapNone, 50), vxlan), clear: true},
		{name: "VXLAN surplus overhead", e: with(outer(EncapVXLAN, EncapNone, 58), vxlan), captured: 50,
			want: with(outer(EncapVXLAN, EncapNone, 58), vxlan), clear: true},
		{name: "Geneve", e: with(outer(EncapGeneve, EncapNone, 50), func(e *Encap) { e.SrcPort, e.VNI = 60999, 0xabcdef }), captured: 50,
			want: with(outer(EncapGeneve, EncapNone, 50), func(e *Encap) { e.SrcPort, e.VNI = 60999, 0xabcdef }), clear: true},
		{name: "IPIP", e: outer(EncapIPIP, EncapNone, 20), captured: 20, want: outer(EncapIPIP, EncapNone, 20), clear: true},
		{name: "GRE", e: outer(EncapGRE, EncapNone, 24), captured: 24, want: outer(EncapGRE, EncapNone, 24), clear: true},
		{name: "UDP", e: with(outer(EncapUDP, EncapNone, 28), func(e *Encap) { e.Port, e.TOS = 8285, 0 }), port: 8285, captured: 28,
			want: with(outer(EncapUDP, EncapNone, 28), func(e *Encap) { e.Port, e.TOS = 8285, 0 }), clear: true},
		{name: "UDP unknown port", e: with(outer(EncapUDP, EncapNone, 28), func(e *Encap) { e.Port = 8285 }), captured: 28,
			want: Encap{}},
		{name: "WireGuard", e: with(outer(EncapNone, EncapWireGuard, 60), func(e *Encap) { e.Index, e.Seq = 0x01020304, 1<<40+3 }),
			captured: 44, want: with(outer(EncapNone, EncapWireGuard, 0), func(e *Encap) { e.Index, e.Seq = 0x01020304, 1<<40+3 })},
		{name: "WireGuard over VXLAN", e: with(outer(EncapVXLAN, EncapWireGuard, 110), func(e *Encap) { vxlan(e); e.Index, e.Seq = 7, 8 }),
			captured: 44, want: with(outer(EncapNone, EncapWireGuard, 0), func(e *Encap) { e.Index, e.Seq = 7, 8 })},
		{name: "ESP over VXLAN", e: with(outer(EncapVXLAN, EncapESP, 87), func(e *Encap) { vxlan(e); e.SPI, e.Seq = 0x101, 5 }),
			captured: 36, want: with(outer(EncapNone, EncapESP, 0), func(e *Encap) { e.SPI, e.Seq = 0x101, 5 })},
		{name: "ESP over Geneve", e: with(outer(EncapGeneve, EncapESP, 87), func(e *Encap) { vxlan(e); e.SPI, e.Seq = 0x102, 1<<32+6 }),
			captured: 36, want: with(outer(EncapNone, EncapESP, 0), func(e *Encap) { e.SPI, e.Seq = 0x102, 6 })},
		{name: "ESP tunnel mode", e: with(outer(EncapNone, EncapESP, 57), func(e *Encap) { e.SPI = 0x103 }),
			captured: 36, want: with(outer(EncapNone, EncapESP, 0), func(e *Encap) { e.SPI = 0x103 })},
		{name: "NaCl over UDP", e: with(outer(EncapUDP, EncapNaCl, 52), func(e *Encap) { e.Port, e.Seq = 6784, 9 }),
			port: 6784, captured: 36, err: "NaCl"},
		{name: "NaCl over UDP, no tunnel port", e: with(outer(EncapUDP, EncapNaCl, 52), func(e *Encap) { e.Port, e.Seq = 6784, 9 }),
			captured: 36, want: Encap{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prefix := []byte{0xde, 0xad}
			b, err := AppendEncap(prefix, tc.e, inner, innerTotal)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b[:2], prefix) {
				t.Fatalf("prefix overwritten: % x", b[:2])
			}
			rec := b[2:]
			wantLen := tc.captured
			if tc.e.Encrypted == EncapNone {
				wantLen += len(inner)
			}
			if len(rec) != wantLen {
				t.Errorf("captured %d bytes, want %d", len(rec), wantLen)
			}
			if total := int(binary.BigEndian.Uint16(rec[2:])); total != innerTotal+tc.e.Overhead {
				t.Errorf("outer total length %d, want %d + %d", total, innerTotal, tc.e.Overhead)
			}
			if c := checksum(rec[:IPv4HeaderLen]); c != 0 {
				t.Errorf("outer IP header checksum verifies to %#04x, want 0", c)
			}
			if outerUDP := rec[9] == ProtoUDP && (tc.e.Kind != EncapNone || tc.e.Encrypted != EncapNone); outerUDP {
				if ul := int(binary.BigEndian.Uint16(rec[24:])); ul != innerTotal+tc.e.Overhead-IPv4HeaderLen {
					t.Errorf("UDP length %d, want %d", ul, innerTotal+tc.e.Overhead-IPv4HeaderLen)
				}
			}

			got, gotInner, err := DecodeEncap(rec, tc.port)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("DecodeEncap error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("DecodeEncap =\n%+v\nwant\n%+v", got, tc.want)
			}
			switch {
			case tc.clear:
				if !bytes.Equal(gotInner, inner) {
					t.Errorf("inner\n% x\nwant\n% x", gotInner, inner)
				}
				p, err := Decode(gotInner)
				if err != nil {
					t.Fatal(err)
				}
				want, _ := Decode(inner)
				if !reflect.DeepEqual(p, want) {
					t.Errorf("inner decodes to %+v, want %+v", p, want)
				}
			case got.Kind == EncapNone && got.Encrypted == EncapNone:
				if !bytes.Equal(gotInner, rec) {
					t.Errorf("an unencapsulated record's inner is not the record")
				}
			default:
				if gotInner != nil {
					t.Errorf("encrypted inner % x, want nil", gotInner)
				}
			}
		})
	}
}

// TestEncapOverheads checks the outer total length against the
// simulator's datapath overheads for every kind it uses.
func TestEncapOverheads(t *testing.T) {
	inner, innerTotal := podSegment(t)
	for _, tc := range []struct {
		kind, enc EncapKind
		overhead  int
	}{
		{EncapVXLAN, EncapNone, 50}, {EncapGeneve, EncapNone, 50}, {EncapIPIP, EncapNone, 20},
		{EncapGRE, EncapNone, 24}, {EncapUDP, EncapNone, 28}, {EncapNone, EncapWireGuard, 60},
		{EncapVXLAN, EncapWireGuard, 50 + 60}, {EncapGeneve, EncapWireGuard, 50 + 60},
		{EncapVXLAN, EncapESP, 50 + 37}, {EncapGeneve, EncapESP, 50 + 37}, {EncapUDP, EncapNaCl, 28 + 24},
	} {
		e := outer(tc.kind, tc.enc, tc.overhead)
		e.SPI = 1
		b, err := AppendEncap(nil, e, inner, innerTotal)
		if err != nil {
			t.Errorf("%s: %v", e.name(), err)
			continue
		}
		if total := int(binary.BigEndian.Uint16(b[2:])); total != innerTotal+tc.overhead {
			t.Errorf("%s: outer total length %d, want %d", e.name(), total, innerTotal+tc.overhead)
		}
	}
}

// TestGoldenVXLAN checks a VXLAN packet's outer headers against bytes
// written out by hand from RFC 791, RFC 768 and RFC 7348.
func TestGoldenVXLAN(t *testing.T) {
	inner, err := AppendUDP(nil, IPv4{Src: pod1, Dst: pod2, TTL: 64}, UDP{SrcPort: 5000, DstPort: 53}, 12)
	if err != nil {
		t.Fatal(err)
	}
	// Outer IPv4 total length 40 + 50 = 90 (0x5a). Checksum: the words
	// 4500 005a 0000 0000 4011 c0a8 010a c0a8 010b sum to 0x208d0, folded
	// 0x08d0 + 0x2 = 0x08d2, complemented 0xf72d.
	want := []byte{
		// IPv4: version 4 IHL 5, TOS 0, total length 90, ID 0, no
		// flags, TTL 64, UDP, checksum, 192.168.1.10 > 192.168.1.11.
		0x45, 0x00, 0x00, 0x5a, 0x00, 0x00, 0x00, 0x00,
		0x40, 0x11, 0xf7, 0x2d, 0xc0, 0xa8, 0x01, 0x0a,
		0xc0, 0xa8, 0x01, 0x0b,
		// UDP: 51234 > 4789, length 70, checksum 0.
		0xc8, 0x22, 0x12, 0xb5, 0x00, 0x46, 0x00, 0x00,
		// VXLAN: flags I, reserved, VNI 1, reserved.
		0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
		// Ethernet: 02:00:c0:a8:01:0b < 02:00:c0:a8:01:0a, IPv4.
		0x02, 0x00, 0xc0, 0xa8, 0x01, 0x0b, 0x02, 0x00, 0xc0, 0xa8, 0x01, 0x0a, 0x08, 0x00,
	}
	var sum uint32
	for i := 0; i < IPv4HeaderLen; i += 2 {
		sum += uint32(want[i])<<8 | uint32(want[i+1])
	}
	if sum = sum&0xffff + sum>>16; sum != 0xffff {
		t.Fatalf("hand-written header sums to %#x, want 0xffff", sum)
	}
	e := Encap{Kind: EncapVXLAN, Src: node1, Dst: node2, TTL: 64, SrcPort: 51234, VNI: 1, Overhead: 50}
	got, err := AppendEncap(nil, e, inner, 40)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, append(want, inner...)) {
		t.Errorf("AppendEncap =\n% x\nwant\n% x", got[:50], want)
	}
}

func TestAppendEncapErrors(t *testing.T) {
	inner, innerTotal := podSegment(t)
	with := func(e Encap, f func(*Encap)) Encap { f(&e); return e }
	runPast := append(bytes.Clone(inner[:IPv4HeaderLen]), make([]byte, 30)...)
	binary.BigEndian.PutUint16(runPast[2:], 20)
	tests := []struct {
		name  string
		e     Encap
		inner []byte
		total int
		want  string
	}{
		{"unknown kind", outer(EncapKind(9), EncapNone, 50), inner, innerTotal, "EncapKind(9) is not a tunnel"},
		{"encryption as tunnel", outer(EncapWireGuard, EncapNone, 60), inner, innerTotal, "WireGuard is not a tunnel"},
		{"tunnel as encryption", outer(EncapNone, EncapVXLAN, 50), inner, innerTotal, "VXLAN is not an encryption"},
		{"unknown encryption", outer(EncapNone, EncapKind(200), 50), inner, innerTotal, "EncapKind(200) is not an encryption"},
		{"NaCl over VXLAN", outer(EncapVXLAN, EncapNaCl, 74), inner, innerTotal, "not VXLAN"},
		{"none with overhead", outer(EncapNone, EncapNone, 4), inner, innerTotal, "overhead of 4"},
		{"VXLAN short", outer(EncapVXLAN, EncapNone, 49), inner, innerTotal, "VXLAN needs 50 bytes, over the overhead 49"},
		{"negative overhead", outer(EncapIPIP, EncapNone, -1), inner, innerTotal, "IPIP needs 20"},
		{"WireGuard without its tag", outer(EncapNone, EncapWireGuard, 44), inner, innerTotal, "WireGuard over none needs 60"},
		{"ESP without its trailer", with(outer(EncapVXLAN, EncapESP, 66), func(e *Encap) { e.SPI = 1 }), inner, innerTotal, "needs 68"},
		{"NaCl without its tag", outer(EncapUDP, EncapNaCl, 36), inner, innerTotal, "needs 52"},
		{"ESP SPI 0", outer(EncapVXLAN, EncapESP, 87), inner, innerTotal, "SPI 0"},
		{"outer too long", outer(EncapVXLAN, EncapNone, 50), nil, 65535 - 49, "outer total length 65536"},
		{"inner too short", outer(EncapIPIP, EncapNone, 20), nil, 19, "inner total length 19"},
		{"inner too long", outer(EncapIPIP, EncapNone, 20), nil, 65536, "inner total length 65536"},
		{"inner total disagrees", outer(EncapIPIP, EncapNone, 20), inner, innerTotal + 1, "inner packet's total length"},
		{"VNI over 24 bits", with(outer(EncapGeneve, EncapNone, 50), func(e *Encap) { e.VNI = 1 << 24 }), inner, innerTotal, "VNI 16777216"},
		{"inner bytes run past", outer(EncapIPIP, EncapNone, 20), runPast, 20, "run past"},
	}
	for _, tc := range tests {
		prefix := []byte{1, 2, 3}
		b, err := AppendEncap(prefix, tc.e, tc.inner, tc.total)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
		if !bytes.Equal(b, prefix) {
			t.Errorf("%s: b changed on error: % x", tc.name, b)
		}
	}
}

// encapRecord returns a record of the pod segment under e.
func encapRecord(t testing.TB, e Encap) []byte {
	inner, innerTotal := podSegment(t)
	b, err := AppendEncap(nil, e, inner, innerTotal)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDecodeEncapOptional checks the optional fields AppendEncap does not
// write: Geneve options and GRE's key and sequence number.
func TestDecodeEncapOptional(t *testing.T) {
	inner, _ := podSegment(t)
	insert := func(b []byte, at int, extra ...byte) []byte {
		b = append(b[:at:at], append(extra, b[at:]...)...)
		total := binary.BigEndian.Uint16(b[2:]) + uint16(len(extra))
		binary.BigEndian.PutUint16(b[2:], total)
		if b[9] == ProtoUDP {
			binary.BigEndian.PutUint16(b[24:], total-IPv4HeaderLen)
		}
		return b
	}
	gen := outer(EncapGeneve, EncapNone, 50)
	gen.VNI = 3
	geneve := insert(encapRecord(t, gen), 36, 0x01, 0x02, 0x01, 0x01, 1, 2, 3, 4) // an option of 4 bytes
	geneve[28] = 2                                                                // option length, words
	gre := insert(encapRecord(t, outer(EncapGRE, EncapNone, 24)), 24, 0, 0, 0, 1, 0, 0, 0, 2)
	gre[20] = 0x30 // K, S
	for _, tc := range []struct {
		name string
		b    []byte
		want Encap
	}{
		{"Geneve option", geneve, withOverhead(gen, 58)},
		{"GRE key and sequence", gre, outer(EncapGRE, EncapNone, 32)},
	} {
		e, in, err := DecodeEncap(tc.b, 0)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if e != tc.want || !bytes.Equal(in, inner) {
			t.Errorf("%s: %+v\n% x\nwant %+v", tc.name, e, in, tc.want)
		}
	}
}

func withOverhead(e Encap, overhead int) Encap { e.Overhead = overhead; return e }

func TestDecodeEncapErrors(t *testing.T) {
	mod := func(b []byte, f func(b []byte)) []byte {
		b = bytes.Clone(b)
		f(b)
		return b
	}
	vni := outer(EncapVXLAN, EncapNone, 50)
	vni.VNI = 1
	vxlan := encapRecord(t, vni)
	geneve := encapRecord(t, outer(EncapGeneve, EncapNone, 50))
	gre := encapRecord(t, outer(EncapGRE, EncapNone, 24))
	esp := outer(EncapVXLAN, EncapESP, 87)
	esp.SPI = 1
	espRec := encapRecord(t, esp)
	wg := encapRecord(t, outer(EncapNone, EncapWireGuard, 60))
	udpTun := outer(EncapUDP, EncapNone, 28)
	udpTun.Port = 8285
	udp := encapRecord(t, udpTun)
	setTotal := func(n int) func([]byte) {
		return func(b []byte) {
			binary.BigEndian.PutUint16(b[2:], uint16(n))
			binary.BigEndian.PutUint16(b[24:], uint16(n-IPv4HeaderLen))
		}
	}
	tests := []struct {
		name      string
		b         []byte
		want      string
		truncated bool
	}{
		{"empty", nil, "IPv4 header: 0 of 20", true},
		{"outer IPv6", mod(vxlan, func(b []byte) { b[0] = 0x60 }), "not IPv4", false},
		{"UDP length", mod(vxlan, func(b []byte) { b[25]++ }), "UDP length", false},
		{"VXLAN cut", vxlan[:32], "VXLAN header: 4 of 8", true},
		{"VXLAN without I", mod(vxlan, func(b []byte) { b[28] = 0 }), "without I", false},
		{"VXLAN total short", mod(vxlan, setTotal(40)), "IP total length 40 under the 50 bytes up to the end of the inner Ethernet header", false},
		{"inner Ethernet cut", vxlan[:46], "inner Ethernet header: 10 of 14", true},
		{"inner Ethernet IPv6", mod(vxlan, func(b []byte) { b[48], b[49] = 0x86, 0xdd }), "inner Ethernet type 0x86dd", false},
		{"inner cut", vxlan[:60], "IPv4 header: 10 of 20 bytes, in the VXLAN tunnel's inner packet", true},
		{"inner too long", mod(vxlan, func(b []byte) { b[52]++ }), "runs past the outer packet", false},
		{"Geneve version", mod(geneve, func(b []byte) { b[28] = 0x40 }), "Geneve version 1", false},
		{"Geneve protocol", mod(geneve, func(b []byte) { b[30], b[31] = 0x08, 0x00 }), "Geneve protocol type 0x0800", false},
		{"Geneve options past the record", mod(geneve, func(b []byte) { b[28] = 63 }), "Geneve header: 74 of 260", true},
		{"Geneve options cut", mod(geneve[:40], func(b []byte) { b[28] = 4 }), "Geneve header: 12 of 24", true},
		{"GRE cut", gre[:22], "GRE header: 2 of 4", true},
		{"GRE routing", mod(gre, func(b []byte) { b[20] = 0x40 }), "GRE flags and version 0x4000", false},
		{"GRE version 1", mod(gre, func(b []byte) { b[21] = 1 }), "GRE flags and version 0x0001", false},
		{"GRE Ethernet", mod(gre, func(b []byte) { b[22], b[23] = 0x65, 0x58 }), "GRE protocol type 0x6558", false},
		{"GRE key cut", mod(gre[:26], func(b []byte) { b[20] = 0x20 }), "GRE header: 6 of 8", true},
		{"ESP cut", espRec[:26], "ESP header: 6 of 8", true},
		{"WireGuard cut", wg[:40], "WireGuard header: 12 of 16", true},
		{"WireGuard handshake", mod(wg, func(b []byte) { b[28] = 1 }), "message type 1", false},
		{"WireGuard without tag", mod(wg, setTotal(59)), "IP total length 59 under the 60 bytes", false},
		{"UDP tunnel of IPv6", mod(udp, func(b []byte) { b[28] = 0x60 }), "NaCl", false},
	}
	for _, tc := range tests {
		_, in, err := DecodeEncap(tc.b, 8285)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
			continue
		}
		if in != nil {
			t.Errorf("%s: inner % x on error", tc.name, in)
		}
		if errors.Is(err, ErrTruncated) != tc.truncated {
			t.Errorf("%s: errors.Is(%v, ErrTruncated) = %t", tc.name, err, !tc.truncated)
		}
	}
}

// TestEncapTcpdump checks that tcpdump reads a VXLAN record as the packet
// a node's NIC would show.
func TestEncapTcpdump(t *testing.T) {
	tcpdump, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skip("tcpdump is not on PATH:", err)
	}
	e := outer(EncapVXLAN, EncapNone, 50)
	e.SrcPort, e.VNI = 51234, 1
	b := encapRecord(t, e)
	path := filepath.Join(t.TempDir(), "vxlan.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pcap.NewWriter(f, pcap.MaxSnapLen, pcap.LinkTypeRaw)
	if err != nil {
		t.Fatal(err)
	}
	_, innerTotal := podSegment(t)
	if err := w.WritePacket(0, b, innerTotal+e.Overhead); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tcpdump, "-nn", "-r", path).CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("tcpdump: %v\n%s", err, out)
	}
	for _, want := range []string{
		"192.168.1.10.51234 > 192.168.1.11.4789: VXLAN, flags [I] (0x08), vni 1",
		"10.244.1.5.40000 > 10.244.2.7.8080: Flags [.], seq 1:1449, ack 2, win 502",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("tcpdump output lacks %q", want)
		}
	}
}

func FuzzDecodeEncap(f *testing.F) {
	inner, innerTotal := podSegment(f)
	for _, e := range []Encap{
		{}, outer(EncapVXLAN, EncapNone, 50), outer(EncapGeneve, EncapNone, 50), outer(EncapIPIP, EncapNone, 20),
		outer(EncapGRE, EncapNone, 24), outer(EncapUDP, EncapNone, 28), outer(EncapNone, EncapWireGuard, 60),
		{Kind: EncapVXLAN, Encrypted: EncapESP, SPI: 1, Overhead: 87},
	} {
		e.Port = 8285
		b, err := AppendEncap(nil, e, inner, innerTotal)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint16(8285))
	}
	f.Fuzz(func(t *testing.T, b []byte, port uint16) {
		e, in, err := DecodeEncap(b, port)
		if err != nil || in == nil {
			return
		}
		again, err := AppendEncap(nil, e, in, int(binary.BigEndian.Uint16(in[2:])))
		if err != nil {
			return
		}
		e2, in2, err := DecodeEncap(again, port)
		if err != nil {
			t.Fatalf("re-encoded record does not decode: %v\n% x", err, again)
		}
		if e2 != e || !bytes.Equal(in2, in) {
			t.Fatalf("round trip changed the record:\n%+v\n% x\n%+v\n% x", e, in, e2, in2)
		}
	})
}
