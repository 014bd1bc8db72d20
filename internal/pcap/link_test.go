package pcap

import (
	"bytes"
	"strings"
	"testing"
)

func TestIPv4(t *testing.T) {
	// A 24-byte IPv4 packet (total length 24) and an IPv6 header's start.
	ip := []byte{0x45, 0, 0, 24, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 0xde, 0xad, 0xbe, 0xef}
	ip6 := []byte{0x60, 0, 0, 0, 0, 0, 59, 64}
	arp := []byte{0, 1, 8, 0, 6, 4, 0, 1}
	mac := []byte{2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2}
	eth := func(types ...byte) []byte { return cat(mac, types) }
	sll := cat([]byte{0, 4, 0, 1, 0, 6}, mac[:6], []byte{0, 0})
	sll2 := func(proto ...byte) []byte {
		return cat(proto, []byte{0, 0, 0, 0, 0, 2, 0, 1, 4, 6}, mac[:6], []byte{0, 0})
	}
	padded := cat(ip, make([]byte, 22)) // to Ethernet's 60-byte minimum
	tests := []struct {
		name     string
		linkType uint32
		data     []byte
		ok       bool
		err      string
	}{
		{"raw IPv4", LinkTypeRaw, ip, true, ""},
		{"raw IPv6", LinkTypeRaw, ip6, false, ""},
		{"raw empty", LinkTypeRaw, nil, false, "a record of 0 bytes, under its 1-byte link header"},
		{"IPV4", LinkTypeIPv4, ip, true, ""},
		{"IPV6", LinkTypeIPv6, ip6, false, ""},
		{"loopback, little-endian host", LinkTypeNull, cat([]byte{2, 0, 0, 0}, ip), true, ""},
		{"loopback, big-endian host", LinkTypeNull, cat([]byte{0, 0, 0, 2}, ip), true, ""},
		{"loopback IPv6", LinkTypeNull, cat([]byte{10, 0, 0, 0}, ip6), false, ""},
		{"loopback short", LinkTypeNull, []byte{2, 0, 0}, false, "3 bytes, under its 4-byte"},
		{"Ethernet", LinkTypeEthernet, cat(eth(8, 0), ip), true, ""},
		{"Ethernet padded", LinkTypeEthernet, cat(eth(8, 0), padded), true, ""},
		{"Ethernet 802.1Q", LinkTypeEthernet, cat(eth(0x81, 0, 0, 5, 8, 0), ip), true, ""},
		{"Ethernet 802.1ad+802.1Q", LinkTypeEthernet, cat(eth(0x88, 0xa8, 0, 5, 0x81, 0, 0, 6, 8, 0), ip), true, ""},
		{"Ethernet 0x9100+802.1Q", LinkTypeEthernet, cat(eth(0x91, 0, 0, 5, 0x81, 0, 0, 6, 8, 0), ip), true, ""},
		{"Ethernet three tags", LinkTypeEthernet, cat(eth(0x88, 0xa8, 0, 5, 0x81, 0, 0, 6, 0x81, 0, 0, 7, 8, 0), ip), false, ""},
		{"Ethernet IPv6", LinkTypeEthernet, cat(eth(0x86, 0xdd), ip6), false, ""},
		{"Ethernet ARP in a VLAN", LinkTypeEthernet, cat(eth(0x81, 0, 0, 5, 8, 6), arp), false, ""},
		{"802.3 length", LinkTypeEthernet, cat(eth(0, 46), make([]byte, 46)), false, ""},
		{"Ethernet short", LinkTypeEthernet, mac, false, "12 bytes, under its 14-byte"},
		{"Ethernet short tag", LinkTypeEthernet, eth(0x81, 0, 0, 5), false, "16 bytes, under its 18-byte"},
		{"Ethernet header only", LinkTypeEthernet, eth(8, 0), true, ""},
		{"SLL", LinkTypeLinuxSLL, cat(sll, []byte{8, 0}, ip), true, ""},
		{"SLL 802.1Q", LinkTypeLinuxSLL, cat(sll, []byte{0x81, 0, 0, 5, 8, 0}, ip), true, ""},
		{"SLL ARP", LinkTypeLinuxSLL, cat(sll, []byte{8, 6}, arp), false, ""},
		{"SLL short", LinkTypeLinuxSLL, cat(sll, []byte{8}), false, "15 bytes, under its 16-byte"},
		{"SLL2", LinkTypeLinuxSLL2, cat(sll2(8, 0), ip), true, ""},
		{"SLL2 IPv6", LinkTypeLinuxSLL2, cat(sll2(0x86, 0xdd), ip6), false, ""},
		{"SLL2 short", LinkTypeLinuxSLL2, sll2(8, 0)[:19], false, "19 bytes, under its 20-byte"},
		{"unknown link type", 127, ip, false, "link type 127 not supported"},
	}
	for _, tc := range tests {
		got, ok, err := IPv4(tc.linkType, tc.data)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || ok || got != nil {
				t.Errorf("%s: %x %t %v, want an error containing %q", tc.name, got, ok, err, tc.err)
			}
			continue
		}
		want := ip
		switch {
		case tc.name == "Ethernet header only":
			want = []byte{}
		case !tc.ok:
			want = nil
		}
		if err != nil || ok != tc.ok || !bytes.Equal(got, want) || (want != nil) != (got != nil) {
			t.Errorf("%s: %x %t %v, want %x %t", tc.name, got, ok, err, want, tc.ok)
		}
	}

	// Trimming keeps a record whose total length is under a header or over
	// the record: BIG TCP writes 0, and a snap length cuts packets.
	for _, total := range []byte{0, 19, 20, 200} {
		p := bytes.Clone(ip)
		p[3] = total
		want := p
		if total == 20 {
			want = p[:20]
		}
		if got, _, _ := IPv4(LinkTypeRaw, p); !bytes.Equal(got, want) {
			t.Errorf("total length %d: %x, want %x", total, got, want)
		}
	}
	// The trimmed packet's capacity ends with it: appending to it must not
	// overwrite the record.
	rec := cat(eth(8, 0), padded)
	got, _, _ := IPv4(LinkTypeEthernet, rec)
	_ = append(got, 1)
	if !bytes.Equal(rec[14+24:], make([]byte, 22)) {
		t.Error("append to the packet wrote into the record's padding")
	}
}
