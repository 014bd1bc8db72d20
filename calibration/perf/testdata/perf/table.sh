#!/usr/bin/env bash
# table.sh -- busy cycles per data packet of every capture in manifest.toml,
# measured with the project's own `cnisim calibrate perf`, and the per-rule
# cost of each rule engine from the rule series. Prints Markdown (the tables
# in README.md were made with it).
#
#   go build -o /tmp/cnisim ./cmd/cnisim     # at the repository root
#   CNISIM=/tmp/cnisim ./table.sh
#
# Each capture's samples are first cut to its traffic (comms and
# softirq_comms of the manifest: the sender, the receiver and ksoftirqd on
# the recorded CPU), since other jobs share the machine; then
#   cnisim calibrate perf --script F --packets data_packets --cpu-ghz cpu_ghz
#                         --event cpu-clock --cpus cpus --format json
# gives the busy samples, each stage's share and CPP; cpp_total is the sum of
# the stage CPPs divided by the attributed share (every busy cycle / packets).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CNISIM=${CNISIM:?set CNISIM to a built cnisim binary (go build -o /tmp/cnisim ./cmd/cnisim)}
MANIFEST=${MANIFEST:-$HERE/manifest.toml}
command -v jq >/dev/null || { echo "table.sh: needs jq" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# One line per capture: name file packets acks ghz cpus rules engine regime comms
awk '
	function val(s) { sub(/^[^=]*= */, "", s); gsub(/"/, "", s); return s }
	function flush() { if (name != "") print name, file, pk, acks, ghz, cpus, rules, engine, regime, comms; name = "" }
	/^\[\[capture\]\]/ { flush() }
	/^name = / { name = val($0) }
	/^file = / { file = val($0) }
	/^data_packets = / { pk = val($0) }
	/^ack_packets = / { acks = val($0) }
	/^cpu_ghz = / { ghz = val($0) }
	/^cpus = / { cpus = val($0) }
	/^rules = / { rules = val($0) }
	/^rule_engine = / { engine = val($0) }
	/^regime = / { regime = val($0) }
	/^comms = / { c = val($0); gsub(/[][ ]/, "", c); comms = c }
	/^softirq_comms = / { c = val($0); gsub(/[][ ]/, "", c); comms = comms "," c }
	END { flush() }' "$MANIFEST" >"$TMP/list"

echo "| capture | engine | rules | regime | data packets | ACKs/packet | busy samples | cycles/packet | netfilter share | unattributed share |"
echo "|---|---|---:|---|---:|---:|---:|---:|---:|---:|"
while read -r name file pk acks ghz cpus rules engine regime comms; do
	zcat "$HERE/$file" | awk -v keep="$comms" '
		BEGIN { RS = ""; ORS = "\n\n"; n = split(keep, k, ","); for (i = 1; i <= n; i++) want[k[i]] = 1 }
		$1 in want' >"$TMP/s"
	"$CNISIM" calibrate perf --script "$TMP/s" --packets "$pk" --cpu-ghz "$ghz" --event cpu-clock \
		--cpus "$cpus" --format json 2>/dev/null >"$TMP/j"
	read -r samples unattr nf cpp < <(jq -r '[.samples, .unattributed_share, (.stages.netfilter.share // 0),
		(([.stages[].cpp] | add) / (1 - .unattributed_share))] | @tsv' "$TMP/j")
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$engine" "$rules" "$cpp" "$ghz" "$nf" >>"$TMP/cpp"
	awk -v n="$name" -v e="$engine" -v r="$rules" -v g="$regime" -v p="$pk" -v a="$acks" -v s="$samples" \
		-v c="$cpp" -v f="$nf" -v u="$unattr" \
		'BEGIN { printf "| %s | %s | %d | %s | %d | %.3f | %d | %.0f | %.1f%% | %.1f%% |\n", n, e, r, g, p, a / p, s, c, 100 * f, 100 * u }'
done <"$TMP/list"

# The rule series: mean cycles per packet per (engine, rules) over the
# repetitions, and how well the rule cost calibrated at 1000 rules predicts
# 100 and 5000 rules: from the netfilter stage (as ruleseries_test.go and
# perf.RuleCostFromStage do) and, for comparison, the slope of the totals.
echo
echo "| engine | rules | repetitions | cycles/packet (mean) | min..max | predicted: netfilter stage at 1000 | error | predicted: slope of totals | error |"
echo "|---|---:|---:|---:|---|---:|---:|---:|---:|"
awk -F'\t' '$1 ~ /^(ipt-legacy|nft)-[0-9]+(-r[0-9]+)?$/ {
		k = $2 SUBSEP $3; s[k] += $4; n[k]++; nf[k] += $4 * $6
		N[$2]++; sx[$2] += $3; sy[$2] += $4; sxx[$2] += $3 * $3; sxy[$2] += $3 * $4
		if (!(k in lo) || $4 < lo[k]) lo[k] = $4
		if (!(k in hi) || $4 > hi[k]) hi[k] = $4
		eng[$2] = 1; ghz = $5
	}
	END {
		split("0 100 1000 5000", R, " ")
		ne = split("iptables-legacy nftables", E, " ")
		for (j = 1; j <= ne; j++) {
			e = E[j]
			if (!(e in eng)) continue
			m0 = s[e SUBSEP 0] / n[e SUBSEP 0]; m1 = s[e SUBSEP 1000] / n[e SUBSEP 1000]
			slope[e] = (m1 - m0) / 1000
			# the rule cost as calibrate perf gives it: what 1000 rules add
			# to the netfilter stage (perf.RuleCostFromStage)
			stage[e] = (nf[e SUBSEP 1000] / n[e SUBSEP 1000] - nf[e SUBSEP 0] / n[e SUBSEP 0]) / 1000
			for (i = 1; i <= 4; i++) {
				k = e SUBSEP R[i]
				if (!(k in n)) continue
				m = s[k] / n[k]; p = m0 + slope[e] * R[i]; q = m0 + stage[e] * R[i]
				printf "| %s | %d | %d | %.0f | %.0f..%.0f | %.0f | %+.1f%% | %.0f | %+.1f%% |\n", e, R[i], n[k], m, lo[k], hi[k], q, 100 * (q - m) / m, p, 100 * (p - m) / m
			}
		}
		print ""
		for (j = 1; j <= ne; j++) if ((e = E[j]) in eng) printf "per-rule cost %s: %.2f cycles/packet/rule = %.2f ns at %s GHz (netfilter stage, 0 -> 1000 rules); slope of the total means %.2f\n", e, stage[e], stage[e] / ghz, ghz, slope[e]
		print ""
		print "| engine | rules | netfilter cycles/packet (mean) | predicted from {0, 1000} | error |"
		print "|---|---:|---:|---:|---:|"
		for (j = 1; j <= ne; j++) {
			e = E[j]
			if (!(e in eng)) continue
			f0 = nf[e SUBSEP 0] / n[e SUBSEP 0]; f1 = nf[e SUBSEP 1000] / n[e SUBSEP 1000]; nslope[e] = (f1 - f0) / 1000
			for (i = 1; i <= 4; i++) {
				k = e SUBSEP R[i]
				if (!(k in n)) continue
				m = nf[k] / n[k]; p = f0 + nslope[e] * R[i]
				printf "| %s | %d | %.0f | %.0f | %+.1f%% |\n", e, R[i], m, p, 100 * (p - m) / m
			}
		}
		print ""
		for (j = 1; j <= ne; j++) if ((e = E[j]) in eng) printf "per-rule cost %s from the netfilter stage alone: %.2f cycles/packet/rule = %.2f ns\n", e, nslope[e], nslope[e] / ghz
		for (j = 1; j <= ne; j++) if ((e = E[j]) in eng) {
			ls = (N[e] * sxy[e] - sx[e] * sy[e]) / (N[e] * sxx[e] - sx[e] * sx[e])
			hi5 = (s[e SUBSEP 5000] / n[e SUBSEP 5000] - s[e SUBSEP 1000] / n[e SUBSEP 1000]) / 4000
			printf "  %s: least squares over all %d captures %.2f cycles/rule (%.2f ns), intercept %.0f; slope 1000 -> 5000 rules %.2f cycles/rule\n", e, N[e], ls, ls / ghz, (sy[e] - ls * sx[e]) / N[e], hi5
		}
		if (("iptables-legacy" in slope) && ("nftables" in slope))
			printf "nftables / iptables-legacy per-rule cost: %.2f\n", slope["nftables"] / slope["iptables-legacy"]
	}' "$TMP/cpp"
