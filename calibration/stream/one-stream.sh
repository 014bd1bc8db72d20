#!/bin/sh
# How fast one unpaced TCP stream goes between two pods on one node of this
# machine's kernel, the sender and the receiver each on a CPU of its own
# (root; iperf3): the held-out check of the model's stream on two cores
# (one-stream.toml beside this script). Two pod namespaces, each joined by
# a veth pair to a node namespace that routes between them (/32 addresses
# and host routes, as Calico's native routing does); iperf3 sends from pod
# A, pinned to CPU 0, to pod B's server, pinned to CPU 1, for DUR seconds,
# REPS times; pod B's rx_bytes over each window give the rate. The veths
# keep their offloads (TSO and GSO: super-packets cross them whole) unless
# OFFLOADS=0 turns TSO and GSO off on all four, so every packet is
# MTU-sized. CPUS=1 pins the server to CPU 0 as well, so one CPU runs
# everything (the regime the testbed's profile was calibrated in, here with
# the offloads it was not). Prints each repetition and the median, Gbit/s
# of IP bytes.
#
#   calibration/stream/one-stream.sh
#   OFFLOADS=0 DUR=5 REPS=5 calibration/stream/one-stream.sh
#   CPUS=1 calibration/stream/one-stream.sh
#
# Everything it creates is named cnistr-* and removed on exit, error and
# signal.
set -eu
DUR=${DUR:-5}
REPS=${REPS:-5}
OFFLOADS=${OFFLOADS:-1}
CPUS=${CPUS:-2}
case $DUR in *[!0-9]* | "" | 0) echo "one-stream.sh: DUR=$DUR (allowed: whole seconds, 1..)" >&2; exit 2 ;; esac
case $REPS in *[!0-9]* | "" | 0) echo "one-stream.sh: REPS=$REPS (allowed: 1..)" >&2; exit 2 ;; esac
case $OFFLOADS in 0 | 1) ;; *) echo "one-stream.sh: OFFLOADS=$OFFLOADS (allowed: 0, 1)" >&2; exit 2 ;; esac
case $CPUS in 1 | 2) ;; *) echo "one-stream.sh: CPUS=$CPUS (allowed: 1, 2)" >&2; exit 2 ;; esac
for t in iperf3 ethtool; do
	command -v $t >/dev/null || { echo "one-stream.sh: needs $t (apt-get install iperf3 ethtool)" >&2; exit 2; }
done
P=cnistr NET=10.84.0
. "$(dirname "$0")/../routed-pods.sh"
if [ "$OFFLOADS" = 0 ]; then
	for side in "$A eth0" "$B eth0" "$H $P-va" "$H $P-vb"; do
		set -- $side
		ip netns exec $1 ethtool -K $2 tso off gso off >/dev/null
	done
fi
rxbytes() { ip netns exec $B cat /sys/class/net/eth0/statistics/rx_bytes; }
rep=1
reps=$(mktemp)
cleanfiles=$reps
while [ "$rep" -le "$REPS" ]; do
	ip netns exec $B taskset -c $((CPUS - 1)) iperf3 -s -1 >/dev/null 2>&1 &
	sleep 0.5
	ip netns exec $A taskset -c 0 iperf3 -c 10.84.0.3 -t $((DUR + 2)) >/dev/null 2>&1 &
	client=$!
	sleep 1
	b0=$(rxbytes)
	sleep "$DUR"
	b1=$(rxbytes)
	wait $client || true
	awk -v b=$((b1 - b0)) -v dur="$DUR" -v rep="$rep" 'BEGIN { printf "rep %d: %.2f Gbit/s\n", rep, b * 8 / dur / 1e9 }' | tee -a "$reps"
	rep=$((rep + 1))
done
awk -v off="$OFFLOADS" -v cpus="$CPUS" '
	{ n++; g[n] = $3 + 0 }
	END {
		for (i = 2; i <= n; i++) for (j = i; j > 1 && g[j-1] > g[j]; j--) { t = g[j]; g[j] = g[j-1]; g[j-1] = t }
		printf "one stream, offloads %s, %d CPU%s, %d reps: median %.2f Gbit/s (%.2f-%.2f)\n", off ? "on" : "off", cpus, (cpus > 1 ? "s" : ""), n, n % 2 ? g[(n+1)/2] : (g[n/2] + g[n/2+1]) / 2, g[1], g[n]
	}' "$reps"
