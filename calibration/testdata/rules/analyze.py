#!/usr/bin/env python3
"""analyze.py SERIES: per-rule cost of a measure.sh series.

Per (engine, rules) the minimum ns per sendto() over all batches (on a
shared machine interference only adds time); the per-rule cost at N rules is
(t(N) - t(0)) / N; the slope between the two largest counts is the marginal
cost; and the per-rule cost at 1000 rules predicts every other count
(t(0) + N x c(1000)), with the error against the measured total.
"""
import sys
from collections import defaultdict

best = defaultdict(lambda: float("inf"))
for line in open(sys.argv[1]):
    if line.startswith("#"):
        print(line.strip())
        continue
    engine, rules, _, _, ns = line.split()
    key = (engine, int(rules))
    best[key] = min(best[key], float(ns))
for engine in sorted({e for e, _ in best}):
    counts = sorted(n for e, n in best if e == engine)
    t0 = best[(engine, 0)]
    c1000 = (best[(engine, 1000)] - t0) / 1000
    hi, lo = counts[-1], counts[-2]
    slope = (best[(engine, hi)] - best[(engine, lo)]) / (hi - lo)
    print(f"{engine}: t(0) = {t0:.0f} ns per sendto; per rule at 1000 = {c1000:.2f} ns; marginal {lo}..{hi} = {slope:.2f} ns")
    for n in counts[1:]:
        t = best[(engine, n)]
        pred = t0 + n * c1000
        print(f"  {n:5d} rules: {t:8.0f} ns, {(t - t0) / n:5.2f} ns/rule; predicted from 1000: {pred:8.0f} ns ({100 * (pred - t) / t:+.1f}%)")
