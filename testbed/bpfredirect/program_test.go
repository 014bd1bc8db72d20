package bpfredirect

import (
	"bytes"
	"encoding/binary"
	"net"
	"net/netip"
	"os"
	"testing"

	"github.com/cilium/ebpf"
)

var (
	macA  = net.HardwareAddr{0x0a, 0, 0, 0, 1, 2}
	macB  = net.HardwareAddr{0x0a, 0, 0, 0, 1, 3}
	hostA = net.HardwareAddr{0x0e, 0, 0, 0, 1, 2}
	hostB = net.HardwareAddr{0x0e, 0, 0, 0, 1, 3}
	// 10.244.1.200: its last byte has the high bit set, which a
	// sign-extended 32-bit compare immediate would get wrong.
	hops = []Hop{
		{Dst: netip.MustParseAddr("10.244.1.2"), DstMAC: macA, SrcMAC: hostA, Ifindex: 5},
		{Dst: netip.MustParseAddr("10.244.1.200"), DstMAC: macB, SrcMAC: hostB, Ifindex: 7},
	}
)

func TestInstructionsErrors(t *testing.T) {
	t.Parallel()
	bad := []struct {
		name string
		hops []Hop
	}{
		{"none", nil},
		{"ipv6", []Hop{{Dst: netip.MustParseAddr("fd00::1"), DstMAC: macA, SrcMAC: hostA, Ifindex: 1}}},
		{"short mac", []Hop{{Dst: hops[0].Dst, DstMAC: macA[:4], SrcMAC: hostA, Ifindex: 1}}},
		{"ifindex", []Hop{{Dst: hops[0].Dst, DstMAC: macA, SrcMAC: hostA}}},
		{"too many", make([]Hop, MaxHops+1)},
	}
	for _, c := range bad {
		if _, err := Instructions(c.hops, Peer); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	for _, m := range []Mode{Peer, Egress} {
		insns, err := Instructions(hops, m)
		if err != nil {
			t.Fatal(err)
		}
		// Marshal resolves every jump label: a dangling one fails here.
		var buf bytes.Buffer
		if err := insns.Marshal(&buf, hostOrder()); err != nil {
			t.Fatalf("%v: %v", m, err)
		}
	}
}

func TestParseMode(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"peer", "egress"} {
		m, err := ParseMode(s)
		if err != nil || m.String() != s {
			t.Errorf("%s: %v %v", s, m, err)
		}
	}
	if _, err := ParseMode("xdp"); err == nil {
		t.Error("xdp accepted")
	}
}

// hostOrder is binary.NativeEndian as a type asm's Marshal accepts.
func hostOrder() binary.ByteOrder {
	if binary.NativeEndian.Uint16([]byte{1, 0}) == 1 {
		return binary.LittleEndian
	}
	return binary.BigEndian
}

// packet is an Ethernet + IPv4 header (and a few payload bytes) to dst.
func packet(dst netip.Addr, etherType uint16) []byte {
	p := make([]byte, 14+20+8)
	copy(p[0:6], hostA) // as sent by pod A to its gateway
	copy(p[6:12], macA)
	binary.BigEndian.PutUint16(p[12:14], etherType)
	p[14] = 0x45
	d := dst.As4()
	copy(p[30:34], d[:])
	return p
}

// TestRun loads the program and runs it on packets with BPF_PROG_TEST_RUN
// (root only): the verifier accepts it, a routed packet comes back with the
// MACs of its hop and TC_ACT_REDIRECT, anything else with TC_ACT_OK and
// untouched.
func TestRun(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to load BPF programs")
	}
	const actRedirect = 7
	for _, m := range []Mode{Peer, Egress} {
		prog, err := Load(hops, m)
		if err != nil {
			t.Fatalf("%v: %v", m, err)
		}
		cases := []struct {
			pkt  []byte
			want uint32
			dst  net.HardwareAddr
			src  net.HardwareAddr
		}{
			{packet(hops[0].Dst, 0x0800), actRedirect, macA, hostA},
			{packet(hops[1].Dst, 0x0800), actRedirect, macB, hostB},
			{packet(netip.MustParseAddr("10.244.1.9"), 0x0800), actOK, hostA, macA},
			{packet(hops[1].Dst, 0x0806), actOK, hostA, macA}, // ARP
		}
		for i, c := range cases {
			out := make([]byte, len(c.pkt))
			ret, err := prog.Run(&ebpf.RunOptions{Data: c.pkt, DataOut: out})
			if err != nil {
				t.Fatalf("%v case %d: %v", m, i, err)
			}
			if ret != c.want || !bytes.Equal(out[0:6], c.dst) || !bytes.Equal(out[6:12], c.src) {
				t.Errorf("%v case %d: ret %d dst %v src %v, want %d %v %v", m, i, ret,
					net.HardwareAddr(out[0:6]), net.HardwareAddr(out[6:12]), c.want, c.dst, c.src)
			}
		}
		prog.Close()
	}
}
