#!/bin/sh
# cnisim's fq_codel (cluster.qdisc = "fq_codel") against ns-3's
# FqCoDelQueueDisc, a port of Linux's sch_fq_codel, on the same line: an
# unresponsive UDP flow of RATE Mbit/s (120) into a 100 Mbit/s link for
# SECONDS_SIM (3). CoDel
# drops once the packets have waited 5 ms for 100 ms, then ever faster
# (interval / sqrt(count), by the kernel's fixed-point Newton steps); the
# two simulators must drop the same packets at the same times but for the
# one packet ns-3's device queue holds below its qdisc (a 1-packet
# DropTail, so that the qdisc holds the backlog). This VM's kernel has no
# fq_codel; this is the check of the model's fq_codel against another
# implementation of Linux's, not against Linux.
#
#   calibration/fqcodel/compare.sh            # installs libns3-dev if missing (Debian, ns-3 3.37)
#   SECONDS_SIM=10 RATE=105 calibration/fqcodel/compare.sh
set -eu
cd "$(dirname "$0")/../.."
secs=${SECONDS_SIM:-3}
rate=${RATE:-120}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
if ! pkg-config --exists ns3-core 2>/dev/null; then
	echo "installing libns3-dev libgsl-dev pkg-config" >&2
	sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq libns3-dev libgsl-dev pkg-config >/dev/null
fi
g++ -O2 -std=c++17 -o "$out/ns3-fqcodel" calibration/fqcodel/ns3-fqcodel.cc \
	$(pkg-config --cflags --libs ns3-core ns3-network ns3-internet ns3-point-to-point ns3-applications ns3-traffic-control)
"$out/ns3-fqcodel" --seconds="$secs" --rate="$rate" > "$out/ns3.txt"
go run ./cmd/cnisim run calibration/fqcodel/udp-overload.toml --set duration="${secs}s" --set workload.rate_mbps="$rate" -f table > "$out/cnisim.txt"
ns3=$(awk '$1 == "ns3_drops" {print $2}' "$out/ns3.txt")
first=$(awk '$1 == "ns3_drop_ms" {print $2; exit}' "$out/ns3.txt")
rx=$(awk '$1 == "ns3_received_bytes" {printf "%.2f", $2 * 8 / '"$secs"' / 1e6}' "$out/ns3.txt")
sim=$(awk '$1 == "drops_by_place.nic_queue" {print $2}' "$out/cnisim.txt")
thr=$(awk '$1 == "throughput_mbps" {print $2}' "$out/cnisim.txt")
echo "fq_codel, UDP at $rate Mbit/s into 100 Mbit/s, ${secs} s: drops ns-3 $ns3 (the first at $first ms), cnisim $sim; received ns-3 $rx Mbit/s, cnisim $thr"
awk -v a="$ns3" -v b="$sim" 'BEGIN { d = b - a; if (d < 0) d = -d; if (a == 0 || d > 0.02 * a) { print "compare.sh: the drop counts differ by more than 2%"; exit 1 } }'
