#!/bin/bash
# A kernel's VXLAN packets read by cnisim pcap (root; ip, iperf3, tcpdump):
# two namespaces joined by a veth "underlay", a VXLAN device on each (VNI
# 42, UDP 4789), a one-second iperf3 stream through the tunnel captured on
# the underlay. `cnisim pcap stats` must open every VXLAN packet to its
# inner TCP segment (none cut or malformed; ARP and IPv6 inside the tunnel
# counted apart) and find the stream's bytes: iperf3's own count of the
# bytes it sent, and the 37-byte cookie it sends first on every stream
# (iperf3's COOKIE_SIZE). Everything it makes is named cn42* and removed on exit,
# error or signal.
#
#   calibration/pcap/vxlan-capture.sh [CNISIM]    # CNISIM: a built binary (default: go run ./cmd/cnisim)
set -eu
cnisim=${1:-}
tmp=
cleanup() {
	for n in cn42a cn42b; do
		ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null || true
		ip netns del "$n" 2>/dev/null || true
	done
	if [ -n "$tmp" ]; then rm -rf "$tmp"; fi
}
trap cleanup EXIT INT TERM
cleanup
tmp=$(mktemp -d)
ip netns add cn42a
ip netns add cn42b
ip link add cn42ab type veth peer name cn42ba
ip link set cn42ab netns cn42a
ip link set cn42ba netns cn42b
for s in a:ab:1:2 b:ba:2:1; do
	IFS=: read -r n dev me peer <<< "$s"
	ip -n "cn42$n" link set lo up
	ip -n "cn42$n" addr add "192.168.42.$me/24" dev "cn42$dev"
	ip -n "cn42$n" link set "cn42$dev" up
	ip -n "cn42$n" link add vx42 type vxlan id 42 dstport 4789 remote "192.168.42.$peer" local "192.168.42.$me" dev "cn42$dev"
	ip -n "cn42$n" addr add "10.42.0.$me/24" dev vx42
	ip -n "cn42$n" link set vx42 up
done
ip netns exec cn42b iperf3 -s -1 -D >/dev/null 2>&1
ip netns exec cn42a tcpdump -i cn42ab -s 160 -w "$tmp/vx.pcap" -U 2>/dev/null &
dump=$!
sleep 0.7 # tcpdump's socket open before the first packet
ip netns exec cn42a iperf3 -c 10.42.0.2 -t 1 -b 200M -J > "$tmp/iperf"
sleep 0.3
kill -INT "$dump"
wait "$dump" 2>/dev/null || true
sent=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["end"]["sum_sent"]["bytes"])' "$tmp/iperf")
if [ -n "$cnisim" ]; then
	out=$("$cnisim" pcap stats --largest "$tmp/vx.pcap" 2>&1)
else
	out=$(go run ./cmd/cnisim pcap stats --largest "$tmp/vx.pcap" 2>&1)
fi
echo "$out"
got=$(echo "$out" | awk '$1 == "payload_bytes" { print $2 }')
echo "vxlan-capture: iperf3 sent $sent bytes and its 37-byte cookie; cnisim pcap read $got bytes of payload inside the tunnel"
echo "$out" | grep -q " 0 cut or malformed" || { echo "vxlan-capture: records cut or malformed" >&2; exit 1; }
[ "$got" = "$((sent + 37))" ] || { echo "vxlan-capture: the payload read is not iperf3's" >&2; exit 1; }
echo "$out" | grep -q "10.42.0.1:[0-9]*  *10.42.0.2:5201" || { echo "vxlan-capture: the inner stream's addresses not read" >&2; exit 1; }
