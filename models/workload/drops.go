package workload

// DropPlaces name where a run's packets can be lost, in the order
// Result.DropsByPlace counts them: the sending node's transmit queue
// (qdisc), a receiving core's RX ring (the core cannot keep up: the
// drops a CPU-bound receiver sees), a switch port's buffer (the fabric),
// a path not yet set up (an asynchronous CNI's pod, the SYN lost before
// its routes exist), an oversized packet with DF set, a UDP socket's
// receive buffer, a full conntrack table, a failed fabric link
// (fabric.fail_at: on the link when it failed, or sent to it before the
// routes converged) and a lossy one (fabric.lossy_links).
var DropPlaces = [...]string{"nic_queue", "rx_ring", "switch", "cni_not_ready", "oversize", "socket", "conntrack", "link_down", "link_loss"}

// DropsByPlace splits Drops by where the packets were lost, in
// DropPlaces' order; the counts sum to Drops (over the whole run, as
// Drops; port_drops counts the switches' after the warm-up).
func (r *Result) DropsByPlace() [len(DropPlaces)]uint64 {
	s := &r.Packets
	return [...]uint64{s.DropQdisc, s.DropRx, s.DropPort, s.DropHook, s.DropOversize, r.SocketDrops, r.ConntrackDrops, s.DropLink, s.DropCorrupt}
}
