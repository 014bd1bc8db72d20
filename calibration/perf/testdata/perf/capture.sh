#!/usr/bin/env bash
# capture.sh -- real perf captures of CNI-like datapaths on this machine's
# kernel, for calibration fixtures. Each capture builds a topology in network
# namespaces named cnifx-* (nothing else is touched), runs a TCP bulk transfer
# (sender/, built as cnifx-sender) with both ends pinned to one CPU, records
# that CPU with perf (cpu-clock, call stacks) while reading the device and
# socket counters around the window, writes NAME.script.gz (stripped perf
# script text) and replaces NAME's [[capture]] entry in manifest.toml.
#
#   sudo ./capture.sh                      every capture (list: ./capture.sh list)
#   sudo ./capture.sh routed ipt-legacy-1000 nft-100
#   sudo ./capture.sh cleanup              remove leftovers of a killed run
#
# Captures (all: GSO limited to one segment per skb on every device, so that
# every stage sees MTU-sized packets, the per-packet regime of the paper):
#   bridge-1cpu        pod A -- veth -- bridge (host netns) -- veth -- pod B, one /24
#   vxlan-1cpu         pod A vx0 (VXLAN 42, UDP 4789) over a veth underlay to pod B vx0
#                      (bridge.script.gz and vxlan.script.gz are older captures of the
#                      same shapes, system-wide and without counters: TestRealFixtures)
#   routed             Calico-like: pods with /32 and a 169.254.1.1 gateway, host routes
#                      /32 per pod, static neighbours, IP forwarding in the host netns
#   ebpf-peer          Cilium-like: routed + tc ingress eBPF on both host veths that
#                      redirects with bpf_redirect_peer (host IP stack bypassed)
#   ebpf-egress        the same with bpf_redirect to the egress of the peer's host veth
#   ipt-legacy-N       routed + N non-matching kube-proxy-like rules (iptables-legacy):
#                      -d IP/32 -p tcp --dport P -j DROP in chain CNIFX-TW, which FORWARD
#                      jumps to for packets toward the server pod only (-o vb), as
#                      Calico's to-workload chains are: the data packets walk the rules,
#                      the ACKs back to the client do not
#   nft-N              routed + the same N rules as a native nftables chain (no sets),
#                      jumped to from the forward hook by oifname "vb"
#   ipt-legacy-ct-N    ipt-legacy-N behind -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
# TOPO@K is the K-th repetition of TOPO, written as TOPO-rK. The rule series
# (SERIES) is taken in ROUNDS=5 interleaved rounds, each in another order,
# so that the drift of a shared machine (other jobs' load moved the cost of
# one rule by 50% within minutes here) falls on every rule count alike. A capture is taken in the "inline" one-core regime (see regime()), repeated
# up to TRIES=10 times until it is; TOPO:REGIME (e.g. routed:ksoftirqd, written
# as routed-ksoftirqd) asks for another regime, REGIME=any takes the first.
#
# Environment: CPU (1) the CPU everything runs on and perf records; SECS (3)
# the recorded window; PERIOD_NS (250000: 4 kHz of cpu-clock); MBPS (400) the
# client's paced payload rate (0: as fast as it can; a saturated core falls
# into the ksoftirqd regime most of the time); RBUF (32768) the server's read
# size; WARMUP (1)
# seconds of traffic before the window; SERIES_MBPS (100) the pacing of the
# rule series (ipt-legacy-*, nft-*): a rate every rule count sustains, so
# every point of the series runs in the same paced regime (at 400 the
# 5000-rule points were CPU-bound and the others not); a window whose
# payload rate falls below 90% of the pacing is CPU-bound and taken again; CC (cubic) TCP congestion control of
# the sockets (the host default here is bbr, whose per-packet pacing timers
# neither the model nor most nodes run); SENDER (built with go build when
# unset); OUT (this directory); LOCK (/tmp/cpu.lock, flock'ed around each
# recording, waited for at most LOCK_WAIT=60 s, as other jobs share the VM);
# IDLER (1): a SCHED_IDLE spinner (cnifx-idler) on CPU for the window, so
# that the CPU never halts: on hosts where cpu-clock does not sample a
# halted vCPU, short busy bursts lose most of their samples (README.md,
# "Idle that perf does not sample"), and measures the CPU's clock over the
# window with a multiply-add chain (idler_ghz in the manifest: the clock
# that turns cpu-clock time into cycles on a VM whose nominal MHz says
# nothing, README.md "Host 3"); 0 leaves the CPU to halt as before;
# SERIES_RULES ("0 100 1000 5000") the rule counts of the series;
# RCVLOWAT (unset) the server socket's SO_RCVLOWAT in bytes: the reader is
# woken once that much is queued, so its wake-ups and reads per packet are
# the same in every capture (unset, they follow how the scheduler
# interleaved it with the sender, and the rest of the path's cycles per
# packet moved 2.5x between captures on host 3; README.md "Host 3");
# REFPROBE (1): the idler alternates its clock probe with a reference
# kernel workload (calibration/clockprobe.Reference: 1400-byte datagrams
# through an AF_UNIX socket pair, a millisecond of CPU time each), whose ns
# per round trip over the window is the manifest's idler_ref_ns: how fast
# the machine ran kernel work while the capture ran, which the tests
# convert at (README.md "A reference workload"); 0: the clock probe only.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
P=cnifx
CPU=${CPU:-1}
SECS=${SECS:-3}
PERIOD_NS=${PERIOD_NS:-250000}
WARMUP=${WARMUP:-1}
OUT=${OUT:-$HERE}
LOCK=${LOCK:-/tmp/cpu.lock}
LOCK_WAIT=${LOCK_WAIT:-60}
TRIES=${TRIES:-10}
MBPS=${MBPS:-400}
IDLER=${IDLER:-1}
RCVLOWAT=${RCVLOWAT:-}
REFPROBE=${REFPROBE:-1}
PORT=5001
CC=${CC:-cubic}
FIELDS=comm,tid,cpu,time,period,event,ip,sym,dso
SERIES_MBPS=${SERIES_MBPS:-100}
ROUNDS=${ROUNDS:-5}
SERIES_RULES=${SERIES_RULES:-0 100 1000 5000}
SERIES=()
for e in ipt-legacy nft; do for n in $SERIES_RULES; do SERIES+=("$e-$n"); done; done
# rounds R: the series ROUNDS times (round k as @k), round k rotated by 3k
# and every other round reversed, so that no rule count is always first or
# last of a round.
rounds() {
	local k i n=${#SERIES[@]} order
	for ((k = 1; k <= ROUNDS; k++)); do
		order=()
		for ((i = 0; i < n; i++)); do order+=("${SERIES[$(((i + 3 * (k - 1)) % n))]}"); done
		if ((k % 2 == 0)); then
			for ((i = n - 1; i >= 0; i--)); do printf '%s\n' "${order[$i]}@$k"; done
		else
			for ((i = 0; i < n; i++)); do printf '%s\n' "${order[$i]}@$k"; done
		fi
	done | sed 's/@1$//'
}
mapfile -t SERIES_ALL < <(rounds)
ALL=(bridge-1cpu vxlan-1cpu routed ebpf-peer ebpf-egress ipt-legacy-ct-1000 routed:ksoftirqd "${SERIES_ALL[@]}")

# caches CPU: the CPU's caches from sysfs, e.g. "L1d 32K, L1i 32K, L2 512K
# (cpus 1), L3 32768K (cpus 0-1)": what the rule walk's cost depends on
# (README.md, "The rule series").
caches() {
	local d out=()
	for d in /sys/devices/system/cpu/cpu"$1"/cache/index*; do
		local t
		t=$(cat "$d/type")
		case $t in Data) t=d ;; Instruction) t=i ;; *) t= ;; esac
		out+=("L$(cat "$d/level")$t $(cat "$d/size") (cpus $(cat "$d/shared_cpu_list"))")
	done
	local IFS=,
	echo "${out[*]}" | sed 's/,/, /g'
}

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

TMP=
SRV=
CLI=
IDL=
cleanup() {
	[[ -n $CLI ]] && kill "$CLI" 2>/dev/null || true
	[[ -n $SRV ]] && kill "$SRV" 2>/dev/null || true
	[[ -n $IDL ]] && kill "$IDL" 2>/dev/null || true
	CLI= SRV= IDL=
	local ns
	for ns in $(ip netns list | awk '{print $1}' | grep "^$P-" || true); do
		# processes left in our namespaces by a killed run (kill -9)
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
}
finish() { cleanup; if [[ -n $TMP ]]; then rm -rf "$TMP"; fi; }
# temporary directories of killed runs (kill -9 skips the EXIT trap)
remove_stale_tmp() {
	local d
	for d in /tmp/"$P".*; do
		if [[ -d $d && $d != "$TMP" ]]; then rm -rf "$d"; fi
	done
	return 0
}
trap finish EXIT
trap 'exit 130' INT TERM HUP
trap 'log "failed: line $LINENO: $BASH_COMMAND"' ERR

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# ns_new NAME [router]: lo up, IPv6 off (no DAD/MLD noise), rp_filter off.
ns_new() {
	ip netns add "$P-$1"
	nsx "$P-$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	ip -n "$P-$1" link set lo up
	if [[ ${2:-} == router ]]; then nsx "$P-$1" sysctl -qw net.ipv4.ip_forward=1; fi
}

# pod_l3 POD HOSTDEV IP SUFFIX: a Calico-style routed pod (see cni-testbed.sh):
# /32 on eth0, default via 169.254.1.1 (a static neighbour: the host veth's
# MAC), and in the host a /32 route and a static neighbour for the pod.
pod_l3() {
	local pod=$1 hdev=$2 ip=$3 sfx=$4
	ip -n "$P-h" link add "$hdev" address "0e:00:00:00:$sfx" type veth \
		peer name eth0 address "0a:00:00:00:$sfx" netns "$P-$pod"
	ip -n "$P-h" link set "$hdev" up
	ip -n "$P-$pod" link set eth0 up
	ip -n "$P-$pod" addr add "$ip/32" dev eth0
	ip -n "$P-$pod" route add 169.254.1.1 dev eth0 scope link
	ip -n "$P-$pod" route add default via 169.254.1.1 dev eth0
	ip -n "$P-$pod" neigh replace 169.254.1.1 lladdr "0e:00:00:00:$sfx" dev eth0 nud permanent
	nsx "$P-h" sysctl -qw "net.ipv4.conf.$hdev.proxy_arp=1"
	ip -n "$P-h" route add "$ip/32" dev "$hdev" scope link
	ip -n "$P-h" neigh replace "$ip" lladdr "0a:00:00:00:$sfx" dev "$hdev" nud permanent
}

routed() {
	ns_new h router; ns_new a; ns_new b
	pod_l3 a va 10.244.1.2 01:02
	pod_l3 b vb 10.244.1.3 01:03
	DST=10.244.1.3 SDEV=eth0 RDEV=eth0
}

# The rules guard the server pod: FORWARD (the hook both directions cross)
# jumps to them only for packets leaving toward it (-o vb / oifname "vb"),
# like Calico's to-workload chains, so the data packets walk them and the
# client's ACKs do not, and a capture's rule cost per data packet does not
# move with the receiver's ACK ratio (0.02 to 0.09 ACKs per packet here).
# With 0 rules the jump to the empty chain stays (the dispatch is the base).

# rules_ipt N [ct]: iptables-legacy-restore input for the host's filter table.
rules_ipt() {
	local n=$1 i
	echo '*filter'
	echo ':INPUT ACCEPT [0:0]'
	echo ':FORWARD ACCEPT [0:0]'
	echo ':OUTPUT ACCEPT [0:0]'
	echo ":$P-TW - [0:0]"
	[[ ${2:-} == ct ]] && echo '-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'
	echo "-A FORWARD -o vb -j $P-TW"
	for ((i = 0; i < n; i++)); do
		echo "-A $P-TW -d $(svc_ip "$i")/32 -p tcp -m tcp --dport $(svc_port "$i") -j DROP"
	done
	echo COMMIT
}

# rules_nft N: the same rules as one native nftables chain (no sets or maps).
rules_nft() {
	local n=$1 i
	echo 'table ip filter {'
	echo '  chain tw {'
	for ((i = 0; i < n; i++)); do
		echo "    ip daddr $(svc_ip "$i") tcp dport $(svc_port "$i") drop"
	done
	echo '  }'
	echo '  chain forward {'
	echo '    type filter hook forward priority 0; policy accept;'
	echo '    oifname "vb" jump tw'
	echo '  }'
	echo '}'
}

# Service-like destinations that never match the pods' traffic (10.96/16 is
# only named in rules, never used as an address).
svc_ip() { echo "10.96.$(($1 / 250)).$(($1 % 250 + 1))"; }
svc_port() { echo $((1024 + $1 % 4000)); }

# build NAME: the topology of a capture; sets DST (server address), SDEV and
# RDEV (the data device of the sender pod cnifx-a and the receiver pod
# cnifx-b), and the manifest's TOPOLOGY, RULES, ENGINE, DESC.
build() {
	local name=$1 n
	RULES=0 ENGINE=none
	case $name in
	bridge | bridge-1cpu)
		ns_new h; ns_new a; ns_new b
		ip -n "$P-h" link add br0 type bridge stp_state 0
		ip -n "$P-h" link set br0 up
		local i pod
		for i in 1 2; do
			pod=$([[ $i == 1 ]] && echo a || echo b)
			ip -n "$P-h" link add "v$pod" address "0e:00:00:00:01:0$i" type veth \
				peer name eth0 address "0a:00:00:00:01:0$i" netns "$P-$pod"
			ip -n "$P-h" link set "v$pod" master br0 up
			ip -n "$P-$pod" addr add "10.77.0.$i/24" dev eth0
			ip -n "$P-$pod" link set eth0 up
		done
		DST=10.77.0.2 SDEV=eth0 RDEV=eth0 TOPOLOGY=bridge
		DESC="pods on one /24 joined by veths on a Linux bridge in the host netns (Flannel/kube-router intra-host); bridge-nf-call-iptables=$(nsx "$P-h" cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null || echo absent), no rules" ;;
	vxlan | vxlan-1cpu)
		ns_new a; ns_new b
		ip -n "$P-a" link add eth0 type veth peer name eth0 netns "$P-b"
		local i j pod
		for i in 1 2; do
			j=$((3 - i)) pod=$([[ $i == 1 ]] && echo a || echo b)
			ip -n "$P-$pod" addr add "10.78.0.$i/24" dev eth0
			ip -n "$P-$pod" link set eth0 up
			ip -n "$P-$pod" link add vx0 type vxlan id 42 dstport 4789 local "10.78.0.$i" remote "10.78.0.$j" dev eth0
			ip -n "$P-$pod" addr add "10.79.0.$i/24" dev vx0
			ip -n "$P-$pod" link set vx0 up
		done
		DST=10.79.0.2 SDEV=vx0 RDEV=vx0 TOPOLOGY=vxlan
		DESC="two netns, each with a VXLAN device (id 42, UDP 4789, MTU 1450) over one veth pair as underlay; counters on vx0" ;;
	routed)
		routed; TOPOLOGY=routed
		DESC="Calico-like: pods with /32 addresses and a 169.254.1.1 gateway, host netns forwarding with /32 routes, static neighbours" ;;
	ebpf-peer | ebpf-egress)
		routed; TOPOLOGY=$name
		local mode=${name#ebpf-}
		"$SENDER" redirect -netns "$P-h" -mode "$mode" -attach va,vb \
			-route 10.244.1.2,va,0a:00:00:00:01:02 -route 10.244.1.3,vb,0a:00:00:00:01:03
		DESC="Cilium-like: routed topology plus a tc ingress eBPF program (testbed/bpfredirect, direct action, clsact) on both host veths that rewrites the MACs and calls bpf_redirect$([[ $mode == peer ]] && echo _peer || echo ' (egress of the peer host veth)'); host IP stack bypassed" ;;
	ipt-legacy-ct-*)
		n=${name#ipt-legacy-ct-}; routed
		rules_ipt "$n" ct | nsx "$P-h" iptables-legacy-restore
		TOPOLOGY=routed RULES=$n ENGINE=iptables-legacy
		DESC="routed + FORWARD: -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT first, then -o vb -j $P-TW, with $n non-matching rules -d 10.96.x.y/32 -p tcp -m tcp --dport P -j DROP in $P-TW (iptables-legacy)" ;;
	ipt-legacy-*)
		n=${name#ipt-legacy-}; routed
		rules_ipt "$n" | nsx "$P-h" iptables-legacy-restore
		TOPOLOGY=routed RULES=$n ENGINE=iptables-legacy
		DESC="routed + $n non-matching kube-proxy-like rules -d 10.96.x.y/32 -p tcp -m tcp --dport P -j DROP in chain $P-TW, jumped to from FORWARD for packets toward the server pod only (-o vb): data packets walk them, ACKs do not (iptables-legacy; 0 = the jump to the empty chain)" ;;
	nft-*)
		n=${name#nft-}; routed
		rules_nft "$n" | nsx "$P-h" nft -f -
		TOPOLOGY=routed RULES=$n ENGINE=nftables
		DESC="routed + $n non-matching rules 'ip daddr 10.96.x.y tcp dport P drop' in one native nftables chain (no sets), jumped to from the forward hook's base chain by 'oifname \"vb\" jump tw' (toward the server pod only: data packets walk them, ACKs do not; 0 = the jump to the empty chain)" ;;
	*) die "unknown capture $name (./capture.sh list)" ;;
	esac
	[[ $RULES =~ ^[0-9]+$ ]] || die "$name: rule count must be a number"
	# One MTU-sized packet per skb (DESIGN: offloads off by default).
	local ns d
	for ns in $(ip netns list | awk '{print $1}' | grep "^$P-"); do
		for d in $(ip -n "$ns" -o link show | awk -F': ' '{print $2}' | cut -d@ -f1); do
			[[ $d == lo ]] && continue
			ip -n "$ns" link set dev "$d" gso_max_segs 1
		done
	done
}

# features: the offload flags of every device, for the manifest.
features() {
	local ns d out=
	for ns in $(ip netns list | awk '{print $1}' | grep "^$P-" | sort); do
		for d in $(ip -n "$ns" -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | sort); do
			[[ $d == lo ]] && continue
			out+="${ns#$P-}/$d $(nsx "$ns" ethtool -k "$d" 2>/dev/null | awk -F': ' '
				/^tcp-segmentation-offload:/ {t=$2} /^generic-segmentation-offload:/ {g=$2}
				/^generic-receive-offload:/ {r=$2} END {printf "tso=%s gso=%s gro=%s", t, g, r}')"
			out+=" mtu=$(nsx "$ns" cat /sys/class/net/$d/mtu) gso_max_segs=$(ip -n "$ns" -d link show "$d" | grep -o 'gso_max_segs [0-9]*' | cut -d' ' -f2); "
		done
	done
	echo "${out%; }"
}

# snap: "TIME TX_PACKETS TX_BYTES ACKS BYTES_RECEIVED BYTES_SENT" read by
# netlink within milliseconds (sender/snap.go); TIME is CLOCK_MONOTONIC,
# perf's clock with -k CLOCK_MONOTONIC.
snap_cmd() { echo "$SENDER snap $P-a $SDEV $P-b $RDEV $PORT"; }
# idle_cmd prints the recorded CPU's idle and iowait jiffies (/proc/stat).
idle_cmd() { echo "awk '\$1 == \"cpu$CPU\" {print \$5 + \$6}' /proc/stat"; }
# probe_cmd prints the idler's clock probe: its chain steps so far and its
# threads' run time in ns (schedstat), then its reference round trips and
# the CPU time in ns of its chain and reference phases (sender/probe.go);
# "0 0 0 0 0" without the idler.
probe_cmd() {
	if ((IDLER)); then
		echo "echo \$(od -An -tu8 -N8 $TMP/probe) \$(cat /proc/$IDL/task/*/schedstat | awk '{s += \$1} END {printf \"%.0f\", s}') \$(od -An -tu8 -j8 -N24 $TMP/probe)"
	else
		echo "echo 0 0 0 0 0"
	fi
}
# regime ALL TRAFFIC KSOFTIRQD IDLE OTHER: the one-core scheduling regime of
# a window. On this VM the softirqs of the path either run inline in the
# traffic processes (ksoftirqd < 2% of the traffic's busy samples: about
# 17k cycles per data packet routed) or are handed to ksoftirqd (> 10%:
# 4-5x the cycles per packet, most samples at IRQ re-enable under
# handle_softirqs); which one a run falls into is not under our control, so
# a capture is repeated until its window is in the wanted regime.
regime() {
	awk -v t="$2" -v k="$3" 'BEGIN {r = k / (t + k + 1e-9); print (r < 0.02 ? "inline" : r > 0.10 ? "ksoftirqd" : "mixed")}'
}

# capture SPEC: build, run, record, write NAME.script.gz and its manifest
# entry. SPEC is TOPO (in the $REGIME regime, default inline) or
# TOPO:REGIME, written as TOPO-REGIME.
capture() {
	local spec=${1%@*} rep=1 want=${REGIME:-inline} tries=0
	[[ $1 == *@* ]] && rep=${1##*@}
	[[ $rep =~ ^[1-9][0-9]*$ ]] || die "$1: repetition must be a number >= 1"
	local topo=${spec%%:*} name=$spec
	[[ $spec == *:* ]] && want=${spec#*:} name=$topo-${spec#*:}
	((rep == 1)) || name=$name-r$rep
	REP=$rep
	# the client's pacing: the rule series at SERIES_MBPS, the rest at MBPS
	case $topo in ipt-legacy-* | nft-*) RATE=$SERIES_MBPS ;; *) RATE=$MBPS ;; esac
	[[ $RATE =~ ^[0-9]+$ ]] || die "MBPS and SERIES_MBPS must be whole Mbit/s (0: unpaced)"
	case $want in inline | ksoftirqd | any) ;; *) die "$spec: regime must be inline, ksoftirqd or any" ;; esac
	until record "$topo" "$name" "$want"; do
		((++tries < TRIES)) || die "$name: no $want-regime window in $TRIES attempts"
		log "$name: attempt $tries was in the $REGIME_GOT regime, want $want: again"
	done
}

# record TOPO NAME REGIME: one attempt; false when the window's regime is
# not the one wanted (nothing written then).
record() {
	local topo=$1 name=$2 want=$3 data=$TMP/$1.data
	cleanup
	build "$topo"
	if ((IDLER)); then
		chrt -i 0 taskset -c "$CPU" env GOMAXPROCS=1 "$TMP/cnifx-idler" idle "$((WARMUP + SECS + 120))s" "$TMP/probe" $( ((REFPROBE)) && echo ref) &
		IDL=$!
	fi
	ip netns exec "$P-b" taskset -c "$CPU" env GOMAXPROCS=1 CNIFX_CC="$CC" CNIFX_RBUF="${RBUF:-32768}" CNIFX_RCVLOWAT="$RCVLOWAT" "$SENDER" server "$DST:$PORT" &
	SRV=$!
	sleep 0.3
	local try=0
	until nsx "$P-a" timeout 1 bash -c "exec 3<>/dev/tcp/$DST/$PORT" 2>/dev/null; do
		((++try < 20)) || die "$name: no TCP connection to $DST:$PORT"
		sleep 0.25
	done
	ip netns exec "$P-a" taskset -c "$CPU" env GOMAXPROCS=1 CNIFX_CC="$CC" CNIFX_MBPS="$RATE" "$SENDER" client "$DST:$PORT" "$((WARMUP + SECS + 120))s" >/dev/null 2>"$TMP/client.err" &
	CLI=$!
	sleep "$WARMUP"
	nsx "$P-b" ss -tiH state established "( sport = :$PORT )" | grep -qw "$CC" || die "$name: the connection does not use $CC"
	local loadavg s0 sb0 r0 b0 t0 s1 sb1 r1 b1 t1
	loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
	DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	# The counters are read by perf's workload, so that they bracket the
	# sampled window (perf enables its events before it starts the workload
	# and stops when it exits; its own start-up takes seconds on a loaded VM).
	# The reads run on another CPU, off the recorded one.
	perf record -q -e cpu-clock -c "$PERIOD_NS" -C "$CPU" -g -k CLOCK_MONOTONIC -o "$data" -- \
		taskset -c "$OTHER_CPU" sh -c "$(snap_cmd) >$TMP/c0 && $(idle_cmd) >$TMP/i0 && $(probe_cmd) >$TMP/p0 && sleep $SECS && $(snap_cmd) >$TMP/c1 && $(idle_cmd) >$TMP/i1 && $(probe_cmd) >$TMP/p1" 2>"$TMP/perf.log"
	local w0 w1 i0 i1
	read -r t0 s0 sb0 r0 b0 w0 <"$TMP/c0"
	read -r t1 s1 sb1 r1 b1 w1 <"$TMP/c1"
	read -r i0 <"$TMP/i0"
	read -r i1 <"$TMP/i1"
	# The idler's clock over the window: its chain steps
	# (calibration/clockprobe) over its run time.
	local ps0 pr0 pt0 pc0 pn0 ps1 pr1 pt1 pc1 pn1
	read -r ps0 pr0 pt0 pc0 pn0 <"$TMP/p0"
	read -r ps1 pr1 pt1 pc1 pn1 <"$TMP/p1"
	PROBE_STEPS=$((ps1 - ps0)) PROBE_NS=$((pr1 - pr0))
	REF_TRIPS=$((pt1 - pt0)) REF_NS=$((pn1 - pn0))
	# With the reference workload, the clock is the chain's steps over
	# the chain phases' own CPU time.
	((REFPROBE)) && PROBE_NS=$((pc1 - pc0))
	((b1 > b0)) || die "$name: no payload counted by ss over the window"
	local feat
	feat=$(features)
	if ! kill -0 "$CLI" 2>/dev/null; then
		log "$name: the client stopped before the window ended: $(cat "$TMP/client.err")"
		REGIME_GOT=failed
		rm -f "$data"
		return 1
	fi
	kill "$CLI" "$SRV" 2>/dev/null || true
	wait "$CLI" 2>/dev/null || true
	CLI=
	wait "$SRV" 2>/dev/null || true
	SRV=
	cleanup
	# Only the samples between the counter reads.
	local win="$t0,$t1"
	# Samples by comm: the traffic, its deferred softirqs, idle, other jobs.
	local samples
	samples=$(perf script -i "$data" --time "$win" -F comm 2>/dev/null | awk -v k="ksoftirqd/$CPU" '
		{n++} $1 == "cnifx-sender" {t++} $1 == k {s++} $1 == "swapper" || $1 == "cnifx-idler" {i++}
		END {printf "%d %d %d %d %d", n, t, s, i, n - t - s - i}')
	local pk=$((s1 - s0)) acks=$((r1 - r0)) pay=$((b1 - b0))
	REGIME_GOT=$(regime $samples)
	# A paced client that fell short of its rate was CPU-bound: another
	# regime (back-to-back packets, fewer switches to other jobs per packet).
	local mbps
	mbps=$(awk -v p="$pay" -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", p * 8 / (b - a) / 1e6}')
	if ((RATE > 0)) && awk -v m="$mbps" -v r="$RATE" 'BEGIN {exit !(m < 0.9 * r)}'; then
		REGIME_GOT=cpu-bound
	fi
	# cpu-clock lost more than 5% of the window's periods (the host did not
	# run this vCPU): the samples no longer measure the window's time. Idle
	# time the kernel does not sample (a tickless idle vCPU halts: cpu-clock
	# sees no swapper samples on some hosts) is not lost: /proc/stat's idle
	# jiffies of the CPU over the window, less the idle samples, are
	# subtracted from the window first.
	local idle_s
	idle_s=$(awk -v j="$((i1 - i0))" -v hz="$(getconf CLK_TCK)" -v n="$(echo "$samples" | cut -d' ' -f4)" -v p="$PERIOD_NS" \
		'BEGIN {u = j / hz - n * p / 1e9; print (u > 0 ? u : 0)}')
	if awk -v n="${samples%% *}" -v p="$PERIOD_NS" -v a="$t0" -v b="$t1" -v u="$idle_s" 'BEGIN {exit !(n * p / 1e9 < 0.95 * (b - a - u))}'; then
		REGIME_GOT=lost-samples
	fi
	log "$name: $REGIME_GOT regime, $pk data packets, $acks ACKs, $pay payload bytes ($mbps Mbit/s, paced at $RATE), samples (all traffic ksoftirqd idle other) $samples in $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}') s"
	if [[ $want != any && $REGIME_GOT != "$want" ]]; then
		rm -f "$data"
		return 1
	fi
	# Other jobs' samples (and the idler's) keep their header (comm, CPU,
	# time, period) and leaf frame only: filters and totals see them, the
	# file stays small.
	perf script -i "$data" --time "$win" -F "$FIELDS" 2>/dev/null | awk -v k="ksoftirqd/$CPU" '
		BEGIN {RS = ""; ORS = "\n\n"}
		$1 == "cnifx-sender" || $1 == k || $1 == "swapper" {print; next}
		{n = split($0, l, "\n"); print (n > 1 ? l[1] "\n" l[2] : l[1])}' | gzip -9n >"$OUT/$name.script.gz"
	rm -f "$data"
	TOPO_NAME=$topo
	entry "$name" "$pk" "$((sb1 - sb0))" "$acks" "$pay" "$t0" "$t1" "$samples" "$loadavg" "$feat" "$((w1 - w0))" | sed '/^$/d' >"$TMP/$name.entry" # optional keys leave empty lines: a blank line ends an entry
	manifest_put "$name" "$TMP/$name.entry"
}

# probe_entry: the manifest's idler_ghz, the recorded CPU's clock over the
# window as the idler's probe measured it (none without the idler, or when
# it ran under 50 ms of the window).
probe_entry() {
	((IDLER && PROBE_NS > 50000000)) || return 0
	local cps
	cps=$("$SENDER" cycles-per-step)
	printf 'idler_ghz = %s\n' "$(awk -v c="$cps" -v s="$PROBE_STEPS" -v n="$PROBE_NS" 'BEGIN {printf "%.4f", c * s / n}')"
	printf 'idler_ghz_source = "measured: the idler'"'"'s clock probe, %d multiply-add steps of %d cycles (calibration/clockprobe) in %d ns of its run time over the window"\n' "$PROBE_STEPS" "$cps" "$PROBE_NS"
	((REFPROBE && REF_TRIPS > 0)) || return 0
	printf 'idler_ref_ns = %s\n' "$(awk -v t="$REF_TRIPS" -v n="$REF_NS" 'BEGIN {printf "%.1f", n / t}')"
	printf 'idler_ref_source = "measured: the idler'"'"'s reference workload, %d round trips of a 1400-byte datagram through an AF_UNIX socket pair in %d ns of its CPU time over the window"\n' "$REF_TRIPS" "$REF_NS"
}

toml_str() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }

entry() {
	local name=$1 pk=$2 bytes=$3 acks=$4 pay=$5 t0=$6 t1=$7 loadavg=$9 feat=${10} sentb=${11}
	local samples st ss si so
	read -r samples st ss si so <<<"$8"
	cat <<EOF
[[capture]]
name = "$name"
file = "$name.script.gz"
topology = "$TOPOLOGY"
description = $(toml_str "$DESC")
capture_spec = "$TOPO_NAME"
repetition = $REP
foreign_samples = "samples of other comms keep their header line and leaf frame only"
pacing_mbps = $RATE
regime = "$REGIME_GOT"
regime_rule = "inline: ksoftirqd/$CPU samples < 2% of traffic + ksoftirqd samples; ksoftirqd: > 10%; mixed: between; cpu-bound: payload below 90% of pacing_mbps; lost-samples: samples x period below 95% of the window (capture.sh regime)"
rules = $RULES
rule_engine = "$ENGINE"
offloads = "gso_max_segs=1 on every device (one MTU-sized packet per skb); other flags at their defaults"
device_features = $(toml_str "$feat")
cpus = "$CPU"
event = "cpu-clock"
period_ns = $PERIOD_NS
duration_s = $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')
sampled_s = $(awk -v n="$samples" -v p="$PERIOD_NS" 'BEGIN{printf "%.3f", n*p/1e9}')
samples_traffic = $st
samples_ksoftirqd = $ss
samples_idle = $si
samples_other = $so
samples = $samples
data_packets = $pk
data_packets_counter = "tx_packets of cnifx-a/$SDEV (sender pod), netlink"
data_bytes = $bytes
ack_packets = $acks
ack_packets_counter = "tx_packets of cnifx-b/$RDEV (receiver pod: pure ACKs), netlink"
payload_bytes = $pay
payload_bytes_counter = "tcpi_bytes_received of the receiver's socket (sock_diag), difference over the window"
payload_bytes_sent = $sentb
payload_bytes_sent_counter = "tcpi_bytes_sent of the sender's socket (sock_diag; retransmissions included)"
cpu_ghz = $GHZ
cpu_ghz_source = "/proc/cpuinfo 'cpu MHz' of CPU $CPU ($MHZ MHz)"
cpu_model = $(toml_str "$MODEL")
caches = $(toml_str "$CACHES")
kernel = "$(uname -r)"
perf_version = $(toml_str "$(perf --version)")
date = "$DATE"
loadavg = "$loadavg"
command = $(toml_str "perf record -e cpu-clock -c $PERIOD_NS -C $CPU -g -k CLOCK_MONOTONIC -- taskset -c $OTHER_CPU sh -c 'cnifx-sender snap ...; sleep $SECS; cnifx-sender snap ...'; perf script --time T0,T1 -F $FIELDS | gzip -9n")
window_monotonic = [$t0, $t1]
tcp_congestion_control = "$CC"
traffic = $(toml_str "taskset -c $CPU cnifx-sender server $DST:$PORT (in cnifx-b); taskset -c $CPU cnifx-sender client $DST:$PORT (in cnifx-a, stopped after the window), GOMAXPROCS=1 CNIFX_CC=$CC CNIFX_MBPS=$RATE CNIFX_RBUF=${RBUF:-32768}, 64 KiB writes; window starts after ${WARMUP}s")
comms = ["cnifx-sender"]
softirq_comms = ["ksoftirqd/$CPU"]
$(probe_entry)
${RCVLOWAT:+rcvlowat = $RCVLOWAT}
idler = $(toml_str "$( ((IDLER)) && echo "cnifx-idler: a SCHED_IDLE spinner on CPU $CPU (sender idle), so the CPU never halts and cpu-clock samples every period; its samples count as idle" || echo none)")
EOF
}

# manifest_put NAME FILE: replace NAME's entry in manifest.toml (entries are
# blank-line separated paragraphs) or append it.
manifest_put() {
	local m=$OUT/manifest.toml
	[[ -f $m ]] || printf '%s\n' \
		'# Real perf captures in this directory, written by capture.sh (see README.md).' \
		'# One [[capture]] per NAME.script.gz; counters are differences over the recorded window, and the
# file holds only the samples between the two counter reads (window_monotonic, perf -k CLOCK_MONOTONIC).' \
		'# Provenance of every number: measured on this machine by capture.sh (command, date, kernel' \
		'# and CPU in each entry).' >"$m"
	awk -v f="file = \"$1.script.gz\"" 'BEGIN {RS = ""; ORS = "\n\n"} index($0, f) == 0' "$m" >"$TMP/manifest"
	cat "$2" >>"$TMP/manifest"
	sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$TMP/manifest" >"$m"
}

main() {
	if [[ ${1:-} == list ]]; then
		printf '%s\n' "${ALL[@]}"
		return 0
	fi
	[[ $EUID -eq 0 ]] || die "run as root (network namespaces, perf -C)"
	if [[ ${1:-} == cleanup ]]; then
		cleanup
		remove_stale_tmp
		return 0
	fi
	local t
	for t in perf ip ss taskset ethtool iptables-legacy-restore nft gzip awk flock; do
		command -v "$t" >/dev/null || die "missing $t (apt-get install -y iptables nftables ethtool iproute2 linux-perf)"
	done
	[[ $CPU =~ ^[0-9]+$ && -d /sys/devices/system/cpu/cpu$CPU ]] || die "CPU=$CPU: no such CPU"
	OTHER_CPU=$(awk -v c="$CPU" '/^processor/ && $3 != c {print $3; exit}' /proc/cpuinfo)
	[[ -n $OTHER_CPU ]] || die "needs a second CPU for the counter reads"
	TMP=$(mktemp -d /tmp/$P.XXXXXX)
	if [[ -z ${SENDER:-} ]]; then
		SENDER=$TMP/cnifx-sender
		(cd "$HERE" && go build -o "$SENDER" ./sender) || die "go build ./sender failed"
	fi
	[[ $(basename "$SENDER") == cnifx-sender ]] || die "SENDER must be named cnifx-sender (the comm the manifest names)"
	ln -sf "$SENDER" "$TMP/cnifx-idler"
	MHZ=$(awk -F': ' -v c="$CPU" '/^processor/ {p = $2} /^cpu MHz/ && p == c {print $2; exit}' /proc/cpuinfo)
	GHZ=$(awk -v m="$MHZ" 'BEGIN {printf "%.3f", m / 1000}')
	MODEL=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
	CACHES=$(caches "$CPU")
	cleanup # leftovers of a killed run
	remove_stale_tmp
	local names=("$@")
	((${#names[@]})) || names=("${ALL[@]}")
	local n
	for n in "${names[@]}"; do
		exec 9>>"$LOCK"
		flock -w "$LOCK_WAIT" 9 || log "lock $LOCK busy for ${LOCK_WAIT}s, recording anyway"
		capture "$n"
		flock -u 9
	done
}

main "$@"
