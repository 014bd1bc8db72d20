#!/bin/sh
# Where a perf capture's CPU time goes by context, per CPU: samples under
# tcp_sendmsg (the sender and every softirq it runs on its way out: with
# veth the whole path to the receiving socket), under tcp_recvmsg (the
# reader: its copy to user space, the softirq it runs sending its ACKs, the
# rest), softirq outside both, idle, and everything else (scheduling,
# syscall entry, the traffic generator's user space), with the cycles per
# data packet each stands for. It reads the call-graph perf script the
# testbed keeps (testbed/testdata/run9/NAME.script.gz, cpu-clock samples);
# PACKETS is the data packets of the window (measurements.json
# data_packets), PERIOD_NS the sample period (its period_ns), GHZ the
# clock.
#
#   calibration/stream/contexts.sh testbed/testdata/run9/routed.script.gz 104104 250000 2.6
set -eu
[ $# -eq 4 ] || { echo "usage: calibration/stream/contexts.sh SCRIPT.gz PACKETS PERIOD_NS GHZ" >&2; exit 2; }
script=$1 packets=$2 period=$3 ghz=$4
[ -r "$script" ] || { echo "contexts.sh: $script: not readable" >&2; exit 2; }
for v in "PACKETS=$packets" "PERIOD_NS=$period"; do
	case ${v#*=} in *[!0-9]* | "" | 0) echo "contexts.sh: $v (allowed: a whole number, 1..)" >&2; exit 2 ;; esac
done
awk -v g="$ghz" 'BEGIN { exit !(g + 0 > 0 && g + 0 < 100) }' || { echo "contexts.sh: GHZ=$ghz (allowed: 0..100)" >&2; exit 2; }
gzip -cdf "$script" | awk -v pk="$packets" -v per="$period" -v ghz="$ghz" '
function flush() {
	if (!started) return
	if (idle) c = "idle"
	else if (s) c = "sendmsg"
	else if (r) c = sq ? "recvmsg softirq" : (cp ? "recvmsg copy" : "recvmsg other")
	else if (sq) c = "softirq"
	else c = "other"
	n[cpu "\t" c]++
}
/cpu-clock:/ {
	flush(); started = 1
	match($0, /\[[0-9]+\]/); cpu = substr($0, RSTART + 1, RLENGTH - 2) + 0
	idle = s = r = sq = cp = 0
	next
}
NF >= 2 {
	f = $2
	sub(/\+0x[0-9a-f]+$/, "", f) # perf script prints offsets unless told not to
	if (f ~ /pv_native_safe_halt|default_idle/) idle = 1
	if (f ~ /^tcp_sendmsg/) s = 1
	if (f ~ /^tcp_recvmsg/) r = 1
	if (f == "net_rx_action" || f == "handle_softirqs" || f == "__do_softirq") sq = 1
	if (f ~ /^(skb_copy_datagram_iter|__skb_datagram_iter|_copy_to_iter)$/ && !sq) cp = 1
}
END {
	flush()
	printf "cpu\tcontext\tsamples\tcycles per data packet\n"
	for (k in n) printf "%s\t%d\t%.0f\n", k, n[k], n[k] * per * ghz / pk | "sort -n"
}'
