#!/bin/sh
# Capture a perf fixture: two network namespaces joined by a Linux bridge
# (TOPO=bridge) or by a VXLAN tunnel over a veth underlay (TOPO=vxlan),
# a TCP bulk transfer between them, and a system-wide cpu-clock profile
# with call stacks. Run as root. Writes $TOPO.script.gz and prints the
# packets sent (tx_packets of the sender's interface), the N to pass to
# cnisim calibrate perf --packets.
#
#   SENDER=/path/to/sender TOPO=bridge DURATION=1s sh capture.sh
set -eu
TOPO=${TOPO:-bridge}
DURATION=${DURATION:-1s}
SENDER=${SENDER:-./sender}   # go build ./sender (this directory)
P=cnifx
cleanup() {
	[ -n "${SRV:-}" ] && kill "$SRV" 2>/dev/null || true
	ip netns del ${P}1 2>/dev/null || true
	ip netns del ${P}2 2>/dev/null || true
	ip link del ${P}br 2>/dev/null || true
}
trap cleanup EXIT
ip netns add ${P}1
ip netns add ${P}2
case $TOPO in
bridge)
	ip link add ${P}br type bridge
	ip link set ${P}br up
	for i in 1 2; do
		ip link add ${P}v$i type veth peer name eth0 netns ${P}$i
		ip link set ${P}v$i master ${P}br up
		ip -n ${P}$i addr add 10.77.0.$i/24 dev eth0
		ip -n ${P}$i link set eth0 up
		ip -n ${P}$i link set lo up
	done
	DST=10.77.0.2 DEV=eth0 ;;
vxlan)
	ip link add eth0 netns ${P}1 type veth peer name eth0 netns ${P}2
	for i in 1 2; do
		j=$((3 - i))
		ip -n ${P}$i addr add 10.78.0.$i/24 dev eth0
		ip -n ${P}$i link set eth0 up
		ip -n ${P}$i link set lo up
		ip -n ${P}$i link add vx0 type vxlan id 42 dstport 4789 local 10.78.0.$i remote 10.78.0.$j dev eth0
		ip -n ${P}$i addr add 10.79.0.$i/24 dev vx0
		ip -n ${P}$i link set vx0 up
	done
	DST=10.79.0.2 DEV=vx0 ;;
*) echo "TOPO must be bridge or vxlan" >&2; exit 2 ;;
esac
# One MTU-sized packet per skb, as the paper's per-packet CPP assumes
# (DESIGN: offloads off by default): no TSO/GSO super-packets.
for i in 1 2; do
	for d in $(ip -n ${P}$i -o link show | awk -F': ' '{print $2}' | cut -d@ -f1); do
		ip -n ${P}$i link set dev "$d" gso_max_segs 1 2>/dev/null || true
	done
done
ip netns exec ${P}2 "$SENDER" server $DST:5001 &
SRV=$!
sleep 0.3
before=$(ip netns exec ${P}1 cat /sys/class/net/$DEV/statistics/tx_packets)
# 1 kHz (period 1 ms of cpu-clock) keeps the text small.
perf record -q -e cpu-clock -c 1000000 -a -g -o $TOPO.perf.data -- \
	ip netns exec ${P}1 "$SENDER" client $DST:5001 "$DURATION"
after=$(ip netns exec ${P}1 cat /sys/class/net/$DEV/statistics/tx_packets)
perf script -i $TOPO.perf.data | gzip -9 > $TOPO.script.gz
rm -f $TOPO.perf.data
echo "packets sent on $DEV: $((after - before))"
