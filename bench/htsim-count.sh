#!/bin/sh
# The point-to-point comparison of bench/run.sh counted instead of timed:
# valgrind's cachegrind counts the instructions and first-level data-cache
# misses (a simulated 32 KiB, 8-way cache) of htsim's point-to-point TCP
# probe and of cnisim's bench/bulk.toml, each at two simulated durations,
# and divides the differences by the differences in packets and in
# simulated time, so that start-up (htsim's none to speak of, cnisim's
# scenario parsing and path compilation) cancels out. Counts do not move
# with this VM's load, which moves timed ratios by 15-25% between minutes;
# they are a proxy, not the target: the time ratio is the instruction ratio
# times the ratio of instructions per cycle, which for the two differs
# (bench/run.sh gives the time). Not part of go test.
#
#   bench/htsim-count.sh                 # from the repository root
#   S1=0.5 S2=2 bench/htsim-count.sh     # the two simulated durations, in seconds
#
# htsim is built as bench/run.sh builds it (from ../shared/peers/htsim into
# $OUT/htsim); cnisim's harness is built with its PGO profile. Installs
# valgrind (apt-get) if it is missing. About a minute at the defaults.
set -eu
cd "$(dirname "$0")/.."
out=${OUT:-${TMPDIR:-/tmp}/cnisim-bench}
s1=${S1:-0.3}
s2=${S2:-1}
hsrc=${HTSIM_SRC:-$(pwd)/../shared/peers/htsim}
hroot=${HTSIM_ROOT:-$out/htsim}
awk -v a="$s1" -v b="$s2" 'BEGIN { exit !(a+0 > 0 && b+0 > a+0) }' ||
	{ echo "htsim-count.sh: S1=$s1 S2=$s2: want 0 < S1 < S2 (simulated seconds)" >&2; exit 2; }
mkdir -p "$out"
command -v valgrind >/dev/null || apt-get install -y valgrind >/dev/null
if [ ! -x "$hroot/sim/tests/htsim_p2p_tcp" ]; then
	echo "building htsim in $hroot" >&2
	"$hsrc/build.sh" "$hroot" >"$out/htsim-build.log" 2>&1
fi
echo "building the cnisim harness" >&2
go build -o "$out/harness" ./bench/harness

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# count TAG CMD...: instructions and D1 misses of one run, and its output
count() {
	tag=$1
	shift
	GOGC=off GOMAXPROCS=1 valgrind --tool=cachegrind --cache-sim=yes --D1=32768,8,64 \
		--cachegrind-out-file=/dev/null --log-file="$dir/$tag.log" "$@" >"$dir/$tag.out" 2>&1 ||
		{ echo "htsim-count.sh: $1 failed:" >&2; tail -5 "$dir/$tag.out" >&2; exit 1; }
	awk '/I *refs:/ {gsub(",", "", $4); i = $4} /D1 *misses:/ {gsub(",", "", $4); m = $4} END {print i, m}' "$dir/$tag.log" >"$dir/$tag.count"
}
htsim() { count "h$1" "$hroot/sim/tests/htsim_p2p_tcp" -simtime "$2" -gbps 10 -delay_us 50 -mtu 1500 -qpkts 100; }
cnisim() { count "c$1" "$out/harness" -q -set duration="${2}s" bench/bulk.toml; }
echo "counting htsim and cnisim at $s1 and $s2 s simulated (valgrind)" >&2
# one wait per run: set -e then stops on either's failure (a wait for
# both returns only the last one's status)
htsim 1 "$s1" & p1=$!
htsim 2 "$s2" & p2=$!
wait "$p1"
wait "$p2"
cnisim 1 "$s1" & p1=$!
cnisim 2 "$s2" & p2=$!
wait "$p1"
wait "$p2"

js() { tr ',{}' '\n\n\n' <"$1" | sed -n "s/^\"$2\"://p" | head -1; }
kv() { tr ' ' '\n' <"$1" | sed -n "s/^$2=//p" | head -1; }
hp1=$(js "$dir/h1.out" packets) hp2=$(js "$dir/h2.out" packets)
cp1=$(kv "$dir/c1.out" packets) cp2=$(kv "$dir/c2.out" packets)
[ -n "$hp1" ] && [ -n "$hp2" ] && [ -n "$cp1" ] && [ -n "$cp2" ] ||
	{ echo "htsim-count.sh: a run printed no packet count (outputs in $dir)" >&2; trap - EXIT; exit 1; }
read -r hi1 hm1 <"$dir/h1.count"
read -r hi2 hm2 <"$dir/h2.count"
read -r ci1 cm1 <"$dir/c1.count"
read -r ci2 cm2 <"$dir/c2.count"
awk -v s1="$s1" -v s2="$s2" -v hp1="$hp1" -v hp2="$hp2" -v cp1="$cp1" -v cp2="$cp2" \
	-v hi1="$hi1" -v hi2="$hi2" -v hm1="$hm1" -v hm2="$hm2" \
	-v ci1="$ci1" -v ci2="$ci2" -v cm1="$cm1" -v cm2="$cm2" 'BEGIN {
	ds = s2 - s1
	hp = hp2 - hp1; cp = cp2 - cp1
	hi = hi2 - hi1; ci = ci2 - ci1; hm = hm2 - hm1; cm = cm2 - cm1
	printf "%-8s %14s %16s %14s %16s %14s\n", "", "packets/sim_s", "instr/sim_s", "instr/packet", "D1 miss/sim_s", "miss/packet"
	printf "%-8s %14.0f %16.0f %14.1f %16.0f %14.3f\n", "htsim", hp/ds, hi/ds, hi/hp, hm/ds, hm/hp
	printf "%-8s %14.0f %16.0f %14.1f %16.0f %14.3f\n", "cnisim", cp/ds, ci/ds, ci/cp, cm/ds, cm/cp
	printf "htsim / cnisim instructions for the same simulated time: %.2fx; per packet: %.2fx\n", hi/ci, (hi/hp)/(ci/cp)
}'
