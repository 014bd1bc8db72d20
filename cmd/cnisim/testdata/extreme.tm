# extreme rates for TestExtremeValues: the largest a pair may offer, and the smallest above 0
0 1 100000
1 2 1e-300
