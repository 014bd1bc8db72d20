// Package flowstats reads TCP connections out of a packet capture, real
// (tcpdump in a pod or on a node) or simulated (cnisim run with
// trace.pcap), so that the two can be set side by side: per connection
// the handshake, the data direction's segments, payload, retransmissions
// and out-of-order segments, the other side's ACKs (with SACK blocks,
// D-SACKs, ECE), CE marks, the round trips the timestamps' echo gives at
// the capture point and the largest window offered; and their pooled
// summary. Pure functions of decoded packets: reading files is the
// caller's (internal/pcap, internal/wire).
package flowstats
