package network

import "github.com/cnisim/cnisim/models/datapath"

// ECMP: a leaf picks the spine of a packet by hashing the 5-tuple of its
// outer header (source and destination address, protocol, ports), so
// every packet of a flow takes one path and different flows spread. What
// the outer header shows of the inner flow depends on the encapsulation
// the path ends with on the sending side:
//   - none (native routing): the pod's own 5-tuple;
//   - VXLAN and Geneve: node to node over UDP, with the UDP source port
//     taken from a hash of the inner headers (RFC 7348 section 5, RFC 8926
//     section 3.3; Linux udp_flow_src_port), so flows still spread;
//   - IP-in-IP and GRE: node to node with no ports (protocol 4 or 47), so
//     every flow between two nodes hashes alike;
//   - user-space UDP (Flannel udp, Weave sleeve) and encryption (ESP,
//     WireGuard): one fixed port pair or security association per node
//     pair, so likewise no entropy.
//
// The hash function itself is the network's fixed mixer (a switch's is
// fixed too), salted apart from the RSS hash so that a flow's spine and
// its receiving core are independent.

// ecmpSalt separates the ECMP hash from the RSS hash of the same key.
const ecmpSalt = 0x6a09e667f3bcc909

// FlowEntropy reports whether a path's outer header carries its inner
// flow's entropy (see above).
func FlowEntropy(path datapath.CostedPath) bool {
	encap, outer := false, datapath.Kind(0)
	for _, st := range path.Steps {
		if st.Side == datapath.Src && isEncap(st.Kind) {
			encap, outer = true, st.Kind
		}
	}
	return !encap || outer == datapath.VXLAN || outer == datapath.Geneve
}

// ECNTransparent reports whether a switch sees, and can mark, the ECN
// field of a path's packets: native routing shows the packet's own
// header, and Linux's tunnels (VXLAN, Geneve, IP-in-IP, GRE, WireGuard;
// ESP in transport mode keeps the packet's IP header) copy the field to
// the outer header and a CE mark back to the inner one (RFC 6040,
// ip_tunnel_ecn_encap and INET_ECN_decapsulate). A user-space tunnel
// (Flannel UDP, Weave sleeve) sends the packet as a UDP payload from an
// ordinary socket, whose outer header is not ECN-capable: the switches
// cannot mark it and the receiver never sees CE, so a DCTCP flow over it
// meets only drops.
func ECNTransparent(path datapath.CostedPath) bool { return !userspaceTunnel(path) }

// userspaceTunnel reports whether a path's packets leave their node from a
// user-space encapsulation daemon's socket (Flannel UDP, Weave sleeve).
func userspaceTunnel(path datapath.CostedPath) bool {
	for _, st := range path.Steps {
		if st.Side == datapath.Src && st.Kind == datapath.Userspace {
			return true
		}
	}
	return false
}

// ecmpHash is the ECMP hash of a route: of the node pair, and of its flow
// key when the outer header carries the flow's entropy.
func ecmpHash(path datapath.CostedPath, src, dst int, flowKey uint64) uint64 {
	k := uint64(src)<<32 | uint64(uint32(dst))
	k = mix(k ^ ecmpSalt)
	if FlowEntropy(path) {
		k = mix(k ^ flowKey)
	}
	return k
}
