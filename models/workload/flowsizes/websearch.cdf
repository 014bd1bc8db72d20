# Web search flow sizes: Alizadeh et al., "Data Center TCP (DCTCP)",
# SIGCOMM 2010 (the query and background traffic of a 6000-server
# production cluster), as the CDF used by pFabric, HPCC and htsim.
#
# Copied (quoted) from alibaba-edu/High-Precision-Congestion-Control,
# traffic_gen/WebSearch_distribution.txt (commit 9cf8b9e8c8d04a3775e06c972c4699dcbce53c37),
# whose second column is a percentage: here divided by 100 (derived).
# Mean of the piecewise-linear CDF: 1,711,250 bytes (derived; the
# test TestBuiltinFlowSizeMeans recomputes it).
#
# Format (cnisim): one "size_bytes cumulative_probability" per line, sizes
# and probabilities non-decreasing, the last probability 1; sizes between
# two points are interpolated linearly; '#' starts a comment.
0 0
10000 0.15
20000 0.20
30000 0.30
50000 0.40
80000 0.53
200000 0.60
1000000 0.70
2000000 0.80
5000000 0.90
10000000 0.97
30000000 1
