package pcap

import (
	"encoding/binary"
	"fmt"
)

// Link types a Linux capture produces (besides LinkTypeRaw 101).
const (
	LinkTypeNull      = 0   // BSD loopback: 4-byte family in host order (2 = IPv4)
	LinkTypeEthernet  = 1   // with VLAN tags as libpcap reinserts them
	LinkTypeLinuxSLL  = 113 // tcpdump -i any: 16-byte cooked header, protocol at bytes 14-15
	LinkTypeIPv4      = 228
	LinkTypeIPv6      = 229
	LinkTypeLinuxSLL2 = 276 // 20-byte cooked header v2, protocol at bytes 0-1
)

const (
	etherTypeIPv4     = 0x0800
	etherType8021Q    = 0x8100
	etherType8021AD   = 0x88a8
	etherTypeQinQ9100 = 0x9100 // pre-802.1ad QinQ, still seen on switches
	maxVLANTags       = 2
	afInet            = 2
)

// IPv4 returns the IPv4 packet a record carries: after the Ethernet header
// (with up to two 802.1Q/802.1ad VLAN tags), the SLL or SLL2 header, the
// loopback family, or as it is for RAW/IPV4; ok false (no error) for a
// record that is not IPv4 (IPv6, ARP, ...); an error for an unknown link
// type or a record too short for its link header.
//
// The packet ends at its IP total length when the record holds more, so
// Ethernet's padding of short frames (or a trailing FCS) does not make it
// differ from the same packet captured as LINKTYPE_RAW. A total length
// under 20 (0 for a Linux BIG TCP super-packet) leaves the record whole.
// ip is a subslice of data.
func IPv4(linkType uint32, data []byte) (ip []byte, ok bool, err error) {
	switch linkType {
	case LinkTypeRaw:
		if len(data) == 0 {
			return nil, false, tooShort(linkType, data, 1)
		}
		if data[0]>>4 != 4 {
			return nil, false, nil
		}
		return trimIPv4(data), true, nil
	case LinkTypeIPv4:
		return trimIPv4(data), true, nil
	case LinkTypeIPv6:
		return nil, false, nil
	case LinkTypeNull:
		if len(data) < 4 {
			return nil, false, tooShort(linkType, data, 4)
		}
		// The capturing host's byte order, which the file does not say.
		if f := binary.LittleEndian.Uint32(data); f != afInet && f != bswap(afInet) {
			return nil, false, nil
		}
		return trimIPv4(data[4:]), true, nil
	case LinkTypeEthernet:
		return etherPayload(linkType, data, 12)
	case LinkTypeLinuxSLL:
		// libpcap inserts VLAN tags after the SLL header, as in Ethernet.
		return etherPayload(linkType, data, 14)
	case LinkTypeLinuxSLL2:
		if len(data) < 20 {
			return nil, false, tooShort(linkType, data, 20)
		}
		if binary.BigEndian.Uint16(data) != etherTypeIPv4 {
			return nil, false, nil
		}
		return trimIPv4(data[20:]), true, nil
	}
	return nil, false, fmt.Errorf("pcap: link type %d not supported", linkType)
}

// etherPayload reads the EtherType at off, and past up to maxVLANTags
// tags.
func etherPayload(linkType uint32, data []byte, off int) ([]byte, bool, error) {
	for tags := 0; ; tags++ {
		if len(data) < off+2 {
			return nil, false, tooShort(linkType, data, off+2)
		}
		switch binary.BigEndian.Uint16(data[off:]) {
		case etherTypeIPv4:
			return trimIPv4(data[off+2:]), true, nil
		case etherType8021Q, etherType8021AD, etherTypeQinQ9100:
			if tags == maxVLANTags {
				return nil, false, nil
			}
			off += 4 // the tag's TCI, then the next EtherType
		default:
			return nil, false, nil
		}
	}
}

func trimIPv4(ip []byte) []byte {
	if len(ip) >= 4 {
		if n := int(binary.BigEndian.Uint16(ip[2:])); n >= 20 && n < len(ip) {
			return ip[:n:n]
		}
	}
	return ip
}

func tooShort(linkType uint32, data []byte, need int) error {
	return fmt.Errorf("pcap: link type %d: a record of %d bytes, under its %d-byte link header", linkType, len(data), need)
}
