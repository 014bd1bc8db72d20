package wire

import (
	"encoding/binary"
	"fmt"
)

// EncapKind is the encapsulation on the wire. Its values are fixed here
// rather than imported so that the package stays free of the models.
type EncapKind uint8

// The encapsulations: tunnels, then the encryption layers that go in
// Encap.Encrypted.
const (
	EncapNone      EncapKind = iota // the pod packet is the wire packet
	EncapVXLAN                      // IPv4 20 + UDP 8 (dst 4789) + VXLAN 8 (flags 0x08, VNI) + inner Ethernet 14 = 50 (RFC 7348)
	EncapGeneve                     // IPv4 20 + UDP 8 (dst 6081) + Geneve 8 (no options, protocol 0x6558, VNI) + inner Ethernet 14 = 50 (RFC 8926)
	EncapIPIP                       // IPv4 20, protocol 4 (RFC 2003)
	EncapGRE                        // IPv4 20, protocol 47 + GRE 4 (no flags, version 0, protocol 0x0800) = 24 (RFC 2784)
	EncapUDP                        // user-space UDP tunnel: IPv4 20 + UDP 8 (both ports Encap.Port) = 28, the inner packet its payload
	EncapWireGuard                  // IPv4 20 + UDP 8 (both ports 51820) + data header 16 + [encrypted] + tag 16 = 60
	EncapESP                        // IPsec ESP, transport mode over a tunnel: SPI 4 + sequence 4 + IV 8 + [encrypted] + trailer and ICV
	EncapNaCl                       // Weave sleeve encryption of EncapUDP's payload: 8-byte sequence number + [encrypted] + tag 16 = 24
	numEncapKinds
)

var encapNames = [...]string{
	EncapNone: "none", EncapVXLAN: "VXLAN", EncapGeneve: "Geneve", EncapIPIP: "IPIP", EncapGRE: "GRE",
	EncapUDP: "UDP", EncapWireGuard: "WireGuard", EncapESP: "ESP", EncapNaCl: "NaCl",
}

func (k EncapKind) String() string {
	if k < numEncapKinds {
		return encapNames[k]
	}
	return fmt.Sprintf("EncapKind(%d)", uint8(k))
}

// Protocol numbers and well-known ports of the encapsulations.
const (
	ProtoIPIP     = 4
	ProtoGRE      = 47
	ProtoESP      = 50
	PortVXLAN     = 4789  // IANA (RFC 7348); Linux's default is 8472 but the CNIs set 4789
	PortGeneve    = 6081  // RFC 8926
	PortWireGuard = 51820 // wg's customary ListenPort, which the CNIs keep
)

const (
	vxlanLen     = 8
	geneveLen    = 8
	etherLen     = 14
	greLen       = 4
	espLen       = 16 // SPI, sequence number, 8-byte IV (AES-GCM, RFC 4106)
	espTrailer   = 2  // pad length and next header, which RFC 4303 requires
	wgLen        = 16
	wgTag        = 16 // Poly1305
	naclLen      = 8
	naclTag      = 16 // secretbox's Poly1305
	etherTypeIP  = 0x0800
	etherTypeTEB = 0x6558 // transparent Ethernet bridging: Geneve's payload is a frame
	vxlanFlagI   = 0x08
	wgTypeData   = 4
	maxVNI       = 1<<24 - 1
)

// Encap describes one packet's outer layers. Fields that do not apply to
// Kind and Encrypted are ignored by AppendEncap and zero from DecodeEncap.
type Encap struct {
	Kind EncapKind // the tunnel: EncapNone to EncapUDP
	// Encrypted is an encryption layer applied to the tunnel packet:
	// EncapNone, EncapESP (transport mode over the tunnel's outer IPv4, so
	// it protects the tunnel's UDP or GRE header onwards; with no tunnel,
	// or IPIP, it is tunnel mode and protects the whole pod packet),
	// EncapWireGuard (its own IPv4 and UDP around the whole tunnel packet)
	// or EncapNaCl (only with EncapUDP: it encrypts that tunnel's payload).
	Encrypted EncapKind
	Src, Dst  [4]byte // the nodes' addresses
	// TOS is the outermost DSCP and ECN. Tunnels copy the inner ECN (RFC
	// 6040); it is not forced here, as the underlay may mark the outer CE.
	TOS     uint8
	TTL     uint8
	SrcPort uint16 // VXLAN's and Geneve's UDP source port: the flow-entropy hash, 32768-60999 in Linux
	Port    uint16 // EncapUDP's ports, source and destination (Flannel udp 8285, Weave sleeve 6784)
	VNI     uint32 // VXLAN and Geneve, 24 bits
	SPI     uint32 // ESP; 0 is reserved (RFC 4303 §2.1)
	Seq     uint64 // ESP sequence number (the low 32 bits on the wire; all 64 as the IV), WireGuard counter, NaCl sequence
	Index   uint32 // WireGuard receiver index
	// Overhead is the bytes all the layers add to the inner packet as the
	// simulator counts them (VXLAN 50, Geneve 50, IPIP 20, GRE 24, UDP 28,
	// WireGuard 60 and ESP 37 each on top of the tunnel's, NaCl 24 on top
	// of UDP's 28): the outermost IPv4 total length is the inner's plus
	// Overhead. Bytes beyond the headers are trailers or padding, never
	// captured.
	Overhead int
}

// tunnelLen returns the bytes tunnel k puts before the inner packet.
func tunnelLen(k EncapKind) (int, bool) {
	switch k {
	case EncapNone:
		return 0, true
	case EncapVXLAN:
		return IPv4HeaderLen + UDPHeaderLen + vxlanLen + etherLen, true
	case EncapGeneve:
		return IPv4HeaderLen + UDPHeaderLen + geneveLen + etherLen, true
	case EncapIPIP:
		return IPv4HeaderLen, true
	case EncapGRE:
		return IPv4HeaderLen + greLen, true
	case EncapUDP:
		return IPv4HeaderLen + UDPHeaderLen, true
	}
	return 0, false
}

// minOverhead returns the fewest bytes e's layers can add, the trailers
// an encryption cannot do without included, so that a record's lengths
// could be real.
func minOverhead(e *Encap) (int, error) {
	tun, ok := tunnelLen(e.Kind)
	if !ok {
		return 0, fmt.Errorf("wire: encapsulation %v is not a tunnel", e.Kind)
	}
	switch e.Encrypted {
	case EncapNone:
		return tun, nil
	case EncapESP:
		// Without a tunnel header after it to protect, ESP needs an IPv4
		// header of its own (tunnel mode; IPIP's is that header).
		return max(tun, IPv4HeaderLen) + espLen + espTrailer, nil
	case EncapWireGuard:
		return tun + IPv4HeaderLen + UDPHeaderLen + wgLen + wgTag, nil
	case EncapNaCl:
		if e.Kind != EncapUDP {
			return 0, fmt.Errorf("wire: NaCl encrypts a user-space UDP tunnel's payload, not %v", e.Kind)
		}
		return tun + naclLen + naclTag, nil
	}
	return 0, fmt.Errorf("wire: encryption %v is not an encryption layer", e.Encrypted)
}

// AppendEncap appends to b a NIC capture record of a pod packet under e:
// the outer headers, then inner, the pod packet's captured bytes (as
// AppendTCP or AppendUDP produce them) whose IPv4 total length is
// innerTotal. The record's captured length is what it adds to b; the packet
// on the wire is innerTotal+e.Overhead bytes. Under an encryption the
// record stops after that layer's clear header (ESP: SPI, sequence, IV;
// WireGuard: its data header; NaCl: its sequence number), as tcpdump on the
// NIC sees nothing else in clear. The outer IPv4 header has ID 0, no DF and
// its checksum; UDP lengths follow the total length and UDP checksums are
// 0. The inner Ethernet header of VXLAN and Geneve has locally
// administered MACs made from the outer addresses (02:00:a.b.c.d). On
// error b is returned unchanged.
func AppendEncap(b []byte, e Encap, inner []byte, innerTotal int) ([]byte, error) {
	need, err := minOverhead(&e)
	if err != nil {
		return b, err
	}
	switch {
	case e.Kind == EncapNone && e.Encrypted == EncapNone && e.Overhead != 0:
		return b, fmt.Errorf("wire: no encapsulation adds no bytes, not an overhead of %d", e.Overhead)
	case e.Overhead < need:
		return b, fmt.Errorf("wire: %s needs %d bytes, over the overhead %d", e.name(), need, e.Overhead)
	case innerTotal < IPv4HeaderLen || innerTotal > maxTotalLen:
		return b, fmt.Errorf("wire: inner total length %d outside %d..%d", innerTotal, IPv4HeaderLen, maxTotalLen)
	case len(inner) >= 4 && int(binary.BigEndian.Uint16(inner[2:])) != innerTotal:
		return b, fmt.Errorf("wire: inner packet's total length %d, not %d", binary.BigEndian.Uint16(inner[2:]), innerTotal)
	case innerTotal+e.Overhead > maxTotalLen:
		return b, fmt.Errorf("wire: outer total length %d over %d", innerTotal+e.Overhead, maxTotalLen)
	case (e.Kind == EncapVXLAN || e.Kind == EncapGeneve) && e.VNI > maxVNI:
		return b, fmt.Errorf("wire: VNI %d over 24 bits", e.VNI)
	case e.Encrypted == EncapESP && e.SPI == 0:
		return b, fmt.Errorf("wire: ESP SPI 0 is reserved (RFC 4303)")
	}
	if e.Kind == EncapNone && e.Encrypted == EncapNone {
		return append(b, inner...), nil
	}
	total := innerTotal + e.Overhead
	if tun, _ := tunnelLen(e.Kind); e.Encrypted == EncapNone && tun+len(inner) > total {
		return b, fmt.Errorf("wire: %d captured inner bytes run past the %d-byte packet", len(inner), innerTotal)
	}
	ip := IPv4{Src: e.Src, Dst: e.Dst, TOS: e.TOS, TTL: e.TTL}
	udp := func(b []byte, src, dst uint16) []byte {
		ip.Protocol = ProtoUDP
		b = appendIPv4(b, &ip, total)
		b = binary.BigEndian.AppendUint16(b, src)
		b = binary.BigEndian.AppendUint16(b, dst)
		b = binary.BigEndian.AppendUint16(b, uint16(total-IPv4HeaderLen))
		return append(b, 0, 0)
	}

	switch e.Encrypted {
	case EncapESP:
		ip.Protocol = ProtoESP
		b = appendIPv4(b, &ip, total)
		b = binary.BigEndian.AppendUint32(b, e.SPI)
		b = binary.BigEndian.AppendUint32(b, uint32(e.Seq))
		// The IV need only be unique per key (RFC 4106 §3.1); Linux's
		// seqiv derives it from the sequence number too.
		return binary.BigEndian.AppendUint64(b, e.Seq), nil
	case EncapWireGuard:
		b = udp(b, PortWireGuard, PortWireGuard)
		b = append(b, wgTypeData, 0, 0, 0)
		b = binary.LittleEndian.AppendUint32(b, e.Index)
		return binary.LittleEndian.AppendUint64(b, e.Seq), nil
	case EncapNaCl:
		b = udp(b, e.Port, e.Port)
		return binary.BigEndian.AppendUint64(b, e.Seq), nil
	}

	switch e.Kind {
	case EncapVXLAN:
		b = udp(b, e.SrcPort, PortVXLAN)
		b = append(b, vxlanFlagI, 0, 0, 0)
		b = binary.BigEndian.AppendUint32(b, e.VNI<<8)
		b = appendEther(b, &e)
	case EncapGeneve:
		b = udp(b, e.SrcPort, PortGeneve)
		b = append(b, 0, 0) // version 0, no options, not OAM, nothing critical
		b = binary.BigEndian.AppendUint16(b, etherTypeTEB)
		b = binary.BigEndian.AppendUint32(b, e.VNI<<8)
		b = appendEther(b, &e)
	case EncapIPIP:
		ip.Protocol = ProtoIPIP
		b = appendIPv4(b, &ip, total)
	case EncapGRE:
		ip.Protocol = ProtoGRE
		b = appendIPv4(b, &ip, total)
		b = append(b, 0, 0, etherTypeIP>>8, etherTypeIP&0xff)
	case EncapUDP:
		b = udp(b, e.Port, e.Port)
	}
	return append(b, inner...), nil
}

// appendEther appends the frame header a VXLAN or Geneve tunnel carries:
// the simulator has no MACs, so they are made from the nodes' addresses.
func appendEther(b []byte, e *Encap) []byte {
	b = append(b, 0x02, 0)
	b = append(b, e.Dst[:]...)
	b = append(b, 0x02, 0)
	b = append(b, e.Src[:]...)
	return append(b, etherTypeIP>>8, etherTypeIP&0xff)
}

func (e *Encap) name() string {
	if e.Encrypted == EncapNone {
		return e.Kind.String()
	}
	return e.Encrypted.String() + " over " + e.Kind.String()
}

// DecodeEncap decodes a NIC capture record: its outer layers into an Encap,
// and inner, the pod packet's captured bytes, which Decode reads. What is
// recognised: IPv4 protocol 4 (IPIP), 47 (GRE, its optional checksum, key
// and sequence fields skipped), 50 (ESP); UDP to port 4789 (VXLAN), to
// 6081 (Geneve, options skipped), to or from 51820 (WireGuard data
// messages) and to udpTunnelPort (EncapUDP; 0: none), which ports alone
// cannot tell from an ordinary datagram. Any other IPv4 packet is
// EncapNone with inner the record and the Encap otherwise zero; so is a pod
// packet that happens to go to a tunnel's port, as in tcpdump.
//
// With the inner packet in clear, Overhead is the outer total length less
// the inner's, and inner ends at the outer packet's end (not at link-layer
// padding). Under an encryption inner is nil, Overhead 0 and Kind
// EncapNone: the tunnel beneath is not visible. NaCl cannot be decoded: its
// sequence number looks like the UDP tunnel's payload, so a Weave sleeve
// record is an error (not IPv4) with udpTunnelPort set, EncapNone without.
// Errors wrap ErrTruncated where the record ends inside a header.
func DecodeEncap(b []byte, udpTunnelPort uint16) (Encap, []byte, error) {
	p, err := Decode(b)
	if err != nil {
		return Encap{}, nil, err
	}
	ihl := int(b[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(b[2:]))
	rec := b[:min(len(b), total)]
	e := Encap{Src: p.IP.Src, Dst: p.IP.Dst, TOS: p.IP.TOS, TTL: p.IP.TTL}
	// header checks that rec holds n bytes of the named header at off.
	header := func(what string, off, n int) error {
		if total < off+n {
			return fmt.Errorf("wire: IP total length %d under the %d bytes up to the end of the %s header", total, off+n, what)
		}
		if len(rec) < off+n {
			return fmt.Errorf("%w: %s header: %d of %d bytes", ErrTruncated, what, max(len(rec)-off, 0), n)
		}
		return nil
	}

	off := ihl // where the next header starts
	switch {
	case p.IP.Protocol == ProtoIPIP:
		e.Kind = EncapIPIP
	case p.IP.Protocol == ProtoGRE:
		e.Kind = EncapGRE
		if err := header("GRE", off, greLen); err != nil {
			return Encap{}, nil, err
		}
		flags := binary.BigEndian.Uint16(rec[off:])
		// Checksum (C), key and sequence number (K, S: RFC 2890) add a
		// word each; routing and the other bits are RFC 1701's.
		if flags&^0xb000 != 0 {
			return Encap{}, nil, fmt.Errorf("wire: GRE flags and version %#04x: only C, K and S of version 0 are known", flags)
		}
		if pt := binary.BigEndian.Uint16(rec[off+2:]); pt != etherTypeIP {
			return Encap{}, nil, fmt.Errorf("%w: GRE protocol type %#04x", ErrNotIPv4, pt)
		}
		n := greLen
		for _, bit := range []uint16{0x8000, 0x2000, 0x1000} {
			if flags&bit != 0 {
				n += 4
			}
		}
		if err := header("GRE", off, n); err != nil {
			return Encap{}, nil, err
		}
		off += n
	case p.IP.Protocol == ProtoESP:
		e.Encrypted = EncapESP
		if err := header("ESP", off, 8); err != nil {
			return Encap{}, nil, err
		}
		e.SPI = binary.BigEndian.Uint32(rec[off:])
		e.Seq = uint64(binary.BigEndian.Uint32(rec[off+4:]))
		return e, nil, nil
	case p.UDP != nil:
		src, dst := p.UDP.SrcPort, p.UDP.DstPort
		// The caller's port first: it says how the cluster is set up.
		switch {
		case udpTunnelPort != 0 && dst == udpTunnelPort:
			e.Kind, e.Port = EncapUDP, udpTunnelPort
		case dst == PortVXLAN:
			e.Kind, e.SrcPort = EncapVXLAN, src
		case dst == PortGeneve:
			e.Kind, e.SrcPort = EncapGeneve, src
		case dst == PortWireGuard || src == PortWireGuard:
			e.Encrypted = EncapWireGuard
		default:
			return Encap{}, b, nil
		}
		if ul := int(binary.BigEndian.Uint16(rec[off+4:])); ul != total-ihl {
			return Encap{}, nil, fmt.Errorf("wire: UDP length %d, not the IP payload's %d", ul, total-ihl)
		}
		off += UDPHeaderLen
	default:
		return Encap{}, b, nil
	}

	switch {
	case e.Encrypted == EncapWireGuard:
		if err := header("WireGuard", off, wgLen); err != nil {
			return Encap{}, nil, err
		}
		if t := rec[off]; t != wgTypeData {
			return Encap{}, nil, fmt.Errorf("%w: WireGuard message type %d, not transport data (%d)", ErrNotIPv4, t, wgTypeData)
		}
		if total < off+wgLen+wgTag {
			return Encap{}, nil, fmt.Errorf("wire: IP total length %d under the %d bytes of a WireGuard data message's headers and tag", total, off+wgLen+wgTag)
		}
		e.Index = binary.LittleEndian.Uint32(rec[off+4:])
		e.Seq = binary.LittleEndian.Uint64(rec[off+8:])
		return e, nil, nil
	case e.Kind == EncapVXLAN:
		if err := header("VXLAN", off, vxlanLen); err != nil {
			return Encap{}, nil, err
		}
		if f := rec[off]; f&vxlanFlagI == 0 {
			return Encap{}, nil, fmt.Errorf("wire: VXLAN flags %#02x without I (0x08): no VNI", f)
		}
		e.VNI = binary.BigEndian.Uint32(rec[off+4:]) >> 8
		off += vxlanLen
	case e.Kind == EncapGeneve:
		if err := header("Geneve", off, geneveLen); err != nil {
			return Encap{}, nil, err
		}
		if v := rec[off] >> 6; v != 0 {
			return Encap{}, nil, fmt.Errorf("wire: Geneve version %d, not 0", v)
		}
		if pt := binary.BigEndian.Uint16(rec[off+2:]); pt != etherTypeTEB {
			return Encap{}, nil, fmt.Errorf("wire: Geneve protocol type %#04x, not Ethernet (%#04x)", pt, etherTypeTEB)
		}
		n := geneveLen + int(rec[off]&0x3f)*4
		if err := header("Geneve", off, n); err != nil {
			return Encap{}, nil, err
		}
		e.VNI = binary.BigEndian.Uint32(rec[off+4:]) >> 8
		off += n
	}
	if e.Kind == EncapVXLAN || e.Kind == EncapGeneve {
		if err := header("inner Ethernet", off, etherLen); err != nil {
			return Encap{}, nil, err
		}
		if et := binary.BigEndian.Uint16(rec[off+12:]); et != etherTypeIP {
			return Encap{}, nil, fmt.Errorf("%w: inner Ethernet type %#04x", ErrNotIPv4, et)
		}
		off += etherLen
	}

	inner := rec[off:]
	if _, err := Decode(inner); err != nil {
		if e.Kind == EncapUDP && len(inner) > 0 && inner[0]>>4 != 4 {
			return Encap{}, nil, fmt.Errorf("%w, in the UDP tunnel's payload (NaCl-encrypted, as Weave's sleeve? those cannot be decoded)", err)
		}
		return Encap{}, nil, fmt.Errorf("%w, in the %v tunnel's inner packet", err, e.Kind)
	}
	innerTotal := int(binary.BigEndian.Uint16(inner[2:]))
	if off+innerTotal > total {
		return Encap{}, nil, fmt.Errorf("wire: inner total length %d runs past the outer packet's %d bytes after %d of headers", innerTotal, total, off)
	}
	e.Overhead = total - innerTotal
	return e, inner, nil
}
