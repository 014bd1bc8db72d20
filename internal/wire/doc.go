// Package wire encodes and decodes the IPv4, TCP and UDP headers of
// simulated packets for packet captures. The simulator carries no payload
// bytes, so a record holds headers only and the IP total length states how
// long the payload was; Wireshark and tcpdump then show the true segment
// length with the payload as not captured.
//
// AppendTCP lays the TCP options out byte for byte as Linux does
// (tcp_options_write), so a capture of a simulated flow reads like one
// taken on a node. Decode is the inverse, for tests and for tools that
// read captures back; it never panics on malformed input.
//
// AppendEncap wraps a pod's packet in the outer headers a node's NIC shows
// under a CNI's tunnel (VXLAN, Geneve, IPIP, GRE, a user-space UDP tunnel)
// and encryption (ESP, WireGuard, NaCl), stopping where the encryption
// hides the rest; DecodeEncap reads them back.
package wire
