package network

import "github.com/cnisim/cnisim/models/datapath"

// An outer packet over the underlay MTU (an overlay whose pod MTU leaves
// too little room for its headers) is cut into two frames by the sending
// node's IP output and put together again by the receiving node's IP
// receive before the tunnel takes it. Besides the second frame's pass
// through the outer steps, each costs a core work of its own, which
// Config.FragmentCycles and Config.ReassembleCycles price:
//   - ip_do_fragment (sending): the checksum the packet was to have
//     offloaded computed in software (skb_checksum_help: a fragmented
//     packet cannot be checksummed by the device), a new skb per fragment
//     (ip_frag_next) and the data copied into it;
//   - ip_defrag (receiving): the fragment queue looked up or made
//     (inet_frag_find: a hash table, a timer), the fragments put in order
//     and joined (ip_frag_reasm), the queue freed.
//
// The cost is charged per fragmented packet where its first outer step
// runs on each side, booked to ip_forward (sending) and ip_rcv (receiving),
// where `calibrate perf` puts ip_do_fragment and ip_defrag.

// DefaultFragmentCycles and DefaultReassembleCycles are measured:
// `calibration/frag/frag-cost.sh` (root; a VXLAN tunnel over a veth pair
// whose MTU is the tunnel's own, so every full-sized TCP segment's outer
// packet fragments; iperf3 at 1 Gbit/s; perf cpu-clock with call graphs on
// the CPU running the sender and the receive softirq; the samples under
// ip_do_fragment below any transmit frame, and under ip_defrag, over the
// tunnel's tx_packets), seven 5 s repetitions at each of the underlay MTUs
// 1500, 4000 and 9000 on 2026-12-07 (kernel 6.18.44, the Intel Xeon VM at
// 2.6 GHz). The medians by MTU were 1178, 453 and 2985 cycles for
// fragmenting and 1716, 1564 and 1136 for reassembling, following no
// trend in the packet's size; the constants are the medians of the 21
// runs pooled (fragmenting 235 to 4293, reassembling 396 to 2571): known
// within a factor of about three. They are what these two functions
// cost, a lower bound of what fragmentation costs: the same runs spent
// 7,800 (MTU 1500) and 12,900 (MTU 9000) cycles more per packet in all
// than unfragmented ones (medians of seven each, FRAG=0), the rest in the
// second frames' pass, software checksums and freeing.
const (
	DefaultFragmentCycles   = 1178
	DefaultReassembleCycles = 1564
)

// fragKinds are the stages a fragmented packet's own work is booked to,
// by side: fragmenting is the sending node's IP output, reassembling the
// receiving node's IP receive.
var fragKinds = [2]datapath.Kind{datapath.IPForward, datapath.IPRcv}
