package datapath

import (
	"fmt"
	"strings"
)

// Encap is an encapsulation or encryption that adds bytes to every packet on
// the wire (DESIGN 2, "Datapath graphs"). All overheads are for IPv4.
type Encap uint8

// The encapsulations. The tunnel kinds wrap the pod's packet; ESP, NaCl and
// WireGuard are the encryption layers a mode may add on top (Weave fastdp
// and sleeve encryption, Cilium/Calico WireGuard).
const (
	EncapNone      Encap = iota // native routing: the pod packet is the wire packet
	EncapVXLAN                  // outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14 = 50 (RFC 7348)
	EncapGeneve                 // as VXLAN without options: 20 + 8 + 8 + 14 = 50 (RFC 8926); options extra
	EncapIPIP                   // outer IPv4 20 (RFC 2003)
	EncapGRE                    // outer IPv4 20 + GRE base header 4 = 24 (RFC 2784)
	EncapUDP                    // user-space UDP (Flannel udp, Weave sleeve): outer IPv4 20 + UDP 8 = 28; assumed, daemon framing ignored
	EncapWireGuard              // outer IPv4 20 + UDP 8 + WireGuard data header 16 + Poly1305 tag 16 = 60
	EncapESP                    // IPsec ESP transport mode, AES-GCM (RFC 4106, Weave fastdp): see ESPOverhead
	EncapNaCl                   // Weave sleeve encryption (NaCl secretbox): assumed, see NaClOverhead
	numEncaps
)

// ESPOverhead is the worst case of ESP in transport mode with AES-GCM-16
// (RFC 4303, RFC 4106): SPI 4 + sequence 4 + IV 8 + padding up to 3 + pad
// length 1 + next header 1 + ICV 16 = 37 bytes. Weave fastdp encryption uses
// transport mode (weave docs, "fastdp encryption implementation"), so there
// is no extra outer IP header. Tunnel mode would add 20 (57 bytes).
// Provenance: derived from the RFCs, worst-case padding assumed.
const ESPOverhead = 37

// NaClOverhead is Weave sleeve encryption: a secretbox Poly1305 tag of 16
// bytes plus an 8-byte sequence number per frame. Provenance: assumed (the
// sleeve wire format is not in our sources).
const NaClOverhead = 24

var encapNames = [...]string{
	EncapNone: "none", EncapVXLAN: "vxlan", EncapGeneve: "geneve", EncapIPIP: "ipip",
	EncapGRE: "gre", EncapUDP: "udp", EncapWireGuard: "wireguard", EncapESP: "esp",
	EncapNaCl: "nacl",
}

// encapTitles are the names Table I of the paper uses.
var encapTitles = [...]string{
	EncapNone: "-", EncapVXLAN: "VXLAN", EncapGeneve: "Geneve", EncapIPIP: "IP-in-IP",
	EncapGRE: "GRE", EncapUDP: "UDP", EncapWireGuard: "WireGuard", EncapESP: "IPsec",
	EncapNaCl: "NaCl",
}

var encapBytes = [...]int{
	EncapNone: 0, EncapVXLAN: 50, EncapGeneve: 50, EncapIPIP: 20, EncapGRE: 24,
	EncapUDP: 28, EncapWireGuard: 60, EncapESP: ESPOverhead, EncapNaCl: NaClOverhead,
}

// Overhead returns the bytes the encapsulation adds to each packet (IPv4).
func (e Encap) Overhead() int {
	if e < numEncaps {
		return encapBytes[e]
	}
	return 0
}

// String returns the canonical (model file) name.
func (e Encap) String() string {
	if e < numEncaps {
		return encapNames[e]
	}
	return fmt.Sprintf("Encap(%d)", e)
}

// Title returns the name used in the paper's Table I ("IP-in-IP", "VXLAN").
func (e Encap) Title() string {
	if e < numEncaps {
		return encapTitles[e]
	}
	return e.String()
}

// IsEncryption reports whether e is an encryption layer rather than a tunnel.
func (e Encap) IsEncryption() bool {
	return e == EncapESP || e == EncapNaCl || e == EncapWireGuard
}

// ParseEncap returns the encapsulation with the given canonical name; the
// error lists the valid names.
func ParseEncap(name string) (Encap, error) {
	for i, n := range encapNames {
		if n == name {
			return Encap(i), nil
		}
	}
	return 0, fmt.Errorf("unknown encapsulation %q (valid: %s)", name, strings.Join(encapNames[:], ", "))
}

// GeneveOverhead is the Geneve overhead with optBytes of options (RFC 8926:
// options come in multiples of 4 bytes, at most 252).
func GeneveOverhead(optBytes int) (int, error) {
	if optBytes < 0 || optBytes > 252 || optBytes%4 != 0 {
		return 0, fmt.Errorf("geneve options of %d bytes: want a multiple of 4 in [0, 252]", optBytes)
	}
	return encapBytes[EncapGeneve] + optBytes, nil
}
