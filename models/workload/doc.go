// Package workload drives TCP and UDP endpoints like the benchmark tools
// the paper and the vendor analysis used, with their measurement semantics
// (DESIGN 2, "Transport and workloads"): iperf3/netperf streams timed from
// connection establishment, UDP streams at an offered rate, and netperf
// request-response transactions. Run is a pure function of its Config.
package workload
