#!/usr/bin/env bash
# sampling.sh -- does cpu-clock sample all of a CPU's busy time when the CPU
# halts between short bursts of work? A paced packet path is such a load.
# For each BUSY/SLEEP pair, `cnifx-sender duty BUSY SLEEP` (spin BUSY, sleep
# SLEEP on average (uniform in [SLEEP/2, 3 SLEEP/2), so as not to alias with
# the sampling period), repeat) runs pinned to CPU while perf records that CPU (cpu-clock,
# PERIOD_NS); perf's workload reads the process's run time from
# /proc/PID/schedstat (sum_exec_runtime, ns) at the start and the end of the
# window, on the other CPU. Covered = samples x period / run time. Each pair
# runs without and with capture.sh's idler (a SCHED_IDLE spinner on CPU).
# Prints Markdown (testdata/perf/README.md, "Idle that perf does not sample").
#
#   sudo ./sampling.sh
#
# Environment: CPU (1), SECS (3), PERIOD_NS (250000), PAIRS ("20us,200us
# 50us,450us 500us,4500us 2ms,2ms").
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CPU=${CPU:-1}
SECS=${SECS:-3}
PERIOD_NS=${PERIOD_NS:-250000}
PAIRS=${PAIRS:-20us,200us 50us,450us 500us,4500us 2ms,2ms}
[[ $EUID -eq 0 ]] || { echo "sampling.sh: run as root (perf -C)" >&2; exit 1; }
OTHER=$(awk -v c="$CPU" '/^processor/ && $3 != c {print $3; exit}' /proc/cpuinfo)
TMP=$(mktemp -d /tmp/cnifx-sampling.XXXXXX)
PIDS=()
finish() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap finish EXIT
trap 'exit 1' INT TERM
(cd "$HERE" && go build -o "$TMP/cnifx-sender" ./sender)
ln -s "$TMP/cnifx-sender" "$TMP/cnifx-idler"
echo "| busy | sleep | idler | run time (schedstat) | sampled | covered |"
echo "|---|---|---|---:|---:|---:|"
for idler in 0 1; do
	for pair in $PAIRS; do
		busy=${pair%,*} sleep=${pair#*,}
		PIDS=()
		if ((idler)); then
			chrt -i 0 taskset -c "$CPU" env GOMAXPROCS=1 "$TMP/cnifx-idler" idle "$((SECS + 30))s" &
			PIDS+=($!)
		fi
		taskset -c "$CPU" env GOMAXPROCS=1 "$TMP/cnifx-sender" duty "$busy" "$sleep" "$((SECS + 30))s" &
		pid=$!
		PIDS+=("$pid")
		sleep 0.5
		perf record -q -e cpu-clock -c "$PERIOD_NS" -C "$CPU" -o "$TMP/p.data" -- taskset -c "$OTHER" sh -c \
			"awk '{print \$1}' /proc/$pid/schedstat >$TMP/s0; sleep $SECS; awk '{print \$1}' /proc/$pid/schedstat >$TMP/s1" 2>/dev/null
		n=$(perf script -i "$TMP/p.data" -F tid 2>/dev/null | awk -v p="$pid" '$1 == p' | wc -l)
		for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
		wait 2>/dev/null || true
		awk -v a="$(cat "$TMP/s0")" -v b="$(cat "$TMP/s1")" -v n="$n" -v p="$PERIOD_NS" -v bu="$busy" -v sl="$sleep" -v i="$idler" \
			'BEGIN {r = (b - a) / 1e6; s = n * p / 1e6; printf "| %s | %s | %s | %.0f ms | %.0f ms | %.0f%% |\n", bu, sl, (i ? "yes" : "no"), r, s, 100 * s / r}'
	done
done
