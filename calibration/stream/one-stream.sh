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
# of the Ethernet frames pod B received (rx_bytes: each packet's IP bytes
# and 14 header bytes).
#
#   calibration/stream/one-stream.sh
#   OFFLOADS=0 DUR=5 REPS=5 calibration/stream/one-stream.sh
#   CPUS=1 calibration/stream/one-stream.sh
#   MTU=9000 OFFLOADS=0 CPUS=1 calibration/stream/one-stream.sh   # the four veth ends' MTU
#   PERF=OUTDIR CPUS=1 OFFLOADS=0 REPS=1 calibration/stream/one-stream.sh
#
# PERF=OUTDIR also records each window with perf (cpu-clock call graphs,
# one sample per 250 us, on the CPUs used) and counts the window's data
# packets and ACKs (pod B's eth0), the applications' read and write calls
# and the wake-ups on those CPUs (perf stat: syscalls and sched_wakeup
# tracepoints), writing OUTDIR/repN.script.gz and printing the
# `cnisim calibrate perf` command that prices the path from them.
#
# Everything it creates is named cnistr-* and removed on exit, error and
# signal.
set -eu
DUR=${DUR:-5}
REPS=${REPS:-5}
OFFLOADS=${OFFLOADS:-1}
CPUS=${CPUS:-2}
MTU=${MTU:-1500}
PERF=${PERF:-}
case $DUR in *[!0-9]* | "" | 0) echo "one-stream.sh: DUR=$DUR (allowed: whole seconds, 1..)" >&2; exit 2 ;; esac
case $REPS in *[!0-9]* | "" | 0) echo "one-stream.sh: REPS=$REPS (allowed: 1..)" >&2; exit 2 ;; esac
case $OFFLOADS in 0 | 1) ;; *) echo "one-stream.sh: OFFLOADS=$OFFLOADS (allowed: 0, 1)" >&2; exit 2 ;; esac
case $CPUS in 1 | 2) ;; *) echo "one-stream.sh: CPUS=$CPUS (allowed: 1, 2)" >&2; exit 2 ;; esac
case $MTU in *[!0-9]* | "") echo "one-stream.sh: MTU=$MTU (allowed: 576..65535)" >&2; exit 2 ;; esac
[ "$MTU" -ge 576 ] && [ "$MTU" -le 65535 ] || { echo "one-stream.sh: MTU=$MTU (allowed: 576..65535)" >&2; exit 2; }
if [ -n "$PERF" ]; then
	mkdir -p "$PERF" || { echo "one-stream.sh: PERF=$PERF: cannot create the directory" >&2; exit 2; }
	command -v perf >/dev/null || { echo "one-stream.sh: PERF needs perf (apt-get install linux-perf)" >&2; exit 2; }
fi
for t in iperf3 ethtool; do
	command -v $t >/dev/null || { echo "one-stream.sh: needs $t (apt-get install iperf3 ethtool)" >&2; exit 2; }
done
P=cnistr NET=10.84.0
. "$(dirname "$0")/../routed-pods.sh"
for side in "$A eth0" "$B eth0" "$H $P-va" "$H $P-vb"; do
	set -- $side
	ip -n $1 link set $2 mtu "$MTU"
done
if [ "$OFFLOADS" = 0 ]; then
	for side in "$A eth0" "$B eth0" "$H $P-va" "$H $P-vb"; do
		set -- $side
		ip netns exec $1 ethtool -K $2 tso off gso off >/dev/null
	done
fi
counter() { ip netns exec $B cat /sys/class/net/eth0/statistics/$1; }
cpus=0
[ "$CPUS" = 1 ] || cpus=0,1
# a process's context switches, all its threads (iperf3 reads in a thread
# of its own): each ends one turn on the CPU, a sleep (voluntary) or the
# scheduler handing the CPU to the sender (nonvoluntary)
switches() { cat /proc/$1/task/*/status | awk '/ctxt_switches/ { n += $2 } END { print n + 0 }'; }
rep=1
reps=$(mktemp)
cleanfiles=$reps
while [ "$rep" -le "$REPS" ]; do
	ip netns exec $B taskset -c $((CPUS - 1)) iperf3 -s -1 >/dev/null 2>&1 &
	sleep 0.5
	ip netns exec $A taskset -c 0 iperf3 -c 10.84.0.3 -t $((DUR + 2)) >/dev/null 2>&1 &
	client=$!
	sleep 1
	if [ -n "$PERF" ]; then
		perf record -q -e cpu-clock -c 250000 -g -C $cpus -o "$PERF/perf.data" -- sleep "$DUR" >/dev/null 2>&1 &
		rec=$!
		perf stat -x, -C $cpus -o "$PERF/stat" -e syscalls:sys_enter_write,syscalls:sys_enter_read,sched:sched_wakeup -- sleep "$DUR" >/dev/null 2>&1 &
		st=$!
		p0=$(counter rx_packets) a0=$(counter tx_packets)
		server=$(for pid in $(ip netns pids $B); do [ "$(cat /proc/$pid/comm 2>/dev/null)" = iperf3 ] && echo $pid; done | tail -n 1)
		w0=$(switches $server)
	fi
	b0=$(counter rx_bytes)
	sleep "$DUR"
	b1=$(counter rx_bytes)
	if [ -n "$PERF" ]; then
		p1=$(counter rx_packets) a1=$(counter tx_packets)
		w1=$(switches $server)
		wait $rec $st || true
	fi
	wait $client || true
	if [ -n "$PERF" ]; then
		perf script -i "$PERF/perf.data" 2>/dev/null | gzip > "$PERF/rep$rep.script.gz"
		rm -f "$PERF/perf.data"
		ev() { awk -F, -v e="$1" '$3 == e { print $1 + 0 }' "$PERF/stat"; }
		# payload: pod B's eth0 counts Ethernet frames, 14 + 52 header bytes a packet (timestamps on)
		echo "rep $rep: $((p1 - p0)) data packets, $((a1 - a0)) ACKs, $(ev syscalls:sys_enter_write) writes, $(ev syscalls:sys_enter_read) reads, $(ev sched:sched_wakeup) wake-ups on CPU $cpus, the reader's turns on the CPU $((w1 - w0)) ($(awk -v d="$DUR" -v w=$((w1 - w0)) 'BEGIN { printf "%.0f", (w > 0 ? d * 1e6 / w : 0) }') us apart)"
		echo "  cnisim calibrate perf --script $PERF/rep$rep.script.gz --cpus $cpus --comm iperf3,'ksoftirqd/*' --packets $((p1 - p0)) --acks $((a1 - a0)) --bytes $((b1 - b0 - 66 * (p1 - p0))) --writes $(ev syscalls:sys_enter_write) --reads $(ev syscalls:sys_enter_read) --wakeups $(ev sched:sched_wakeup) --cpu-ghz GHZ --plugin calico --mode native --placement intra"
	fi
	awk -v b=$((b1 - b0)) -v dur="$DUR" -v rep="$rep" 'BEGIN { printf "rep %d: %.2f Gbit/s\n", rep, b * 8 / dur / 1e9 }' | tee -a "$reps"
	rep=$((rep + 1))
done
awk -v off="$OFFLOADS" -v cpus="$CPUS" '
	{ n++; g[n] = $3 + 0 }
	END {
		for (i = 2; i <= n; i++) for (j = i; j > 1 && g[j-1] > g[j]; j--) { t = g[j]; g[j] = g[j-1]; g[j-1] = t }
		printf "one stream, offloads %s, %d CPU%s, %d reps: median %.2f Gbit/s (%.2f-%.2f)\n", off ? "on" : "off", cpus, (cpus > 1 ? "s" : ""), n, n % 2 ? g[(n+1)/2] : (g[n/2] + g[n/2+1]) / 2, g[1], g[n]
	}' "$reps"
