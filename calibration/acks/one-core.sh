#!/bin/bash
# The ACKs a Linux receiver sends for a paced one-core TCP stream, by the
# reader's call size (root; go, ip, ss). Two namespaces joined by one veth
# pair, GSO at one segment (one skb per segment, the captures' regime);
# sender and receiver are the perf captures' own program (cnifx-sender,
# calibration/perf/testdata/perf/sender, built here), pinned with
# GOMAXPROCS=1 to CPU $CPU, so the softirqs run on it too: 64 KiB writes
# paced to RATE Mbit/s, read in calls of RBUF bytes. For each rate and
# read size it counts, over WINDOW seconds after a second of warm-up, the
# sender's data packets and the receiver's pure ACKs (the veths'
# tx_packets) and reads the receiver socket's buffer and round trip
# (ss -tmi), one line each, for `go test ./experiments/simulate -run
# AckReadSize -v` to compare with (README, the ACK policy). Everything it
# makes is named cn44* and removed on exit, error or signal.
#
#   calibration/acks/one-core.sh > calibration/acks/testdata/run1.txt
#   RATES="100" RBUFS="32768" REPS=5 calibration/acks/one-core.sh
set -eu
RATES=${RATES:-100 400}
RBUFS=${RBUFS:-16384 32768 65536}
REPS=${REPS:-2}
WINDOW=${WINDOW:-3}
CPU=${CPU:-1}
for v in $RATES $RBUFS $REPS $WINDOW $CPU; do
	case $v in '' | *[!0-9]*) echo "one-core.sh: $v: want whole numbers (RATES, RBUFS, REPS, WINDOW, CPU)" >&2; exit 2 ;; esac
done
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
cleanup() {
	pkill -f "$tmp/cnifx-sender" 2>/dev/null || true
	ip netns del cn44a 2>/dev/null || true
	ip netns del cn44b 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
cleanup
mkdir -p "$tmp"
(cd "$root" && go build -o "$tmp/cnifx-sender" ./calibration/perf/testdata/perf/sender)
ip netns add cn44a
ip netns add cn44b
ip link add cn44va type veth peer name cn44vb
ip link set cn44va netns cn44a
ip link set cn44vb netns cn44b
ip -n cn44a addr add 10.244.44.1/24 dev cn44va
ip -n cn44b addr add 10.244.44.2/24 dev cn44vb
for n in a b; do
	ip -n cn44$n link set lo up
	ip -n cn44$n link set cn44v$n up
	ip -n cn44$n link set dev cn44v$n gso_max_segs 1
done
stat() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/tx_packets"; }
echo "# calibration/acks/one-core.sh, $(date -u +%Y-%m-%dT%H:%M:%SZ), kernel $(uname -r), CPU $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), CPU $CPU, window ${WINDOW}s"
echo "# rate_mbps read_bytes data_packets acks acks_per_packet rcv_buf rcv_rtt_ms"
port=5000
for rate in $RATES; do
	for rbuf in $RBUFS; do
		for _ in $(seq "$REPS"); do
			port=$((port + 1))
			ip netns exec cn44b taskset -c "$CPU" env GOMAXPROCS=1 CNIFX_CC=cubic CNIFX_RBUF="$rbuf" "$tmp/cnifx-sender" server "10.244.44.2:$port" >/dev/null &
			server=$!
			sleep 0.3
			ip netns exec cn44a taskset -c "$CPU" env GOMAXPROCS=1 CNIFX_CC=cubic CNIFX_MBPS="$rate" "$tmp/cnifx-sender" client "10.244.44.2:$port" "$((WINDOW + 2))s" >/dev/null &
			client=$!
			sleep 1
			d0=$(stat cn44a cn44va) a0=$(stat cn44b cn44vb)
			sleep "$WINDOW"
			d1=$(stat cn44a cn44va) a1=$(stat cn44b cn44vb)
			ss=$(ip netns exec cn44b ss -tmiH state established "( sport = :$port )" | tr -s ' \t\n' ' ')
			rb=$(echo "$ss" | grep -o 'skmem:(r[0-9]*,rb[0-9]*' | sed 's/.*rb//')
			rtt=$(echo "$ss" | grep -o 'rcv_rtt:[0-9.]*' | cut -d: -f2)
			echo "$rate $rbuf $((d1 - d0)) $((a1 - a0)) $(awk -v a=$((a1 - a0)) -v d=$((d1 - d0)) 'BEGIN { printf "%.4f", a / d }') ${rb:-0} ${rtt:-0}"
			wait "$client" 2>/dev/null || true
			kill "$server" 2>/dev/null || true
			wait "$server" 2>/dev/null || true
		done
	done
done
