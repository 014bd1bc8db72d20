# A three-tier application's traffic matrix for scenarios/matrix-plan.toml
# (assumed, for the example: a planner would use measured rates, e.g. the
# mean Gbit/s between racks or nodes from flow logs or sFlow).
# Rack 0 (nodes 0-3): frontends; racks 1-2 (nodes 4-11): the API tier;
# rack 3 (nodes 12-15): storage, each node replicating to the next.
#
# src dst gbps: a node or a range a-b each; a range's rate is split
# evenly over its pairs of two different nodes.
0-3   4-11  16   # frontends -> API: requests, 0.5 Gbit/s each pair (4 per frontend)
4-11  0-3   32   # API -> frontends: responses, 1 Gbit/s each pair (8 into each frontend)
4-11  12-15 32   # API -> storage: writes, 1 Gbit/s each pair (8 into each storage node)
12    13    2    # storage -> storage: replication, 2 Gbit/s
13    14    2
14    15    2
15    12    2
