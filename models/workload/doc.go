// Package workload drives TCP and UDP endpoints like the benchmark tools
// the paper and the vendor analysis used, with their measurement semantics
// (DESIGN 2, "Transport and workloads"): iperf3/netperf streams timed from
// connection establishment, UDP streams at an offered rate, netperf
// request-response transactions, curl downloading a file from an
// application server pod (speed = bytes / time since the first connection
// attempt; the iperf3 figure alongside) and wrk's closed-loop HTTP load
// (requests/s and latency quantiles). Application servers and clients
// spend CPU per request and per byte on their own cores, sharing them with
// the kernel's stages. A client may start in a freshly launched pod
// (models/podlaunch on the same engine), so that asynchronous CNI set-up
// drops its first SYNs. Run is a pure function of its Config.
package workload
