# scenarios/matrix-plan.tm at half its rates (what the 3:1 fabric of
# scenarios/matrix-plan.toml carries: 44 Gbit/s), plus a batch job's
# shuffle among the API tier's nodes from 100 to 160 ms (assumed, for the
# example): does it hurt the application's flows while it runs, and how
# soon after it do they recover?
#
# src dst gbps [from [to]] [class=NAME]: a node or a range a-b each; a
# range's rate is split evenly over its pairs of two different nodes; a
# line with a window offers its rate from its start until its end (or the
# run's end); fct_us_by_class reports each class's flows.
0-3   4-11  8    class=app   # frontends -> API: requests
4-11  0-3   16   class=app   # API -> frontends: responses
4-11  12-15 16   class=app   # API -> storage: writes
12    13    1    class=app   # storage -> storage: replication
13    14    1    class=app
14    15    1    class=app
15    12    1    class=app
4-11  4-11  48  100ms 160ms  class=shuffle   # 48 Gbit/s over 56 pairs, 32 of them between racks 1 and 2
