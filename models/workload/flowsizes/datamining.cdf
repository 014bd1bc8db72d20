# Data mining flow sizes: Greenberg et al., "VL2: A Scalable and Flexible
# Data Center Network", SIGCOMM 2009 (flows of a data-mining cluster), as
# the CDF used by pFabric, HPCC and htsim.
#
# Copied (quoted) from TritonNetworking/opera-sim,
# Figure1_traffic/datamining.csv (commit ed471fed5c2f561387c0cf10a1d96d5c670e746a),
# comma separators replaced by a space.
# Mean of the piecewise-linear CDF: 5,036,535 bytes (derived; the test
# TestBuiltinFlowSizeMeans recomputes it).
#
# Format: as websearch.cdf.
100 0
180 0.085
250 0.14
560 0.33
900 0.47
1100 0.55
1870 0.65
3160 0.7
10000 0.8
100001 0.874
400000 0.9
1850000 0.95
10000000 0.97
30000000 0.98
100000000 0.99
250000000 0.995
1000000000 1
