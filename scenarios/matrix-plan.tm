# A three-tier application's traffic matrix for scenarios/matrix-plan.toml
# (assumed, for the example: a planner would use measured rates, e.g. the
# mean Gbit/s between each pair of nodes from flow logs or sFlow).
# Rack 0 (nodes 0-3): frontends; racks 1-2 (nodes 4-11): the API tier;
# rack 3 (nodes 12-15): storage, replicating to its neighbour.
#
# src_node dst_node gbps (of flow bytes, offered)
# frontends -> API: requests, 0.5 Gbit/s each pair (4 per frontend)
0 4 0.5
0 5 0.5
0 6 0.5
0 7 0.5
0 8 0.5
0 9 0.5
0 10 0.5
0 11 0.5
1 4 0.5
1 5 0.5
1 6 0.5
1 7 0.5
1 8 0.5
1 9 0.5
1 10 0.5
1 11 0.5
2 4 0.5
2 5 0.5
2 6 0.5
2 7 0.5
2 8 0.5
2 9 0.5
2 10 0.5
2 11 0.5
3 4 0.5
3 5 0.5
3 6 0.5
3 7 0.5
3 8 0.5
3 9 0.5
3 10 0.5
3 11 0.5
# API -> frontends: responses, 1 Gbit/s each pair (8 into each frontend)
4 0 1
4 1 1
4 2 1
4 3 1
5 0 1
5 1 1
5 2 1
5 3 1
6 0 1
6 1 1
6 2 1
6 3 1
7 0 1
7 1 1
7 2 1
7 3 1
8 0 1
8 1 1
8 2 1
8 3 1
9 0 1
9 1 1
9 2 1
9 3 1
10 0 1
10 1 1
10 2 1
10 3 1
11 0 1
11 1 1
11 2 1
11 3 1
# API -> storage: writes, 1 Gbit/s each pair (8 into each storage node)
4 12 1
4 13 1
4 14 1
4 15 1
5 12 1
5 13 1
5 14 1
5 15 1
6 12 1
6 13 1
6 14 1
6 15 1
7 12 1
7 13 1
7 14 1
7 15 1
8 12 1
8 13 1
8 14 1
8 15 1
9 12 1
9 13 1
9 14 1
9 15 1
10 12 1
10 13 1
10 14 1
10 15 1
11 12 1
11 13 1
11 14 1
11 15 1
# storage -> storage: replication to the next node in the rack, 2 Gbit/s
12 13 2
13 14 2
14 15 2
15 12 2
