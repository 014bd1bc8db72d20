#!/bin/sh
# The CPU cost of IP fragmentation and reassembly on this machine's kernel
# (root; iperf3, ethtool, perf): the source of network.DefaultFragmentCycles
# and DefaultReassembleCycles (calibration.fragment_cycles and
# reassemble_cycles). Two namespaces joined by a veth pair of MTU $MTU
# carry a VXLAN tunnel whose own MTU is $MTU too (the inner route's MTU
# locked at it): every full-sized inner packet makes an outer packet 50
# bytes over the underlay MTU, which the sending side fragments
# (VXLAN's outer header leaves DF clear) and the receiving side reassembles
# before VXLAN takes it, as an overlay with a pod MTU too large for its
# headers does (Weave's encrypted case in the vendor analysis).
# FRAG=0 sets the tunnel's MTU 50 lower instead (no fragments), for the
# difference. Offloads are off on both devices, so every packet is
# MTU-sized; the sender, its veth and the receive softirq run on CPU 0
# (veth_xmit queues to the backlog of the CPU it runs on), the iperf3
# server on CPU 1. perf samples CPU 0 with call graphs (cpu-clock, 10 kHz)
# for DUR seconds (default 5) while iperf3 sends at RATE, REPS times
# (default 7); the tunnel's tx_packets over each window count the inner
# packets. Prints each repetition and the medians.
#
# A sample is fragmentation's when ip_do_fragment is on its stack below
# (nearer the leaf than) any transmit or receive frame (ip_finish_output2,
# __dev_queue_xmit, net_rx_action, __netif_receive_skb*): the fragments'
# allocation, header copies and data copies, not their transmission,
# which the model charges as the outer steps' second pass. A sample is
# reassembly's when ip_defrag is on its stack. Prints cycles per
# fragmented packet for each, and CPU 0's busy cycles (idle samples left
# out) per inner packet.
#
#   calibration/frag/frag-cost.sh                      # MTU 1500, fragmenting
#   MTU=9000 calibration/frag/frag-cost.sh             # jumbo frames
#   FRAG=0 MTU=9000 calibration/frag/frag-cost.sh      # the same, not fragmenting
#   DUR=10 REPS=9 RATE=2G GHZ=2.6 calibration/frag/frag-cost.sh
#
# Everything it creates is named cnifrag-* and removed on exit, error and
# signal.
set -eu
DUR=${DUR:-5}
MTU=${MTU:-1500}
FRAG=${FRAG:-1}
RATE=${RATE:-1G}
REPS=${REPS:-7}
case $FRAG in 0 | 1) ;; *)
	echo "frag-cost.sh: FRAG=$FRAG (allowed: 0, 1)" >&2
	exit 2
	;;
esac
case $REPS in *[!0-9]* | "" | 0) echo "frag-cost.sh: REPS=$REPS (allowed: 1..)" >&2; exit 2 ;; esac
case $DUR in *[!0-9]* | "" | 0) echo "frag-cost.sh: DUR=$DUR (allowed: whole seconds, 1..)" >&2; exit 2 ;; esac
case $MTU in *[!0-9]* | "") echo "frag-cost.sh: MTU=$MTU (allowed: 1280..9000)" >&2; exit 2 ;; esac
if [ "$MTU" -lt 1280 ] || [ "$MTU" -gt 9000 ]; then
	echo "frag-cost.sh: MTU=$MTU (allowed: 1280..9000)" >&2
	exit 2
fi
SCRIPT=frag-cost.sh P=cnifrag NET=10.79.0
. "$(dirname "$0")/../veth-pair.sh"
tmtu=$MTU
[ "$FRAG" = 1 ] || tmtu=$((MTU - 50))
ip -n $A link set cnifrag-va mtu "$MTU"
ip -n $B link set cnifrag-vb mtu "$MTU"
for side in "$A 10.79.0.1 10.79.0.2 10.80.0.1" "$B 10.79.0.2 10.79.0.1 10.80.0.2"; do
	set -- $side
	ip -n "$1" link add cnifrag-t type vxlan id 42 local "$2" remote "$3" dstport 4789
	ip -n "$1" link set cnifrag-t mtu "$tmtu"
	ip -n "$1" addr add "$4/24" dev cnifrag-t
	ip -n "$1" link set cnifrag-t up
	ip netns exec "$1" ethtool -K cnifrag-t tso off gso off gro off >/dev/null 2>&1 || true
done
ip netns exec $A ethtool -K cnifrag-va tso off gso off >/dev/null
# the inner route's MTU locked: VXLAN's path-MTU check
# (skb_tunnel_check_pmtu) would otherwise lower it to the tunnel's room
# and TCP would send smaller segments instead of being fragmented
ip -n $A route replace 10.80.0.0/24 dev cnifrag-t mtu lock "$tmtu"
ip -n $B route replace 10.80.0.0/24 dev cnifrag-t mtu lock "$tmtu"
ip netns exec $B ethtool -K cnifrag-vb gro off >/dev/null
tx() { ip netns exec $A cat /sys/class/net/cnifrag-t/statistics/tx_packets; }
frames() { ip netns exec $A cat /sys/class/net/cnifrag-va/statistics/tx_packets; }
rep=1
while [ "$rep" -le "$REPS" ]; do
	ip netns exec $B taskset -c 1 iperf3 -s -1 >/dev/null 2>&1 &
	sleep 0.5
	ip netns exec $A taskset -c 0 iperf3 -c 10.80.0.2 -b "$RATE" -t $((DUR + 2)) >/dev/null &
	client=$!
	sleep 1
	tx0=$(tx) f0=$(frames)
	# in the background, so that a signal's trap runs at once
	perf record -q -g -e cpu-clock -F 10000 -C 0 -o "$dir/perf.data" -- sleep "$DUR" 2>/dev/null &
	perfpid=$!
	wait $perfpid
	perfpid=""
	tx1=$(tx) f1=$(frames)
	wait $client
	perf script -i "$dir/perf.data" -F ip,sym 2>/dev/null |
		awk -v pkts=$((tx1 - tx0)) -v frames=$((f1 - f0)) -v ghz="$GHZ" -v rep="$rep" '
		function flush() {
			if (!n) return
			if (!idle) {
				busy++
				if (state == "frag") fr++
				if (defrag) df++
			}
			n = 0; state = ""; defrag = 0; idle = 0
		}
		NF == 0 { flush(); next }
		{
			n++
			s = $2
			sub(/\+0x[0-9a-f]+$/, "", s)
			if (n == 1 && s ~ /(safe_halt|default_idle|cpu_idle|do_idle|poll_idle|mwait_idle)/) idle = 1
			if (s == "ip_defrag") defrag = 1
			if (state == "") {
				if (s == "ip_do_fragment") state = "frag"
				else if (s == "ip_finish_output2" || s == "__dev_queue_xmit" || s == "net_rx_action" || s ~ /^__netif_receive_skb/) state = "other"
			}
		}
		END {
			flush()
			k = ghz * 1e9 / 10000 # cycles per sample
			printf "rep %d: %d inner packets, %.3f frames each: busy %.1f, fragmentation %.1f, reassembly %.1f cycles per inner packet\n", rep, pkts, frames / pkts, busy * k / pkts, fr * k / pkts, df * k / pkts
		}' | tee -a "$dir/reps"
	rep=$((rep + 1))
done
awk -v mtu="$MTU" -v tmtu="$tmtu" -v dur="$DUR" -v ghz="$GHZ" '
	function median(a, n,   i, j, t) {
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
	}
	{ n++; b[n] = $10 + 0; f[n] = $12 + 0; r[n] = $14 + 0 }
	END {
		printf "underlay MTU %d, tunnel MTU %d, %d reps of %s s at %s GHz, medians: busy %.0f, fragmentation %.0f, reassembly %.0f cycles per inner packet\n", mtu, tmtu, n, dur, ghz, median(b, n), median(f, n), median(r, n)
	}' "$dir/reps"
