#!/bin/bash
# Where a sender's TCP small queues stop counting its packets (root;
# iperf3, tc, ss, ethtool). Three namespaces in a line, sender - middle -
# receiver, joined by veth pairs with TSO, GSO and GRO off (as the incast
# testbed's); the sender's egress is an 11 Mbit/s tbf and the middle's
# toward the receiver a 10 Mbit/s tbf with a 1 MB queue, so a bulk stream
# keeps tens of packets waiting in the middle. MODE=routed (the default):
# the middle routes (a node routing its pods' traffic); MODE=bridged: it
# bridges, with netfilter off for bridged frames (BRIDGE_NF=0, the incast
# testbed's bridge) or on (BRIDGE_NF=1: net.bridge.bridge-nf-call-iptables,
# which Kubernetes nodes set). Prints, three times a second apart, the
# sender socket's skmem (t = sk_wmem_alloc, the bytes TSQ counts) and the
# middle tbf's backlog. Measured on kernel 6.18 (2026-12-07, two runs
# each): routed t = 0-4,560 (at most the two skbs in the sender's own tbf)
# with 81-122 packets in the middle's queue (the first IP stack to receive
# an skb orphans it, ip_rcv_core); bridged with BRIDGE_NF=1 the same (0-
# 4,560 with 81-122 queued: br_netfilter's IP hooks); bridged with
# BRIDGE_NF=0 t = 124,248-209,760 with 49-61 queued, the skbs in the
# middle counted and the sender held back by them (an skb keeps its
# socket across veths and a plain bridge until the receiver's IP stack
# takes it).
# MODE=ebpf: routed, but a tc ingress eBPF program on the middle's veth
# from the sender bpf_redirects the sender's packets to the egress toward
# the receiver (testbed/bpfredirect, as Cilium's BPF host routing skips the
# node's IP stack): measured 2026-12-07, see README "Limits of the model".
# Everything it makes is named cn40* and removed on exit, error or signal.
#
#   calibration/tsq/tsq-orphan.sh
#   MODE=bridged calibration/tsq/tsq-orphan.sh
#   MODE=bridged BRIDGE_NF=1 calibration/tsq/tsq-orphan.sh
#   MODE=ebpf calibration/tsq/tsq-orphan.sh
set -eu
MODE=${MODE:-routed}
case $MODE in routed | bridged | ebpf) ;; *) echo "tsq-orphan.sh: MODE=$MODE: want routed, bridged or ebpf" >&2; exit 2 ;; esac
case ${BRIDGE_NF:=0} in 0 | 1) ;; *) echo "tsq-orphan.sh: BRIDGE_NF=$BRIDGE_NF: want 0 or 1" >&2; exit 2 ;; esac
. "$(dirname "$0")/line.sh"
tmp=$(mktemp -d)
cleanup() {
	line_cleanup cn40
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
line_cleanup cn40 # a killed run's
line_build cn40
tc -n cn40a qdisc add dev cn40ab root tbf rate 11mbit burst 1514 limit 1000000
if [ "$MODE" != bridged ]; then
	line_route cn40 40
else
	ip -n cn40b link add cn40br type bridge
	ip -n cn40b link set cn40ba master cn40br
	ip -n cn40b link set cn40bc master cn40br
	ip -n cn40b link set cn40br up
	if [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]; then ip netns exec cn40b sysctl -qw net.bridge.bridge-nf-call-iptables="$BRIDGE_NF"; fi
	ip -n cn40a addr add 10.40.2.3/24 dev cn40ab
	ip -n cn40c addr add 10.40.2.2/24 dev cn40cb
fi
tc -n cn40b qdisc add dev cn40bc root tbf rate 10mbit burst 1514 limit 1000000
if [ "$MODE" = ebpf ]; then
	# the sender's packets skip the middle's IP stack: a tc ingress program
	# on its veth rewrites their MACs and bpf_redirects them to the egress
	# toward the receiver (Cilium's host routing; its ACKs come back routed)
	(cd "$(dirname "$0")/../.." && go build -o "$tmp/sender" ./calibration/perf/testdata/perf/sender)
	mac=$(ip -n cn40c -j link show cn40cb | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["address"])')
	"$tmp/sender" redirect -netns cn40b -mode egress -attach cn40ba -route "10.40.2.2,cn40bc,$mac"
fi
ip netns exec cn40c iperf3 -s -1 -D >/dev/null 2>&1
sleep 0.3
ip netns exec cn40a iperf3 -c 10.40.2.2 -t 3 -C cubic >/dev/null 2>&1 &
sleep 1.5
tmax=0 qmax=0
for i in 1 2 3; do
	sk=$(ip netns exec cn40a ss -tinm dst 10.40.2.2 | grep -o 'skmem:([^)]*)' | tail -1)
	q=$(tc -n cn40b -s qdisc show dev cn40bc | grep -o 'backlog [0-9A-Za-z]* [0-9]*p')
	echo "$MODE: sender $sk, middle's tbf $q"
	t=$(echo "$sk" | sed -n 's/.*,t\([0-9]*\),.*/\1/p')
	p=$(echo "$q" | sed -n 's/.* \([0-9]*\)p$/\1/p')
	[ -n "$t" ] && [ "$t" -gt "$tmax" ] && tmax=$t
	[ -n "$p" ] && [ "$p" -gt "$qmax" ] && qmax=$p
	sleep 1
done
wait
what=$MODE
[ "$MODE" = bridged ] && what="$MODE (bridge-nf-call-iptables $BRIDGE_NF)"
echo "$what: the sender's TSQ counted at most $tmax bytes; the middle queued at most $qmax packets"
