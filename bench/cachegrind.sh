#!/bin/sh
# Deterministic cost of a run, for comparing two builds on a machine whose
# speed drifts (this VM's CPU time varies by 15% between identical runs,
# more than most changes): valgrind's cachegrind counts the instructions a
# run executes and the first-level data-cache misses of a simulated 32 KiB,
# 8-way cache, which do not depend on the load. The garbage collector is
# off (GOGC=off) so that its timing-dependent work is not counted; the
# simulators allocate next to nothing per event, so memory stays bounded.
# Counts, not time: a change that trades instructions for misses must still
# be timed (bench/ab.sh, or both builds at once, one per CPU). The same build
# counts within about 0.5% from run to run on runs of a few seconds (the Go
# runtime's own threads), more on very short ones.
#
#   bench/cachegrind.sh OLD NEW ARGS...   # both builds with the same arguments, side by side
#   bench/cachegrind.sh /tmp/old-fattree /tmp/new-fattree -simtime 2ms
#   bench/cachegrind.sh /tmp/old-harness /tmp/new-harness -set duration=300ms bench/bulk.toml
#
# Installs valgrind (apt-get) if it is missing.
set -eu
[ $# -ge 2 ] || { echo "usage: bench/cachegrind.sh OLD NEW [ARGS...]" >&2; exit 2; }
old=$1 new=$2
shift 2
for b in "$old" "$new"; do
	[ -x "$b" ] || { echo "bench/cachegrind.sh: $b: not an executable file" >&2; exit 2; }
done
command -v valgrind >/dev/null || apt-get install -y valgrind >/dev/null
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
count() { # BIN TAG ARGS...
	bin=$1 tag=$2
	shift 2
	GOGC=off GOMAXPROCS=1 valgrind --tool=cachegrind --cache-sim=yes --D1=32768,8,64 \
		--cachegrind-out-file=/dev/null --log-file="$dir/$tag" "$bin" "$@" >"$dir/$tag.out" 2>&1 ||
		{ echo "bench/cachegrind.sh: $bin failed:" >&2; tail -5 "$dir/$tag.out" >&2; exit 1; }
}
count "$old" old "$@" &
pid=$!
count "$new" new "$@"
wait "$pid"
awk '/I *refs:/ {gsub(",", "", $4); ir[FILENAME] = $4}
	/D1  misses:/ {gsub(",", "", $4); d1[FILENAME] = $4}
	END {
		o = ARGV[1]; n = ARGV[2]
		printf "%-5s %16s %14s\n", "build", "instructions", "D1 misses"
		printf "%-5s %16.0f %14.0f\n", "old", ir[o], d1[o]
		printf "%-5s %16.0f %14.0f\n", "new", ir[n], d1[n]
		printf "new/old %14.4f %14.4f\n", ir[n] / ir[o], d1[n] / d1[o]
	}' "$dir/old" "$dir/new"
