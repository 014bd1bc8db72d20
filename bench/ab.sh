#!/bin/sh
# Compare two builds of the harness fairly: run them alternately, ROUNDS
# times each, and print each one's sorted wall times, medians and ratio.
# This machine's speed drifts between hours, so numbers taken at different
# times do not compare; alternating runs do.
#
#   git stash; go build -o /tmp/old ./bench/harness; git stash pop
#   go build -o /tmp/new ./bench/harness
#   bench/ab.sh /tmp/old /tmp/new [ROUNDS] [SCENARIO]
set -eu
a=$1 b=$2 rounds=${3:-5} sc=${4:-bench/bulk.toml}
for x in "$a" "$b"; do
	[ -f "$x" ] && [ -x "$x" ] || { echo "ab.sh: $x is not an executable file" >&2; exit 2; }
done
wall() { "$1" -count 1 -q "$sc" | tr ' ' '\n' | sed -n 's/^wall_s=//p'; }
ta=$(mktemp) tb=$(mktemp)
trap 'rm -f "$ta" "$tb"' EXIT
i=0
while [ "$i" -lt "$rounds" ]; do
	wall "$a" >>"$ta"
	wall "$b" >>"$tb"
	i=$((i + 1))
done
med() { sort -n "$1" | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
echo "A $(sort -n "$ta" | tr '\n' ' ')"
echo "B $(sort -n "$tb" | tr '\n' ' ')"
ma=$(med "$ta") mb=$(med "$tb")
awk -v a="$ma" -v b="$mb" 'BEGIN {printf "median A %.3f s, B %.3f s, B/A %.3f\n", a, b, b/a}'
