#!/bin/sh
# How fast an unpaced UDP sender goes through a routed pod path on this
# machine's kernel, and what each datagram costs its CPU (root; iperf3,
# perf): the held-out check of the model's UDP sender (udp-sender.toml
# beside this script). Two pod namespaces, each joined by a veth pair to a
# node namespace that routes between them (/32 addresses and host routes,
# as Calico's native routing does); iperf3 -u -b 0 sends LEN-byte datagrams
# (one write each) from pod A, pinned to CPU 0, to pod B's server, pinned
# to CPU 1, for DUR seconds, REPS times. The sender's CPU also runs the
# whole path's softirq (veth_xmit queues to the backlog of the CPU it runs
# on); the receiving application's copy runs on CPU 1. Pod A's tx_packets,
# pod B's rx_packets and its UDP receive-buffer errors over each window
# count the datagrams. With PERF=1, perf samples CPU 0 over the window
# (cpu-clock, 1 kHz; idle samples left out) for its busy share and cycles
# per datagram, at a cost: sampling moved the sender's rate by -20% to
# +60% in different runs on 2026-12-07 (iperf3's per-second rates), so the
# rates are measured without it. Prints each repetition and the medians.
#
#   calibration/udp/udp-sender.sh
#   DUR=5 REPS=5 LEN=512 calibration/udp/udp-sender.sh
#   PERF=1 GHZ=2.6 calibration/udp/udp-sender.sh   # and CPU 0's cycles per datagram
#
# Everything it creates is named cniudp-* and removed on exit, error and
# signal.
set -eu
DUR=${DUR:-5}
REPS=${REPS:-5}
LEN=${LEN:-1472}
PERF=${PERF:-0}
case $DUR in *[!0-9]* | "" | 0) echo "udp-sender.sh: DUR=$DUR (allowed: whole seconds, 1..)" >&2; exit 2 ;; esac
case $REPS in *[!0-9]* | "" | 0) echo "udp-sender.sh: REPS=$REPS (allowed: 1..)" >&2; exit 2 ;; esac
case $PERF in 0 | 1) ;; *) echo "udp-sender.sh: PERF=$PERF (allowed: 0, 1)" >&2; exit 2 ;; esac
case $LEN in *[!0-9]* | "") echo "udp-sender.sh: LEN=$LEN (allowed: 1..1472)" >&2; exit 2 ;; esac
if [ "$LEN" -lt 1 ] || [ "$LEN" -gt 1472 ]; then echo "udp-sender.sh: LEN=$LEN (allowed: 1..1472)" >&2; exit 2; fi
GHZ=${GHZ:-$(awk -F: '/^cpu MHz/ {printf "%.4f", $2/1000; exit}' /proc/cpuinfo)}
need="iperf3 nstat"
[ "$PERF" = 0 ] || need="$need perf"
for t in $need; do
	command -v $t >/dev/null || { echo "udp-sender.sh: needs $t (apt-get install iperf3 linux-perf iproute2)" >&2; exit 2; }
done
P=cniudp NET=10.83.0
. "$(dirname "$0")/../routed-pods.sh"
dir=$(mktemp -d)
cleanfiles=$dir
perfpid=""
trap '[ -z "$perfpid" ] || kill "$perfpid" 2>/dev/null || true; cleanup' EXIT
stat() { ip netns exec $1 cat /sys/class/net/eth0/statistics/$2; }
rcvbuf() { ip netns exec $B nstat -az UdpRcvbufErrors | awk '$1 == "UdpRcvbufErrors" { print $2 }'; }
rep=1
while [ "$rep" -le "$REPS" ]; do
	ip netns exec $B taskset -c 1 iperf3 -s -1 >/dev/null 2>&1 &
	sleep 0.5
	ip netns exec $A taskset -c 0 iperf3 -c 10.83.0.3 -u -b 0 -l "$LEN" -t $((DUR + 2)) >/dev/null 2>&1 &
	client=$!
	sleep 1
	tx0=$(stat $A tx_packets) rx0=$(stat $B rx_packets) e0=$(rcvbuf)
	if [ "$PERF" = 1 ]; then
		perf record -q -e cpu-clock -F 1000 -C 0 -o "$dir/perf.data" -- sleep "$DUR" 2>/dev/null &
		perfpid=$!
		wait $perfpid
		perfpid=""
	else
		sleep "$DUR"
	fi
	tx1=$(stat $A tx_packets) rx1=$(stat $B rx_packets) e1=$(rcvbuf)
	wait $client || true
	{ [ "$PERF" = 1 ] && perf script -i "$dir/perf.data" -F sym 2>/dev/null || true; } |
		awk -v sent=$((tx1 - tx0)) -v rx=$((rx1 - rx0)) -v drops=$((e1 - e0)) -v dur="$DUR" -v ghz="$GHZ" -v rep="$rep" '
		{ n++; if ($1 ~ /(safe_halt|default_idle|cpu_idle|do_idle|poll_idle|mwait_idle)/) idle++ }
		END {
			busy = n - idle
			printf "rep %d: sent %.0f delivered %.0f datagrams/s (%.0f receive-buffer drops/s)", rep, sent / dur, (rx - drops) / dur, drops / dur
			if (n) printf "; CPU 0 busy %.3f, %.1f cycles per datagram sent", busy / n, busy * ghz * 1e9 / 1000 / sent
			printf "\n"
		}' | tee -a "$dir/reps"
	rep=$((rep + 1))
done
awk -v len="$LEN" -v ghz="$GHZ" '
	function median(a, n,   i, j, t) {
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
	}
	{ n++; s[n] = $4 + 0; d[n] = $6 + 0; b[n] = $14 + 0; c[n] = $15 + 0 }
	END {
		printf "%d-byte datagrams, %d reps, medians: sent %.0f, delivered %.0f datagrams/s", len, n, median(s, n), median(d, n)
		if (c[1] > 0) printf "; CPU 0 busy %.3f, %.0f cycles per datagram sent at %s GHz", median(b, n), median(c, n), ghz
		printf "\n"
	}' "$dir/reps"
