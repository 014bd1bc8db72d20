#!/bin/sh
# Side by side: the same TCP bulk transfer (10 Gbit/s, 50 us, MTU 1500,
# 100-packet queue, PPP framing, CUBIC, delayed ACKs, 10 s) in ns-3 3.37
# (bench/ns3-bulk.cc), in htsim's point-to-point TCP probe
# (../shared/peers/htsim/main_p2p_tcp.cpp: same link, delay, MTU and
# queue; htsim's TCP has no delayed ACKs and counts the MTU as its segment)
# and in cnisim (bench/bulk.toml), one after the other on this machine.
# Prints wall and CPU times, simulated packets per wall second and per CPU
# second, goodputs and the speed ratios. Not part of go test.
#
#   bench/run.sh                 # from the repository root
#   SECONDS_SIM=1 bench/run.sh   # a shorter run of all
#   NS3=0 bench/run.sh           # htsim and cnisim only (ns-3 takes minutes)
set -eu
cd "$(dirname "$0")/.."
out=${OUT:-${TMPDIR:-/tmp}/cnisim-bench}
secs=${SECONDS_SIM:-10}
ns3=${NS3:-1}
hsrc=${HTSIM_SRC:-$(pwd)/../shared/peers/htsim}
hroot=${HTSIM_ROOT:-$out/htsim}
mkdir -p "$out"

# ns-3 3.37 from Debian/Ubuntu (libns3-dev), with GSL and pkg-config.
if [ "$ns3" = 1 ] && ! pkg-config --exists ns3-core 2>/dev/null; then
	echo "installing libns3-dev libgsl-dev pkg-config" >&2
	sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq libns3-dev libgsl-dev pkg-config >/dev/null
fi
if [ "$ns3" = 1 ]; then
	echo "building ns-3 program ($(pkg-config --modversion ns3-core))" >&2
	g++ -O2 -std=c++17 -o "$out/ns3-bulk" bench/ns3-bulk.cc \
		$(pkg-config --cflags --libs ns3-core ns3-network ns3-internet ns3-point-to-point ns3-applications)
fi
if [ ! -x "$hroot/sim/tests/htsim_p2p_tcp" ]; then
	echo "building htsim in $hroot" >&2
	"$hsrc/build.sh" "$hroot" >"$out/htsim-build.log" 2>&1
fi

# go build applies cmd/cnisim/default.pgo (the harness links to it): PGO
echo "building cnisim and the harness" >&2
go build -o "$out/cnisim" ./cmd/cnisim
go build -o "$out/harness" ./bench/harness

if [ "$ns3" = 1 ]; then
	echo "running ns-3 ($secs s simulated)" >&2
	/usr/bin/time -f "%U %S" -o "$out/ns3.time" "$out/ns3-bulk" --seconds="$secs" > "$out/ns3.txt"
else
	echo "ns3_wall_s=0 ns3_packets=0 ns3_goodput_mbps=0" | tr ' ' '\n' > "$out/ns3.txt"
	echo "0 0" > "$out/ns3.time"
fi
echo "running htsim ($secs s simulated)" >&2
/usr/bin/time -f "%e %U %S" -o "$out/htsim.time" "$hroot/sim/tests/htsim_p2p_tcp" \
	-simtime "$secs" -gbps 10 -delay_us 50 -mtu 1500 -qpkts 100 > "$out/htsim.txt"
echo "running cnisim ($secs s simulated)" >&2
"$out/harness" -q -count 3 --set duration="${secs}s" bench/bulk.toml > "$out/cnisim.txt"
/usr/bin/time -f "%e %U %S" -o "$out/cli.time" "$out/cnisim" run bench/bulk.toml --set duration="${secs}s" > "$out/cli.txt"

kv() { tr ' ' '\n' < "$1" | sed -n "s/^$2=//p" | head -1; }
n_wall=$(sed -n 's/^ns3_wall_s=//p' "$out/ns3.txt")
n_pkts=$(sed -n 's/^ns3_packets=//p' "$out/ns3.txt")
n_gp=$(sed -n 's/^ns3_goodput_mbps=//p' "$out/ns3.txt")
n_cpu=$(awk '{print $1+$2}' "$out/ns3.time")
c_wall=$(kv "$out/cnisim.txt" wall_s)
c_cpu=$(kv "$out/cnisim.txt" cpu_s)
c_pkts=$(kv "$out/cnisim.txt" packets)
c_segs=$(kv "$out/cnisim.txt" data_segs)
c_gp=$(kv "$out/cnisim.txt" goodput_mbps)
cli_wall=$(awk '{print $1}' "$out/cli.time")
js() { tr ',{}' '\n\n\n' < "$1" | sed -n "s/^\"$2\"://p" | head -1; }
h_wall=$(awk '{print $1}' "$out/htsim.time")
h_cpu=$(awk '{print $2+$3}' "$out/htsim.time")
h_pkts=$(js "$out/htsim.txt" packets)
h_data=$(js "$out/htsim.txt" data_pkts)
h_gp=$(js "$out/htsim.txt" goodput_mbps)
cli_gp=$(awk '$1=="throughput_mbps"{print $2}' "$out/cli.txt")

awk -v nw="$n_wall" -v nc="$n_cpu" -v np="$n_pkts" -v ng="$n_gp" \
	-v hw="$h_wall" -v hc="$h_cpu" -v hp="$h_pkts" -v hd="$h_data" -v hg="$h_gp" \
	-v cw="$c_wall" -v cc="$c_cpu" -v cp="$c_pkts" -v cs="$c_segs" -v cg="$c_gp" \
	-v lw="$cli_wall" -v lg="$cli_gp" -v secs="$secs" 'BEGIN {
	printf "%-22s %10s %10s %12s %14s %14s %14s\n", "simulator", "wall_s", "cpu_s", "packets", "pkts/wall_s", "pkts/cpu_s", "goodput_Mbps"
	if (nw > 0) printf "%-22s %10.3f %10.3f %12d %14.0f %14.0f %14.1f\n", "ns-3 3.37", nw, nc, np, np/nw, np/nc, ng
	printf "%-22s %10.3f %10.3f %12d %14.0f %14.0f %14.1f\n", "htsim (p2p probe)", hw, hc, hp, hp/hw, hp/hc, hg
	printf "%-22s %10.3f %10.3f %12d %14.0f %14.0f %14.1f\n", "cnisim (harness, med)", cw, cc, cp, cp/cw, cp/cc, cg
	printf "%-22s %10.3f %10s %12s %14s %14s\n", "cnisim run (CLI)", lw, "-", "-", "-", lg
	printf "cnisim data segments per wall second: %.2f M\n", cs/cw/1e6
	if (nw > 0) printf "speed ratio (ns-3 wall / cnisim wall): %.0fx   goodput difference: %+.2f%%\n", nw/cw, (cg-ng)/ng*100
	printf "htsim / cnisim, CPU time for the same simulated %s s: %.2fx; per data packet: %.2fx; per packet: %.2fx\n", secs, hc/cc, (hc/hd)/(cc/cs), (hc/hp)/(cc/cp)
}'
