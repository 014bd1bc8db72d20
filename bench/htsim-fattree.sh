#!/bin/sh
# Side by side at datacenter scale: htsim's own fat-tree permutation TCP
# run (datacenter/htsim_tcp: FatTreeTopology, 100 Gbit/s links, 1 us per
# link, MTU 1500, 8-packet RANDOM queues, one TCP flow per host to its
# image under a random permutation) and cnisim's leaf-spine permutation on
# the same hosts, flows, link rate, delay, MTU and simulated time, with the
# CPU stage costs on (bench/fattree). Reports CPU time per simulated
# packet-hop (one link crossed by one packet) for both. Not part of go test.
#
# The topologies differ as the two simulators' fabrics do: htsim's k=8
# fat tree (32 ToR, 32 aggregation, 16 core switches; up to 6 links per
# path) and cnisim's 2-tier leaf-spine (8 leaves of 16 hosts, 16 spines at
# 100 Gbit/s, 1:1; up to 4 links). Buffers: htsim 8 packets per queue;
# cnisim a per-port split of each switch's buffer sized for 8 packets per
# leaf port (a spine, with 8 ports, then has 32 per port). Per packet-hop
# is the figure that compares across them.
#
#   bench/htsim-fattree.sh                    # from the repository root
#   HOSTS=432 SIMTIME=0.002 bench/htsim-fattree.sh  # HOSTS: k^3/4 for htsim (k even),
#                                               # a multiple of 16 for cnisim: 128, 432, 1024
#   PAIRS=5 bench/htsim-fattree.sh            # the two at once, one per CPU, 5 times:
#                                               # each pair's ratio and their median
#
# This VM's speed drifts by 15-25% within minutes, so one after the other
# the ratio moves with the minute; run at once (PAIRS, taskset on CPUs 0
# and 1, swapped every pair) both see the same machine.
#
# htsim is built at run time from ../shared/peers/htsim (HTSIM_SRC) into
# $OUT/htsim (HTSIM_ROOT) with its own build.sh. Two measurement probes are
# patched into that throwaway copy, nothing else: the simulated time comes
# from HTSIM_SIMTIME instead of the 4 s main_tcp.cpp fixes, and
# Queue::completeService counts the packets every queue served (its
# packet-hops), printed at exit. htsim's ACKs go straight back to the
# sender without crossing a queue, so its packet-hops are data packets'
# only; cnisim's count data and ACKs, as each crosses links.
set -eu
cd "$(dirname "$0")/.."
out=${OUT:-${TMPDIR:-/tmp}/cnisim-bench}
hosts=${HOSTS:-128}
simtime=${SIMTIME:-0.01}
src=${HTSIM_SRC:-$(pwd)/../shared/peers/htsim}
root=${HTSIM_ROOT:-$out/htsim}
case ${PAIRS:-1} in
*[!0-9]* | 0*) echo "htsim-fattree.sh: PAIRS=$PAIRS: want a whole number of pairs, 1 or more" >&2; exit 2 ;;
esac
mkdir -p "$out"

probed() {
	grep -q 'htsim_bench_served++' "$root/sim/queue.cpp" 2>/dev/null &&
		grep -q 'atexit(htsim_bench_report)' "$root/sim/datacenter/main_tcp.cpp" &&
		grep -q 'HTSIM_SIMTIME' "$root/sim/datacenter/main_tcp.cpp"
}
if [ ! -x "$root/sim/datacenter/htsim_tcp" ] || ! probed; then
	echo "building htsim in $root" >&2
	"$src/build.sh" "$root" >"$out/htsim-build.log" 2>&1
	# the two files as shipped, then the probes (the sources have CRLF lines)
	tar xzf "$src/htsim-sim-841d9e7b.tgz" -C "$root" sim/queue.cpp sim/datacenter/main_tcp.cpp
	sed -i '1i #include <cstdint>\nuint64_t htsim_bench_served = 0; // bench/htsim-fattree.sh probe' "$root/sim/queue.cpp"
	sed -i '/^Queue::completeService()\r\?$/{n;s/^{/{ htsim_bench_served++;/}' "$root/sim/queue.cpp"
	sed -i '1i #include <cstdio>\n#include <cstdint>\n#include <cstdlib>\nextern uint64_t htsim_bench_served;\nstatic void htsim_bench_report() { printf("htsim_hops=%llu\\n", (unsigned long long)htsim_bench_served); fflush(stdout); }' \
		"$root/sim/datacenter/main_tcp.cpp"
	sed -i 's/eventlist.setEndtime(timeFromSec(4));/eventlist.setEndtime(timeFromSec(getenv("HTSIM_SIMTIME") ? atof(getenv("HTSIM_SIMTIME")) : 4));/' \
		"$root/sim/datacenter/main_tcp.cpp"
	sed -i 's/^    while (eventlist.doNextEvent()) {/    atexit(htsim_bench_report);\n&/' "$root/sim/datacenter/main_tcp.cpp"
	probed || { echo "htsim-fattree.sh: htsim's source differs from 841d9e7b; the probes did not apply" >&2; exit 1; }
	make -C "$root/sim" -j2 libhtsim.a >>"$out/htsim-build.log" 2>&1
	make -C "$root/sim/datacenter" htsim_tcp >>"$out/htsim-build.log" 2>&1
fi
echo "building cnisim's bench/fattree" >&2
go build -o "$out/fattree" ./bench/fattree

secs_ns=$(awk -v s="$simtime" 'BEGIN{printf "%.0f", s*1e9}')
kv() { tr ' ' '\n' < "$1" | sed -n "s/^$2=//p" | head -1; }
# run_htsim NAME [PREFIX...]: htsim_tcp into $out/NAME.{txt,time,log};
# run_cnisim FILE [PREFIX...]: bench/fattree into FILE. PREFIX (taskset -c N)
# runs the simulator under that command.
run_htsim() {
	name=$1
	shift
	(cd "$out" && HTSIM_SIMTIME=$simtime "$@" /usr/bin/time -f "%e %U %S" -o "$name.time" \
		"$root/sim/datacenter/htsim_tcp" -nodes "$hosts" -conns "$hosts" -o "$name.log" >"$name.txt" 2>"$name.err")
}
# htsim's permutation (ConnectionMatrix::setPermutation) draws each host's
# destination among those left and asserts src != dest when only the host
# itself is left: about one run in HOSTS fails so, its seed the time in
# seconds. permutation_failed NAME says whether run NAME failed that way;
# the run is then repeated (a second later: another seed), at most twice.
permutation_failed() { grep -q "Assertion .src!=dest' failed" "$out/$1.err" 2>/dev/null; }
run_cnisim() {
	file=$1
	shift
	"$@" "$out/fattree" -hosts "$hosts" -gbps 100 -delay 1us -buffer-pkts 8 -flows 1 -simtime "${secs_ns}ns" >"$file"
}

if [ -n "${PAIRS:-}" ]; then
	command -v taskset >/dev/null || { echo "htsim-fattree.sh: PAIRS needs taskset (util-linux)" >&2; exit 1; }
	: >"$out/pairs.txt"
	for i in $(seq "$PAIRS"); do
		if [ $((i % 2)) = 1 ]; then hcpu=0 ccpu=1; else hcpu=1 ccpu=0; fi
		for try in 1 2 3; do
			run_htsim htsim-pair taskset -c $hcpu &
			hpid=$!
			run_cnisim "$out/cnisim-pair.txt" taskset -c $ccpu
			if wait "$hpid"; then break; fi
			permutation_failed htsim-pair && [ "$try" -lt 3 ] || { cat "$out/htsim-pair.err" >&2; exit 1; }
			echo "pair $i: htsim's permutation drew a host to itself (its assertion); the pair again" >&2
			sleep 1
		done
		h_hops=$(sed -n 's/^htsim_hops=//p' "$out/htsim-pair.txt")
		h_cpu=$(awk '{print $2+$3}' "$out/htsim-pair.time")
		awk -v hh="$h_hops" -v hc="$h_cpu" -v ch="$(kv "$out/cnisim-pair.txt" hops)" -v cc="$(kv "$out/cnisim-pair.txt" cpu_s)" -v i="$i" 'BEGIN {
			printf "pair %d: htsim %.1f cpu-ns/hop, cnisim %.1f: %.2fx\n", i, hc*1e9/hh, cc*1e9/ch, (hc/hh)/(cc/ch)
		}' | tee -a "$out/pairs.txt"
	done
	sed 's/.*: //; s/x$//' "$out/pairs.txt" | sort -n | awk -v n="$PAIRS" -v hosts="$hosts" -v secs="$simtime" '
		{ r[NR] = $1 }
		END { m = (NR % 2) ? r[(NR+1)/2] : (r[NR/2] + r[NR/2+1]) / 2
		      printf "%d hosts, %s s simulated, %d pairs run at once: cnisim is %.2fx as fast as htsim per packet-hop (median; %.2f-%.2f)\n", hosts, secs, n, m, r[1], r[NR] }'
	exit 0
fi

echo "running htsim_tcp ($hosts hosts, $simtime s simulated)" >&2
for try in 1 2 3; do
	if run_htsim htsim-fattree; then break; fi
	permutation_failed htsim-fattree && [ "$try" -lt 3 ] || { cat "$out/htsim-fattree.err" >&2; exit 1; }
	echo "htsim's permutation drew a host to itself (its assertion); again" >&2
	sleep 1
done
echo "running cnisim ($hosts hosts, $simtime s simulated)" >&2
run_cnisim "$out/cnisim-fattree.txt"

h_hops=$(sed -n 's/^htsim_hops=//p' "$out/htsim-fattree.txt")
h_wall=$(awk '{print $1}' "$out/htsim-fattree.time")
h_cpu=$(awk '{print $2+$3}' "$out/htsim-fattree.time")
c_hops=$(kv "$out/cnisim-fattree.txt" hops)
c_wall=$(kv "$out/cnisim-fattree.txt" wall_s)
c_cpu=$(kv "$out/cnisim-fattree.txt" cpu_s)
awk -v hh="$h_hops" -v hw="$h_wall" -v hc="$h_cpu" -v ch="$c_hops" -v cw="$c_wall" -v cc="$c_cpu" -v hosts="$hosts" -v secs="$simtime" 'BEGIN {
	printf "%d hosts, %d flows (permutation), 100 Gbit/s, %s s simulated\n", hosts, hosts, secs
	printf "%-34s %12s %9s %9s %14s\n", "simulator", "packet-hops", "wall_s", "cpu_s", "cpu_ns/hop"
	printf "%-34s %12d %9.3f %9.3f %14.1f\n", "htsim_tcp (fat tree, k=8)", hh, hw, hc, hc*1e9/hh
	printf "%-34s %12d %9.3f %9.3f %14.1f\n", "cnisim (leaf-spine, CPU costs on)", ch, cw, cc, cc*1e9/ch
	printf "per packet-hop, cnisim is %.2fx as fast as htsim (CPU time)\n", (hc/hh)/(cc/ch)
}'
