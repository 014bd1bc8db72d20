#!/bin/bash
# measure.sh: per-rule cost of non-matching policy rules, iptables-legacy and
# nftables, on this machine. Prints one line per (engine, rules, batch):
#   engine rules batch packets ns_per_packet
# (batch numbers restart in every round), then the date, kernel, CPU, tool
# versions and the load average. Run as root; everything it builds is named
# rulesm-* and removed on exit, error and signal; traffic stays in its two
# namespaces.
#
# Method: N rules in the sender namespace's OUTPUT chain (filter table), each
# a kube-proxy-style service rule that does not match the packet's
# destination (iptables: -d 10.96.x.y/32 -p tcp -m tcp --dport 80 -j ACCEPT;
# nftables: ip daddr 10.96.x.y tcp dport 80 accept). A UDP datagram sent to
# the peer namespace walks every rule synchronously inside sendto(), so the
# time per sendto() minus the time with 0 rules is N x the per-rule cost.
# Each batch times PACKETS sendto() calls in the thread's own CPU time
# (CLOCK_THREAD_CPUTIME_ID: the machine is shared, and wall time would count
# other jobs); the analysis takes the minimum over batches (interference
# only adds time).
set -euo pipefail
export PATH=/usr/sbin:/sbin:$PATH
RULES=${RULES:-"0 100 1000 2000 5000"}
ROUNDS=${ROUNDS:-5}
BATCHES=${BATCHES:-3}
PACKETS=${PACKETS:-2000}
A=rulesm-a B=rulesm-b

cleanup() {
	ip netns del $A 2>/dev/null || true
	ip netns del $B 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

setup() {
	cleanup
	ip netns add $A
	ip netns add $B
	ip link add rulesm-va netns $A type veth peer name rulesm-vb netns $B
	ip -n $A addr add 10.250.0.1/24 dev rulesm-va
	ip -n $B addr add 10.250.0.2/24 dev rulesm-vb
	ip -n $A link set lo up
	ip -n $B link set lo up
	ip -n $A link set rulesm-va up
	ip -n $B link set rulesm-vb up
	# a static neighbour: no ARP in the timed loop
	mac=$(ip -n $B -o link show rulesm-vb | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	ip -n $A neigh replace 10.250.0.2 lladdr "$mac" dev rulesm-va nud permanent
	# answer nothing: no ICMP port-unreachable work on the peer
	ip netns exec $B sysctl -qw net.ipv4.icmp_ratelimit=1000000 >/dev/null
}

rules_iptables() { # N: replaces the OUTPUT chain
	{
		echo "*filter"
		echo ":OUTPUT ACCEPT [0:0]"
		for ((i = 0; i < $1; i++)); do
			echo "-A OUTPUT -d 10.96.$((i / 250)).$((i % 250 + 1))/32 -p tcp -m tcp --dport 80 -j ACCEPT"
		done
		echo "COMMIT"
	} | ip netns exec $A iptables-legacy-restore
}

rules_nftables() { # N: replaces the table
	{
		echo "table ip rulesm {}"
		echo "delete table ip rulesm"
		echo "table ip rulesm {"
		echo "  chain out { type filter hook output priority 0; policy accept;"
		for ((i = 0; i < $1; i++)); do
			echo "    ip daddr 10.96.$((i / 250)).$((i % 250 + 1)) tcp dport 80 accept"
		done
		echo "  }"
		echo "}"
	} | ip netns exec $A nft -f -
}

clear_rules() {
	ip netns exec $A iptables-legacy -F OUTPUT 2>/dev/null || true
	ip netns exec $A nft delete table ip rulesm 2>/dev/null || true
}

timeit() { # engine N
	ip netns exec $A python3 - "$1" "$2" "$BATCHES" "$PACKETS" <<'PY'
import socket, sys, time
engine, rules, batches, packets = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
dst, msg = ("10.250.0.2", 9), b"x" * 64
for _ in range(200):  # warm caches
    s.sendto(msg, dst)
for b in range(batches):
    t0 = time.thread_time_ns()
    for _ in range(packets):
        s.sendto(msg, dst)
    dt = time.thread_time_ns() - t0
    print(f"{engine} {rules} {b} {packets} {dt / packets:.1f}")
PY
}

# Rounds interleave every configuration, so a busy spell of the shared
# machine does not fall on one configuration only.
setup
for ((round = 0; round < ROUNDS; round++)); do
	for engine in iptables nftables; do
		for n in $RULES; do
			clear_rules
			rules_$engine "$n"
			timeit $engine "$n"
		done
	done
done
clear_rules
echo "# date $(date -u +%Y-%m-%dT%H:%MZ) kernel $(uname -r) cpu $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1) x $(nproc) iptables $(iptables-legacy -V | sed 's/iptables //') nft $(nft -v | sed 's/nftables //') rounds $ROUNDS batches $BATCHES packets $PACKETS load $(cut -d' ' -f1-3 /proc/loadavg)"
