#!/bin/sh
# How cnisim's run time grows with link rate, simulated time, flows and
# nodes: bench/bulk.toml through the harness, one point per line, as the
# markdown table of the README "Performance" section. CPU time per
# simulated packet is the figure to compare (wall time depends on what
# else the machine runs).
#
#   bench/scale.sh            # COUNT=3 bench/scale.sh for medians of 3
set -eu
cd "$(dirname "$0")/.."
out=${OUT:-${TMPDIR:-/tmp}/cnisim-bench}
mkdir -p "$out"
go build -o "$out/harness" ./bench/harness
count=${COUNT:-1}

echo "| varied | setting | sim s | packets | events/pkt | wall s | CPU s | CPU ns/pkt | M segs/wall s | goodput Mbit/s | max RSS MB |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
point() { # label setting --set args...
	label=$1 setting=$2; shift 2
	line=$("$out/harness" -q -count "$count" "$@" bench/bulk.toml)
	kv() { echo "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
	awk -v l="$label" -v s="$setting" -v sim="$(kv sim_s)" -v p="$(kv packets)" -v e="$(kv events)" \
		-v w="$(kv wall_s)" -v c="$(kv cpu_s)" -v d="$(kv data_segs)" -v g="$(kv goodput_mbps)" -v m="$(kv max_rss_mb)" \
		'BEGIN { printf "| %s | %s | %g | %d | %.2f | %.3f | %.3f | %.0f | %.2f | %.0f | %.1f |\n", l, s, sim, p, e/p, w, c, c/p*1e9, d/w/1e6, g, m }'
}
for r in 10 25 100; do point "link rate" "${r} Gbit/s" --set duration=1s --set cluster.link_gbps=$r; done
for d in 1 10 100; do point "simulated time" "${d} s" --set duration=${d}s; done
for f in 1 8 64 512; do point "flows" "$f" --set duration=1s --set workload.streams=$f; done
for k in 2 16 128; do point "nodes" "$k" --set duration=1s --set cluster.nodes=$k; done
