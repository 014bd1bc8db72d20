#!/bin/bash
# The round-trip time a pod's bulk TCP stream builds in its node's egress
# queue, and what a request-response flow beside it waits (root; iperf3,
# tc, ss, ethtool, python3). Three namespaces in a line: a pod (sender),
# its node (routing, as Calico's or Flannel host-gw's nodes do) and a
# receiver, joined by veth pairs with TSO, GSO and GRO off (one skb per
# segment, the model's per-packet regime). The node's egress toward the
# receiver is the bottleneck "NIC": a tbf at RATE Mbit/s (a bucket of
# BURST bytes, ten 1,514-byte frames by default) whose queue is a pfifo of
# LIMIT packets, Linux's txqueuelen-style FIFO. One iperf3 CUBIC stream runs DURATION seconds
# and a 1-byte TCP request-response probe (back to back, TCP_NODELAY) runs
# beside it from the same pod to the same receiver; from WARM seconds on,
# every half second, the script samples the stream's smoothed RTT (ss) and
# the node queue's backlog (tc), and the probe records every transaction.
# It prints the idle probe RTT (before the stream), the medians under load
# and the stream's throughput, one line each, for `cnisim run
# calibration/tsq/rtt-under-load.toml` to be compared with (README
# "Limits of the model").
# With UDP=MBPS the pod sends an iperf3 UDP stream of 1,472-byte datagrams
# at MBPS instead (no probe), and the script prints the rates sent and
# received, the datagrams lost and the node queue's drops: a pod's UDP
# socket, orphaned as its TCP ones, is not held back by its node's queue.
# With PCAP=FILE (tcpdump) the pod's interface is captured for the
# whole run into FILE (headers only), for `cnisim pcap compare FILE` with a
# simulated capture of the same line (README "Packet captures").
# Everything it makes is named cn41* and removed on exit, error or signal.
#
#   calibration/tsq/rtt-under-load.sh
#   RATE=50 LIMIT=300 calibration/tsq/rtt-under-load.sh
#   RATE=50 LIMIT=300 UDP=100 calibration/tsq/rtt-under-load.sh
#   PCAP=/tmp/pod.pcap RATE=50 LIMIT=300 calibration/tsq/rtt-under-load.sh
set -eu
PCAP=${PCAP:-}
RATE=${RATE:-100}
LIMIT=${LIMIT:-1000}
BURST=${BURST:-15140}
UDP=${UDP:-0}
DURATION=${DURATION:-12}
WARM=${WARM:-4}
for v in RATE LIMIT BURST UDP DURATION WARM; do
	case ${!v} in '' | *[!0-9]*) echo "rtt-under-load.sh: $v=${!v}: want a whole number" >&2; exit 2 ;; esac
done
[ "$WARM" -lt "$DURATION" ] || { echo "rtt-under-load.sh: WARM=$WARM must be below DURATION=$DURATION" >&2; exit 2; }
. "$(dirname "$0")/line.sh"
tmp=$(mktemp -d) # the probe's, iperf3's and the samples' files
cleanup() {
	line_cleanup cn41
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
line_cleanup cn41 # a killed run's
line_build cn41
line_route cn41 41
tc -n cn41b qdisc add dev cn41bc root handle 1: tbf rate "${RATE}mbit" burst "$BURST" limit 100000000
tc -n cn41b qdisc replace dev cn41bc parent 1:1 handle 10: pfifo limit "$LIMIT"

ip netns exec cn41c iperf3 -s -1 -D >/dev/null 2>&1
# save_pcap stops the capture (once the stream is done) and keeps it.
save_pcap() {
	[ -n "$PCAP" ] || return 0
	sleep 0.2
	kill -INT "$dump"
	wait "$dump" 2>/dev/null || true
	cp "$tmp/pcap" "$PCAP"
}
if [ -n "$PCAP" ]; then # stopped by save_pcap, or by the clean-up's kill of cn41a's processes
	ip netns exec cn41a tcpdump -i cn41ab -s 128 -w "$tmp/pcap" -U 2>/dev/null &
	dump=$!
	sleep 0.5 # tcpdump's socket open before the first packet
fi
if [ "$UDP" -gt 0 ]; then # a UDP stream instead: what its socket's buffer lets through
	sleep 0.3
	ip netns exec cn41a iperf3 -c 10.41.2.2 -u -b "${UDP}M" -l 1472 -t "$DURATION" -J > "$tmp/iperf"
	drops=$(tc -n cn41b -s qdisc show dev cn41bc | awk '/^qdisc pfifo/ { p = 1 } p && /dropped/ { sub(",", "", $7); print $7; exit }')
	echo "rtt-under-load: kernel $(uname -r), tbf ${RATE} Mbit/s (bucket ${BURST} bytes), pfifo limit ${LIMIT} packets, ${DURATION} s, UDP at ${UDP} Mbit/s (1,472-byte datagrams)"
	python3 -c 'import json, sys; e = json.load(open(sys.argv[1]))["end"]; s = e["sum"]
print("udp: sent %.1f Mbit/s, received %.1f Mbit/s, %d of %d datagrams lost (%.1f%%), %s dropped by the node queue" % (
    e["sum_sent"]["bits_per_second"] / 1e6, e["sum_received"]["bits_per_second"] / 1e6, s["lost_packets"], s["packets"], s["lost_percent"], sys.argv[2]))' "$tmp/iperf" "$drops"
	save_pcap
	exit 0
fi
ip netns exec cn41c python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.41.2.2", 5301)); s.listen(1)
c, _ = s.accept(); c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
while True:
    b = c.recv(1)
    if not b: break
    c.sendall(b)
' &
sleep 0.5
# the probe: idle transactions for a second, then through the stream
ip netns exec cn41a python3 -c '
import socket, statistics, sys, time
duration, warm = float(sys.argv[1]), float(sys.argv[2])
c = socket.create_connection(("10.41.2.2", 5301)); c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
def rr():
    t = time.monotonic(); c.sendall(b"x"); c.recv(1); return time.monotonic() - t
idle = [rr() for _ in range(200)]
open(sys.argv[3], "w").close()
start = time.monotonic(); loaded = []
while time.monotonic() - start < duration - 0.5:
    r = rr()
    if time.monotonic() - start >= warm: loaded.append(r)
q = statistics.quantiles(loaded, n=100)
print("probe: idle median %.1f us; under load median %.2f ms, p10 %.2f, p90 %.2f, %d transactions" % (
    statistics.median(idle) * 1e6, statistics.median(loaded) * 1e3, q[9] * 1e3, q[89] * 1e3, len(loaded)))
' "$DURATION" "$WARM" "$tmp/go" > "$tmp/probe" &
probe=$!
while [ ! -e "$tmp/go" ]; do sleep 0.05; done
ip netns exec cn41a iperf3 -c 10.41.2.2 -t "$DURATION" -C cubic -J > "$tmp/iperf" &
iperf=$!
sleep "$WARM"
: > "$tmp/samples"
end=$((SECONDS + DURATION - WARM - 1))
while [ $SECONDS -lt $end ]; do
	# the stream's socket: the one to port 5201 with the most bytes acked
	srtt=$(ip netns exec cn41a ss -tin '( dport = :5201 )' | awk '
		/rtt:/ { r = ""; a = 0; for (i = 1; i <= NF; i++) { if ($i ~ /^rtt:/) { split(substr($i, 5), x, "/"); r = x[1] } if ($i ~ /^bytes_acked:/) a = substr($i, 13) + 0 }
			if (a >= best) { best = a; rtt = r } }
		END { print rtt }')
	q=$(tc -n cn41b -s qdisc show dev cn41bc | awk '/^qdisc pfifo/ { p = 1 } p && /backlog/ { sub("p", "", $3); print $3; exit }')
	echo "$srtt $q" >> "$tmp/samples"
	sleep 0.5
done
wait "$probe"
if [ -n "$PCAP" ]; then
	wait "$iperf"
	save_pcap
fi
wait
mbps=$(python3 -c 'import json, sys; e = json.load(open(sys.argv[1]))["end"]; print("%.1f Mbit/s received, %d retransmissions" % (e["sum_received"]["bits_per_second"] / 1e6, e["sum_sent"]["retransmits"]))' "$tmp/iperf")
echo "rtt-under-load: kernel $(uname -r), tbf ${RATE} Mbit/s (bucket ${BURST} bytes), pfifo limit ${LIMIT} packets, ${DURATION} s, samples from ${WARM} s"
cat "$tmp/probe"
python3 - "$tmp/samples" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if len(l.split()) == 2]
srtt = [float(r[0]) for r in rows]; q = [int(r[1]) for r in rows]
print("stream: srtt median %.2f ms (%.2f-%.2f), node queue median %d packets (%d-%d), %d samples" % (
    statistics.median(srtt), min(srtt), max(srtt), statistics.median(q), min(q), max(q), len(rows)))
EOF
echo "stream: ${mbps}"
