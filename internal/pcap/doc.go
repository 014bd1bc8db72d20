// Package pcap writes and reads libpcap capture files, the format tcpdump
// and Wireshark read, so a simulated flow can be inspected with the same
// tools as a real one.
//
// The Writer always writes nanosecond timestamps, little-endian: simulated
// time has nanosecond resolution, and microseconds would merge the events
// of a fast link. The Reader accepts both byte orders and both timestamp
// resolutions, and bounds what a record may make it allocate, so a corrupt
// or hostile file cannot exhaust memory.
//
// Open also reads the pcapng files Wireshark writes, and IPv4 strips the
// link layers of Linux captures, so a capture from a real cluster reduces
// to the IPv4 packets the simulator's own LINKTYPE_RAW captures hold.
package pcap
