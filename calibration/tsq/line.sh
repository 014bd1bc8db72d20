# Sourced by the scripts beside it: three network namespaces in a line,
# ${P}a - ${P}b - ${P}c, joined by veth pairs ${P}ab/${P}ba and
# ${P}bc/${P}cb, all up, with TSO, GSO and GRO off (one skb per segment,
# the model's per-packet regime), and their removal.

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
