#!/bin/sh
# Does a pod's TCP stream over a node's VXLAN device fragment, or does the
# kernel make it send smaller segments? (root; iperf3, ss, nstat) A pod
# namespace whose interface has MTU 1500 sends through a node namespace
# that forwards it (net.ipv4.ip_forward = 1, as a CNI's node does) into a
# VXLAN device of MTU $TMTU over a veth of MTU 1500 to a remote node
# namespace, whose own VXLAN address serves iperf3; prints the pod
# socket's MSS and path MTU (ss -tin) during the stream, the IP packets
# the remote reassembled and the ICMP errors the pod received (nstat).
#
#   calibration/frag/pod-pmtu.sh 1500   # the tunnel device as large as the pods: fragments
#   calibration/frag/pod-pmtu.sh 1450   # the tunnel device right: the peer's MSS clamps the segments
#
# Everything it creates is named cnipm-* and removed on exit, error and
# signal.
set -eu
TMTU=${1:-1500}
case $TMTU in *[!0-9]* | "") echo "pod-pmtu.sh: tunnel MTU $TMTU (allowed: 1280..1500)" >&2; exit 2 ;; esac
if [ "$TMTU" -lt 1280 ] || [ "$TMTU" -gt 1500 ]; then echo "pod-pmtu.sh: tunnel MTU $TMTU (allowed: 1280..1500)" >&2; exit 2; fi
for t in iperf3 ss nstat; do
	command -v $t >/dev/null || { echo "pod-pmtu.sh: needs $t (apt-get install iperf3 iproute2)" >&2; exit 2; }
done
P=cnipm-p A=cnipm-a B=cnipm-b
cleanup() {
	for ns in $P $A $B; do
		ip netns pids $ns 2>/dev/null | xargs -r kill 2>/dev/null || true
		ip netns del $ns 2>/dev/null || true
	done
}
trap cleanup EXIT
trap 'exit 1' INT TERM
for ns in $P $A $B; do
	ip netns add $ns
	ip -n $ns link set lo up
done
ip link add cnipm-p0 netns $P type veth peer name cnipm-h0 netns $A
ip -n $P addr add 10.81.0.2/24 dev cnipm-p0
ip -n $P link set cnipm-p0 up
ip -n $P route add default via 10.81.0.1
ip -n $A addr add 10.81.0.1/24 dev cnipm-h0
ip -n $A link set cnipm-h0 up
ip link add cnipm-va netns $A type veth peer name cnipm-vb netns $B
ip -n $A addr add 10.79.0.1/24 dev cnipm-va
ip -n $A link set cnipm-va up
ip -n $B addr add 10.79.0.2/24 dev cnipm-vb
ip -n $B link set cnipm-vb up
ip -n $A link add cnipm-t type vxlan id 42 local 10.79.0.1 remote 10.79.0.2 dstport 4789
ip -n $B link add cnipm-t type vxlan id 42 local 10.79.0.2 remote 10.79.0.1 dstport 4789
for ns in $A $B; do ip -n $ns link set cnipm-t mtu "$TMTU"; done
ip -n $A addr add 10.82.0.1/24 dev cnipm-t
ip -n $A link set cnipm-t up
ip -n $B addr add 10.82.0.2/24 dev cnipm-t
ip -n $B link set cnipm-t up
ip -n $B route add 10.81.0.0/24 via 10.82.0.1
ip netns exec $A sysctl -qw net.ipv4.ip_forward=1
ip netns exec $B iperf3 -s -1 >/dev/null 2>&1 &
sleep 0.5
ip netns exec $P iperf3 -c 10.82.0.2 -t 3 -b 500M >/dev/null &
client=$!
sleep 2
# the stream's socket has the largest MSS (iperf3's control connection sends little)
info=$(ip netns exec $P ss -tin dst 10.82.0.2)
mss=$(echo "$info" | grep -o ' mss:[0-9]*' | cut -d: -f2 | sort -n | tail -1)
pmtu=$(echo "$info" | grep -o ' pmtu:[0-9]*' | cut -d: -f2 | sort -n | tail -1)
wait $client
reasm=$(ip netns exec $B nstat -az IpReasmOKs | awk '$1 == "IpReasmOKs" { print $2 }')
icmp=$(ip netns exec $P nstat -az IcmpInDestUnreachs | awk '$1 == "IcmpInDestUnreachs" { print $2 }')
echo "tunnel MTU $TMTU, pod MTU 1500: the stream's MSS $mss, path MTU $pmtu; the remote reassembled $reasm IP packets; the pod received $icmp ICMP destination-unreachable errors"
