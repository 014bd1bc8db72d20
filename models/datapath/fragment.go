package datapath

import "fmt"

// Fragmentation of an oversize outer IPv4 packet (RFC 791): every fragment
// carries its own 20-byte header, and every fragment's payload but the last
// is a multiple of 8 bytes. A pod MTU that ignores some of the datapath's
// headers (Weave encryption in the vendor analysis) makes every full-sized
// packet two packets on the wire, or a drop where DF is set.

// FragmentCount is how many fragments an IPv4 packet of packetLen bytes
// (header included) becomes on a link of the given MTU; 1 if it fits.
func FragmentCount(packetLen, mtu int) (int, error) {
	per, err := fragPayload(packetLen, mtu)
	if err != nil || packetLen <= mtu {
		return 1, err
	}
	payload := packetLen - IPv4Header
	return (payload + per - 1) / per, nil
}

// Fragments appends to dst the IP lengths (header included) of the
// fragments of a packetLen-byte packet on a link of the given MTU.
func Fragments(dst []int, packetLen, mtu int) ([]int, error) {
	per, err := fragPayload(packetLen, mtu)
	if err != nil {
		return dst, err
	}
	if packetLen <= mtu {
		return append(dst, packetLen), nil
	}
	for rest := packetLen - IPv4Header; rest > 0; rest -= per {
		dst = append(dst, IPv4Header+min(rest, per))
	}
	return dst, nil
}

// Oversize says what happens to a packetLen-byte outer packet on a link of
// the given MTU: it fits (1, false), fragments (n > 1, false), or, with DF
// set, is dropped (0, true).
func Oversize(packetLen, mtu int, df bool) (fragments int, dropped bool, err error) {
	if packetLen <= mtu {
		return 1, false, nil
	}
	if df {
		return 0, true, nil
	}
	n, err := FragmentCount(packetLen, mtu)
	return n, false, err
}

// fragPayload is the payload bytes of every non-final fragment.
func fragPayload(packetLen, mtu int) (int, error) {
	if packetLen < IPv4Header {
		return 0, fmt.Errorf("IPv4 packet of %d bytes is shorter than its header", packetLen)
	}
	per := (mtu - IPv4Header) / 8 * 8
	if per < 8 {
		return 0, fmt.Errorf("MTU %d cannot carry IPv4 fragments (need at least %d)", mtu, IPv4Header+8)
	}
	return per, nil
}
