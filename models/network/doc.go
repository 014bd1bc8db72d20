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
// A job costs its steps' calibrated cycles, plus the RuleCycles of
// conntrack-guarded policy rules for a packet that opens a connection (a
// SYN or SYN-ACK, or the first packet of a direction through the node;
// which routes carry rule cycles is the CNI model's choice, and it puts the
// server pod's ingress rules on the route toward that pod only, so its
// SYN-ACKs and ACKs walk none: cni.Model.ReturnPath),
// times a lognormal factor of mean 1 and coefficient of variation
// Config.CPUJitter drawn from the node's own stream (jitter.go; none when
// CPUJitter is 0, the default, so closed forms hold exactly). With
// Config.Offloads, packets of one send call (GSO/TSO) or waiting together
// in a busy receive ring (GRO) form super-packets of up to 64 KiB whose
// per-packet cycles are paid once (offload.go).
//
// Between the nodes, Config.Fabric (fabric.go, port.go, ecmp.go) is by
// default nothing: a node's link ends at its peer. Kind switch puts one
// ToR between them, kind leaf-spine leaves and spines with ECMP over the
// spines by the outer header's hash; every switch port is a
// store-and-forward FIFO at its link's rate with drop-tail admission
// against a byte buffer (shared by a switch's ports or split among them),
// and, above Fabric.ECNThreshold, CE marking of ECN-capable packets whose
// wire header shows the field (ECNTransparent): a step, or a WRED ramp up
// to Fabric.ECNMax, with RED's early drop of the other packets
// (Fabric.DropNotECT). Config.TBFBurstFrames turns every link and port
// into a Linux tbf instead (a frame leaves when the bucket holds it: the
// testbed's emulated links, tbfStart).
// A link is a pipe (wire.go) with one engine event per busy link, whose
// head's arrival admits the packet at the next port in time order; the
// ports have no events of their own, and their statistics (drops, queue
// depth, utilisation) come from the admissions alone.
//
// Costs are accounted per route segment (packets and bytes, the jitter
// factors, the packets that walked rules) and multiplied out by Accounting
// into the cycles actually run per stage kind per node: the "virtual perf"
// of DESIGN 2, "Statistics".
package network
