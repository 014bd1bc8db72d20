// Package network executes datapath graphs on a cluster of nodes: CPU cores
// as FIFO run-to-completion servers, a bounded NIC transmit queue, and a
// link of rate R and delay D per node (DESIGN 2, "Hosts, cores, links").
//
// A packet crosses the segments of a compiled Route (runs of consecutive
// steps with the same side and context); each segment is one job on one
// core. Events are spent only where a packet reaches a server fed by more
// than one source, at a time the sender cannot vouch for: the first core
// on the receiving side and a change of core (RSS softirq, a daemon). The
// NIC queue, also fed by every core of its node, takes packets in arrival
// order from a small sorted list flushed once the sending event returns
// (nic.go), without events. Servers are "busy until" values with no
// events of their own, and packets come from a free list, so a data
// packet with its share of ACKs costs about 1.5 events.
//
// Costs are accounted per route segment (packets and bytes) and multiplied
// out by Accounting into cycles per stage kind per node: the "virtual perf"
// of DESIGN 2, "Statistics".
package network
