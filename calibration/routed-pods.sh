# Sourced (not run) by calibration/udp/udp-sender.sh and
# calibration/stream/one-stream.sh, which set P (the prefix of everything
# they create, e.g. cniudp) and NET (the first three octets of the pods'
# addresses). It arms the removal of the namespaces, their processes and
# the files named in $cleanfiles on exit, error and signal, and builds two
# pod namespaces $A ($NET.2) and $B ($NET.3), each joined by a veth pair
# (eth0 in the pod, $P-va and $P-vb in the node) to a node namespace $H
# that routes between them as Calico's native routing does: /32
# addresses, the gateway 169.254.1.1 answered by proxy ARP, a host route
# per pod.
A=$P-a B=$P-b H=$P-h
cleanfiles=""
cleanup() {
	for ns in $A $B $H; do
		ip netns pids $ns 2>/dev/null | xargs -r kill 2>/dev/null || true
		ip netns del $ns 2>/dev/null || true
	done
	[ -z "$cleanfiles" ] || rm -rf $cleanfiles
}
trap cleanup EXIT
trap 'exit 1' INT TERM
for ns in $A $B $H; do
	ip netns add $ns
	ip -n $ns link set lo up
done
ip netns exec $H sysctl -qw net.ipv4.ip_forward=1
# the pods' gateway, answered by the node for both (Calico's 169.254.1.1)
ip -n $H addr add 169.254.1.1/32 dev lo
for side in "$A va $NET.2" "$B vb $NET.3"; do
	set -- $side
	ip link add $P-$2 netns $H type veth peer name eth0 netns $1
	ip -n $1 addr add "$3/32" dev eth0
	ip -n $1 link set eth0 up
	ip -n $1 route add 169.254.1.1 dev eth0 scope link
	ip -n $1 route add default via 169.254.1.1 dev eth0
	ip -n $H link set $P-$2 up
	ip netns exec $H sysctl -qw net.ipv4.conf.$P-$2.proxy_arp=1
	ip -n $H route add "$3/32" dev $P-$2
done
