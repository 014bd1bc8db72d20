# Sourced (not run) by calibration/gro/gro-frame.sh,
# calibration/gso/gso-segment.sh and calibration/frag/frag-cost.sh, which set SCRIPT (their name, for
# messages), P (the prefix of everything they create, e.g. cnigro) and NET
# (the first three octets of the veth pair's /24). It reads GHZ (default:
# /proc/cpuinfo's CPU 0), makes the temporary directory $dir, arms the
# removal of the namespaces, their processes, a perf recording ($perfpid)
# and $dir on exit, error and signal, checks for iperf3, ethtool and perf,
# and builds the namespaces $A and $B joined by the veth pair $P-va
# ($NET.1, in $A) and $P-vb ($NET.2, in $B), up.
GHZ=${GHZ:-$(awk -F: '/^cpu MHz/ {printf "%.4f", $2/1000; exit}' /proc/cpuinfo)}
A=$P-a B=$P-b
dir=$(mktemp -d)
perfpid=""
cleanup() {
	[ -z "$perfpid" ] || kill "$perfpid" 2>/dev/null || true
	for ns in $A $B; do ip netns pids $ns 2>/dev/null | xargs -r kill 2>/dev/null || true; done
	ip netns del $A 2>/dev/null || true
	ip netns del $B 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
for t in iperf3 ethtool perf; do
	command -v $t >/dev/null || { echo "$SCRIPT: needs $t (apt-get install iperf3 ethtool linux-perf)" >&2; exit 2; }
done
ip netns add $A
ip netns add $B
ip link add $P-va netns $A type veth peer name $P-vb netns $B
ip -n $A addr add $NET.1/24 dev $P-va
ip -n $B addr add $NET.2/24 dev $P-vb
for ns in $A $B; do ip -n $ns link set lo up; done
ip -n $A link set $P-va up
ip -n $B link set $P-vb up
