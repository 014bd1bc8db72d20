#!/bin/sh
# The per-segment cost of software GSO on this machine's kernel (root;
# iperf3, ethtool, perf): the source of network.DefaultGSOSegmentCycles
# (calibration.gso_segment_cycles). Two namespaces joined by a veth pair;
# the sender's veth has TSO off and GSO on, so TCP builds super-packets and
# the device layer cuts them into MTU segments in software
# (validate_xmit_skb -> __skb_gso_segment) before veth_xmit, as it does for
# a NIC without the offload the packets need (no TSO, or no UDP tunnel
# segmentation under VXLAN). Everything runs on CPU 0, the receiver's
# softirq included; perf samples CPU 0 with call graphs (cpu-clock, 10 kHz)
# for DUR seconds, and the sending veth's tx_packets over the same window
# count the segments. The cost is the samples with __skb_gso_segment on
# their stack (the whole segmentation: skb_segment, the protocols'
# gso_segment callbacks, the segments' skbs allocated and their headers
# copied). Prints cycles per segment.
#
#   calibration/gso/gso-segment.sh            # GHZ from /proc/cpuinfo's CPU 0
#   DUR=10 GHZ=2.596 calibration/gso/gso-segment.sh
#   TUNNEL=vxlan calibration/gso/gso-segment.sh   # the stream crosses a VXLAN
#       device over the veth: the tunnel's GSO (udp4_ufo_fragment,
#       skb_udp_tunnel_segment) cuts the encapsulated super-packets
#
# Everything it creates is named cnigso-* and removed on exit, error and
# signal.
set -eu
DUR=${DUR:-10}
TUNNEL=${TUNNEL:-none}
case $TUNNEL in none | vxlan) ;; *)
	echo "gso-segment.sh: TUNNEL=$TUNNEL (allowed: none, vxlan)" >&2
	exit 2
	;;
esac
SCRIPT=gso-segment.sh P=cnigso NET=10.79.0
. "$(dirname "$0")/../veth-pair.sh"
dst=10.79.0.2
dev=cnigso-va # where the segments are counted
if [ "$TUNNEL" = vxlan ]; then
	for side in "$A 10.79.0.1 10.79.0.2 10.80.0.1" "$B 10.79.0.2 10.79.0.1 10.80.0.2"; do
		set -- $side
		ip -n "$1" link add cnigso-t type vxlan id 43 local "$2" remote "$3" dstport 4789
		ip -n "$1" addr add "$4/24" dev cnigso-t
		ip -n "$1" link set cnigso-t up
	done
	dst=10.80.0.2
fi
# the sender's veth cannot segment: GSO cuts in software before it
ip netns exec $A ethtool -K cnigso-va tso off gso on tx-udp_tnl-segmentation off tx-udp_tnl-csum-segmentation off >/dev/null 2>&1 ||
	ip netns exec $A ethtool -K cnigso-va tso off gso on >/dev/null
ip netns exec $B taskset -c 0 iperf3 -s -1 >/dev/null 2>&1 &
sleep 0.5
ip netns exec $A taskset -c 0 iperf3 -c $dst -t $((DUR + 2)) >/dev/null &
client=$!
sleep 1
tx() { ip netns exec $A cat /sys/class/net/$dev/statistics/tx_packets; }
tx0=$(tx)
# in the background, so that a signal's trap runs at once
perf record -q -g -e cpu-clock -F 10000 -C 0 -o "$dir/perf.data" -- sleep "$DUR" 2>/dev/null &
perfpid=$!
wait $perfpid
perfpid=""
tx1=$(tx)
wait $client
# samples with __skb_gso_segment on their stack, of all samples on CPU 0
# (perf script -F ip,sym: each sample its call chain, one "address symbol"
# line per frame, samples separated by blank lines)
perf script -i "$dir/perf.data" -F ip,sym 2>/dev/null |
	awk -v segs=$((tx1 - tx0)) -v dur="$DUR" -v ghz="$GHZ" -v tunnel="$TUNNEL" '
	/^[[:space:]]*$/ { if (n) { all++; if (in_gso) gso++ }; n = 0; in_gso = 0; next }
	{ n++; if ($2 == "__skb_gso_segment" || $2 == "skb_gso_segment") in_gso = 1 }
	END {
		if (n) { all++; if (in_gso) gso++ }
		k = ghz * 1e9 / 10000 / segs # cycles per segment per sample (10 kHz)
		printf "tunnel %s: segments %d in %s s at %s GHz, %d samples, %d in GSO\n", tunnel, segs, dur, ghz, all, gso
		printf "software GSO: %.1f cycles per segment\n", gso * k
	}'
