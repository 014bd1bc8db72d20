# Sourced by the scripts beside it: three network namespaces in a line,
# ${P}a - ${P}b - ${P}c, joined by veth pairs ${P}ab/${P}ba and
# ${P}bc/${P}cb, all up, with TSO, GSO and GRO off (one skb per segment,
# the model's per-packet regime), the middle routing between its two
# ends (line_route), and their removal.

# line_cleanup P: the namespaces' processes first (a process keeps its
# namespace alive), then the namespaces, which take their veths along.
line_cleanup() {
	for n in "$1a" "$1b" "$1c"; do
		ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null || true
		ip netns del "$n" 2>/dev/null || true
	done
}

# line_build P: the namespaces and their links, no addresses.
line_build() {
	local p=$1 d
	for n in "${p}a" "${p}b" "${p}c"; do
		ip netns add "$n"
		ip -n "$n" link set lo up
	done
	ip link add "${p}ab" type veth peer name "${p}ba"
	ip link set "${p}ab" netns "${p}a"
	ip link set "${p}ba" netns "${p}b"
	ip link add "${p}bc" type veth peer name "${p}cb"
	ip link set "${p}bc" netns "${p}b"
	ip link set "${p}cb" netns "${p}c"
	for d in a:ab b:ba b:bc c:cb; do
		ip -n "$p${d%%:*}" link set "$p${d#*:}" up
		ip netns exec "$p${d%%:*}" ethtool -K "$p${d#*:}" tso off gso off gro off >/dev/null
	done
}

# line_route P N: the middle routes between 10.N.1.0/24 (${P}a, .2; the
# middle .1) and 10.N.2.0/24 (${P}c, .2; the middle .1), as a node routes
# its pods' traffic.
line_route() {
	local p=$1 n=$2
	ip -n "${p}a" addr add "10.$n.1.2/24" dev "${p}ab"
	ip -n "${p}a" route add default via "10.$n.1.1"
	ip -n "${p}b" addr add "10.$n.1.1/24" dev "${p}ba"
	ip -n "${p}b" addr add "10.$n.2.1/24" dev "${p}bc"
	ip -n "${p}c" addr add "10.$n.2.2/24" dev "${p}cb"
	ip -n "${p}c" route add default via "10.$n.2.1"
	ip netns exec "${p}b" sysctl -qw net.ipv4.ip_forward=1
}
