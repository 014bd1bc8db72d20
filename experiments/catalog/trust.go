package catalog

import (
	"fmt"

	"github.com/cnisim/cnisim/models/network"
)

// trust says, per experiment, how far its numbers carry beyond the model:
// what is exact by construction, what rests on which calibration, and
// where the validation against a real kernel (testbed-validation, the
// calibration round trips) says how large the error is. REPORT.md prints
// it under each experiment's description.
var trust = map[string]string{
	"paper-fig3": "Throughput at 10 Gbit/s is bound by the wire, where the model is exact to the header and framing " +
		"arithmetic. The request-response latencies rest on the per-packet stage costs of the `paper` profile " +
		"(quoted from the paper's Fig. 4/5 at 2.4 GHz, a kernel of 2020, gaps assumed); on this machine's 6.18 kernel " +
		"the testbed-validation section measures how far per-packet costs calibrated there predict configurations " +
		"left out (one host: median 4%, max 21%; another host of the same VM kind: median 8%, max 23%, at 4-5x the " +
		"cycles per packet) and a 1-byte TCP_RR (median 7.5%, max 12%).",
	"paper-fig4": "The per-stage CPP are the `paper` profile's input: these rows are echoes, they check the crossings " +
		"arithmetic (data and ACK crossings per stage), not a prediction.",
	"paper-fig5": "As Fig. 4: echoes of the profile's input, checking the crossings arithmetic inter-host.",
	"paper-fig6": "FIB lookups are counted from each plugin's graph (how many routing decisions a packet takes): " +
		"exact for the graphs as modelled, independent of the cost calibration.",
	"paper-fig7": "The pipeline's stage durations are calibrated to the paper's Fig. 7 totals and Weave's breakdown " +
		"(an echo); the per-plugin differences come from each CNI ADD's modelled steps and are smaller than the " +
		"launch-to-launch spread, which is why the orderings stay unresolved even at 960 launches.",
	"blog-async-curl": "The SYN timing follows Linux's schedule (1 s initial RTO, 1, 3, 7 s...) exactly, tested to the " +
		"nanosecond; the download's rate is the server's, calibrated to the vendor's 4814 Mbit/s, so the table " +
		"checks the timing argument (curl counts the lost second, iperf3 does not), not a throughput prediction.",
	"blog-mtu9000": "Where the link limits, the throughputs are exact to the encapsulation and framing bytes; where " +
		"a core limits (the overlays at MTU 9000), they rest on the `paper` profile's per-packet costs.",
	"blog-wrk": "nginx's per-request and per-byte costs are set to give the vendor's 40k requests/s on one core " +
		"(calibrated, not predicted); the latency then follows Little's law for 400 closed-loop connections, " +
		"which is why the vendor's 50 ms mean is off.",
	"whatif-mtu": "Per-packet costs from the `paper` profile, per-byte costs (copies) assumed; the shape (fewer, larger " +
		"packets cost fewer cycles per byte) is robust, the absolute Gbit/s of a CPU-bound point carry the " +
		"profile's error (testbed-validation).",
	"whatif-policy-rules": "The slope is the `paper` profile's ~20 ns per non-matching iptables rule (quoted, not " +
		"measured); this machine's kernel measured 3.2 ns (iptables-legacy) and 3.6 ns (nftables) per rule " +
		"(README, calibration; 3.8 and 4.6 ns beyond 1000 rules on the testbed's Xeon host), so expect a current kernel's " +
		"slope several times smaller, and linear only within one cache level (about half as much per rule while the " +
		"table fits the L1 cache).",
	"whatif-encap-vs-direct": "At 10 Gbit/s the wire limits and the difference is the header bytes (exact). At 25 and " +
		"100 Gbit/s a core limits: the numbers rest on the `paper` profile's per-packet costs with offloads off " +
		"(each MTU-sized packet pays every stage), so real NICs with GSO/GRO move far more (whatif-offloads); the " +
		"cores per Gbit/s ratio between modes is the robust output.",
	"whatif-encryption-mtu": fmt.Sprintf("This runs the paper profile's encryption costs, which are assumed. Fragmentation costs the "+
		"second frame's pass through the outer steps and, measured on this project's kernel (calibration/frag/frag-cost.sh), "+
		"%d cycles to fragment and %d to reassemble each packet (calibration.fragment_cycles, reassemble_cycles: "+
		"the two kernel functions alone, a lower bound of what the kernel spent around fragmented traffic there), which takes the "+
		"misconfigured run below 90%% of the link's goodput bound, as the vendor saw. With the ciphers timed on this CPU (the layer "+
		"aead-vm-6.18, `--set calibration.profile=paper,aead-vm-6.18`), cheaper per byte, the same run reaches 99.4%% of the bound "+
		"and that check fails: the vendor's result hinges on the encryption's cost on their hosts, which the kernel's ESP path "+
		"(not measurable on this kernel) sets. Trust the fragmentation ordering (a too-large pod MTU is slower), not the "+
		"encrypted throughput.", network.DefaultFragmentCycles, network.DefaultReassembleCycles),
	"whatif-offloads": "GSO/TSO and GRO are modelled as super-packets that pay per-packet stage costs once, each frame " +
		"GRO merges paying the receive core's per-frame work (calibration.gro_frame_cycles, 536 cycles measured on this " +
		"project's 6.18 VM through a veth: a NIC's driver adds to it). That per-frame cost bounds the 100 Gbit/s streams, " +
		"and the held-out GRE case below (eight streams on one receive queue, measured by Linux commit 7b3722fa9ef6) " +
		"shows how far it falls short of a real NIC's per-frame work: read the 100 Gbit/s rows as optimistic by " +
		"that check's difference. The per-byte costs are assumed; the gain's direction is robust (tested: more " +
		"offload capability never lowers throughput).",
	"whatif-services": "The rule-walk arithmetic is exact to each proxy's rule structure (closed-form tests); the price " +
		"per rule (17.98 ns) is derived from the kube-proxy nftables blog's p50 slope (an echo), where this machine's " +
		"bare rules measured 3.2-3.6 ns, so it stands for kube-proxy's real rules on the blog's unnamed hardware. " +
		"The linear walk predicts the blog's p90 slope within about 10% but not its convexity (2.9 ns per Service " +
		"from 5,000 to 10,000, 10.5 beyond) nor its p99 tail; the nftables, IPVS and eBPF lookups are flat by construction.",
	"whatif-fabric": "The stage costs are the `paper` profile's (a 2.4 GHz testbed of 2020); the fabric is " +
		"store-and-forward drop-tail with dynamic buffer thresholds and no PFC, and the flows are CUBIC's, so FCT tails " +
		"under loss are those of plain CUBIC over drop-tail (ECN marking and DCTCP exist: fabric.ecn_threshold_bytes, " +
		"tcp.congestion = \"dctcp\"; this experiment does not use them). The fabric's closed forms (bottleneck share, incast drops, " +
		"store-and-forward delay, ECMP spread) are tested in models/network.",
	"whatif-dctcp": "DCTCP follows Linux's tcp_dctcp.c (precise echo, alpha with gain 1/16, one reduction per window " +
		"through PRR) and the switches mark on the instantaneous queue, tested against DCTCP's sawtooth bounds " +
		"in models/network (queue peak, no drops, full goodput; alpha equals the marked fraction but sits 28-35% " +
		"below the paper's lockstep approximation). The stage costs are the `paper` profile's, so where the " +
		"receiving cores bind (VXLAN) the FCTs rest on them; the marking threshold is the Linux Kconfig heuristic " +
		"for 10 Gbit/s, not tuned for 25 GbE.",
	"whatif-queries": "A query's responses are new TCP connections (handshake included, no persistent connections), " +
		"started together when the query arrives (the request's leg to the workers is not modelled), so a response " +
		"of 20 kB goes almost whole in its 10-segment first window, which no congestion control can shape: DCTCP " +
		"helps the queries by keeping the background's queues short, as the paper argues, not by pacing the bursts. " +
		"The incast closed forms (no loss when the buffer holds the first windows, the 200 ms RTO when it does not) " +
		"are tested in models/workload; the stage costs are the `paper` profile's, so where the aggregator's cores " +
		"bind (VXLAN) the QCTs rest on them.",
	"whatif-linux-cubic": "tcp.linux_cubic follows Linux's tcp_cubic.c (HyStart's ACK-train and delay thresholds as in 6.x, " +
		"tested in closed form in models/tcp) and was checked against this VM's kernel on a deep FIFO without fitting: the " +
		"retransmissions of a pod's stream match (55 against 55, 18 against 17-18; RFC 9438's CUBIC 1,395 and 412, README " +
		"\"Limits of the model\"). Not checked on a fabric: the receiving cores' RX rings, where most of RFC 9438's losses " +
		"fall with VXLAN, rest on the `paper` profile's stage costs; the cores per node do not depend on the variant.",
	"whatif-host-qdisc": "fq_codel follows Linux's sch_fq_codel.c and codel_impl.h with their default parameters, quoted, " +
		"not measured (this VM's kernel has no fq_codel): its flow queues, CoDel's drop schedule and limit are tested in " +
		"models/network. The FIFO rows rest on tcp.stack = \"linux\"'s TCP small queues ending at the node's IP stack, " +
		"checked against this kernel (README \"Limits of the model\"); the per-packet costs are the `paper` profile's, " +
		"and the node has one transmit queue where a multi-queue NIC has an fq_codel per queue (mq).",
	"testbed-validation": "This is the validation: per-packet costs calibrated by `cnisim testbed` on this machine's " +
		"kernel, each configuration predicted with a profile that never saw it. Its error is the model's error on " +
		"a kernel like this one for the configurations it covers (routed, bridge, eBPF, VXLAN, rules). The TCP_RR " +
		"columns are the simulator's, with the profile calibrated from the same run's streams: the RR runs never " +
		"entered it, so they are predictions, and they come out short because a stream's calibration holds no " +
		"per-call cost a 1-byte RR pays.",
}
