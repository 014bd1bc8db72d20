// Package service models Kubernetes Services on the pod datapath (issue
// 22): the load-balancing rules a proxy (kube-proxy in iptables, IPVS or
// nftables mode, or an eBPF dataplane at tc or at connect()) evaluates for
// a connection to a ClusterIP, written as data with the source of each
// structure (rules.go), their cost in cycles from the calibration profile's
// [[rule_cost]] and this package's lookup costs (costs.go, costs.toml), the
// datapath step that charges them (path.go), and the connection-tracking
// table whose size and timeouts decide when new connections are dropped
// (conntrack.go).
//
// The package knows nothing of workloads: models/workload picks a Service
// per connection and asks for that connection's path.
package service
