#!/bin/sh
# The per-frame cost of GRO on this machine's kernel (root; iperf3, ethtool,
# perf): the source of network.DefaultGROFrameCycles
# (calibration.gro_frame_cycles). Two namespaces joined by a veth pair; the
# sender's veth has GSO and TSO off, so MTU-sized frames cross it; the
# receiver's veth has GRO on, which gives it NAPI (veth_gro_requested,
# Linux 5.13+), so every frame goes through napi_gro_receive and is merged.
# Sender and NAPI run on CPU 0 (veth_xmit schedules the NAPI where it
# runs); perf samples CPU 0 (cpu-clock, 10 kHz) for DUR seconds, and the
# receiving veth's rx_packets over the same window count the frames. The
# per-frame functions: the veth ring's consumer (veth_xdp_rcv*, veth_poll,
# eth_type_trans), GRO's callbacks and merge, and freeing the merged
# frames' heads. Prints cycles per frame, by group and in total.
#
#   calibration/gro/gro-frame.sh            # GHZ from /proc/cpuinfo's CPU 0
#   DUR=10 GHZ=2.596 calibration/gro/gro-frame.sh
#   TUNNEL=vxlan calibration/gro/gro-frame.sh   # or gre, ipip: the stream
#       crosses that tunnel over the veth, and GRO parses its headers too
#
# Everything it creates is named cnigro-* and removed on exit, error and
# signal.
set -eu
DUR=${DUR:-10}
TUNNEL=${TUNNEL:-none}
case $TUNNEL in none | vxlan | gre | ipip) ;; *)
	echo "gro-frame.sh: TUNNEL=$TUNNEL (allowed: none, vxlan, gre, ipip)" >&2
	exit 2
	;;
esac
SCRIPT=gro-frame.sh P=cnigro NET=10.77.0
. "$(dirname "$0")/../veth-pair.sh"
dst=10.77.0.2
if [ "$TUNNEL" != none ]; then
	# the tunnel over the veth: 10.78.0.0/24 inside, the veth's addresses outside
	for side in "$A 10.77.0.1 10.77.0.2 10.78.0.1" "$B 10.77.0.2 10.77.0.1 10.78.0.2"; do
		set -- $side
		case $TUNNEL in
		vxlan) ip -n "$1" link add cnigro-t type vxlan id 42 local "$2" remote "$3" dstport 4789 ;;
		*) ip -n "$1" link add cnigro-t type "$TUNNEL" local "$2" remote "$3" ;;
		esac || { echo "gro-frame.sh: this kernel cannot make a $TUNNEL device (its module missing?)" >&2; exit 1; }
		ip -n "$1" addr add "$4/24" dev cnigro-t
		ip -n "$1" link set cnigro-t up
		ip netns exec "$1" ethtool -K cnigro-t tso off gso off >/dev/null 2>&1 || true
	done
	dst=10.78.0.2
fi
ip netns exec $A ethtool -K cnigro-va tso off gso off >/dev/null
ip netns exec $B ethtool -K cnigro-vb gro on >/dev/null
ip netns exec $B taskset -c 1 iperf3 -s -1 >/dev/null 2>&1 &
sleep 0.5
ip netns exec $A taskset -c 0 iperf3 -c $dst -t $((DUR + 2)) >/dev/null &
client=$!
sleep 1
rx() { ip netns exec $B cat /sys/class/net/cnigro-vb/statistics/rx_packets; }
rx0=$(rx)
# in the background, so that a signal's trap runs at once (sh waits out a
# foreground command before it)
perf record -q -e cpu-clock -F 10000 -C 0 -o "$dir/perf.data" -- sleep "$DUR" 2>/dev/null &
perfpid=$!
wait $perfpid
perfpid=""
rx1=$(rx)
wait $client
perf report -i "$dir/perf.data" --stdio --sort sym -q 2>/dev/null |
	awk -v frames=$((rx1 - rx0)) -v dur="$DUR" -v ghz="$GHZ" -v tunnel="$TUNNEL" '
	{ gsub("%", "", $1); p[$3] += $1 }
	END {
		split("veth_xdp_rcv veth_xdp_rcv_skb veth_poll eth_type_trans", a, " ")
		split("napi_gro_receive gro_receive_skb dev_gro_receive inet_gro_receive tcp4_gro_receive tcp_gro_receive skb_gro_receive tcp_gro_pull_header gro_pull_from_frag0 gro_complete.constprop.0 udp4_gro_receive udp_gro_receive vxlan_gro_receive eth_gro_receive gre_gro_receive ipip_gro_receive", b, " ")
		split("__napi_kfree_skb napi_skb_cache_put kmem_cache_free_bulk build_detached_freelist", c, " ")
		k = dur * ghz * 1e9 / 100 / frames # cycles per frame per percent
		for (i in a) ga += p[a[i]]
		for (i in b) gb += p[b[i]]
		for (i in c) gc += p[c[i]]
		printf "tunnel %s: frames %d in %s s at %s GHz\n", tunnel, frames, dur, ghz
		printf "veth ring consumer %.1f, GRO callbacks and merge %.1f, merged heads freed %.1f: %.1f cycles per frame\n", ga * k, gb * k, gc * k, (ga + gb + gc) * k
	}'
