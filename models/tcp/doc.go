// Package tcp implements packet-level TCP and UDP endpoints on a
// network.Network with Linux's constants (DESIGN 2, "Transport and
// workloads"; CONVENTIONS, "Linux vs simulator defaults"): the three-way
// handshake with the SYN retransmission schedule of tcp_syn_retries (and
// tcp_syn_linear_timeouts), initial window 10, slow start with appropriate
// byte counting, Reno or CUBIC congestion avoidance or DCTCP (RFC 8257,
// with ECN-marking switches) and RFC 3168 ECN (ecn.go), SACK (RFC 2018) loss
// recovery with a scoreboard (RFC 6675), proportional rate reduction
// (RFC 6937), RACK's loss detection (RFC 8985, by send order: a
// reordering window of min_rtt/4 plus Linux's 2 ms timer minimum in the
// open state, none in recovery; retransmissions lost in turn, watched
// across recoveries) and the tail loss probe, D-SACK (RFC 2883), the undo of
// spurious recoveries and timeouts (timestamps and D-SACKs, as Linux), an
// RFC 6298 retransmission timer, delayed ACKs,
// a receive window from the socket buffer drained by the application's
// copies, and TCP small queues.
//
// Sequence numbers count payload bytes from 0; SYN and FIN take no
// sequence space, and there is no wrap-around.
package tcp
