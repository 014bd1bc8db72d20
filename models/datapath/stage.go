package datapath

import (
	"fmt"
	"slices"
	"strings"
)

// Kind is a canonical stage kind: the unit of cost in calibration profiles
// and of the CPP breakdown in results (DESIGN 2, "Datapath graphs").
type Kind uint8

// The canonical stage kinds. Their order is the order of reports.
const (
	Veth Kind = iota
	Bridge
	FIB
	IPForward
	Netfilter
	EBPF
	VXLAN
	Geneve
	IPIP
	GRE
	OVS
	Userspace
	Encrypt
	TCP
	SocketCopy
	NIC
	// Generic kernel work that every path does somewhere (issue 17: a perf
	// capture's busy cycles are all attributed; none is dropped).
	Netdev
	IPRcv
	Neigh
	Skb
	SoftirqEntry
	Sched
	Syscall
	// BrNetfilter is bridge netfilter's own work on a bridged frame
	// (bridge-nf-call-iptables=1, as on Kubernetes nodes); the IPv4
	// tables it runs are Netfilter's. Last, so that the kinds before it
	// keep their numbers and report order.
	BrNetfilter
	NumKinds int = iota
)

var kindNames = [...]string{
	Veth: "veth", Bridge: "bridge", FIB: "fib", IPForward: "ip_forward",
	Netfilter: "netfilter", EBPF: "ebpf", VXLAN: "vxlan", Geneve: "geneve",
	IPIP: "ipip", GRE: "gre", OVS: "ovs", Userspace: "userspace",
	Encrypt: "encrypt", TCP: "tcp", SocketCopy: "socket_copy", NIC: "nic",
	Netdev: "netdev", IPRcv: "ip_rcv", Neigh: "neigh", Skb: "skb",
	SoftirqEntry: "softirq", Sched: "sched", Syscall: "syscall",
	BrNetfilter: "br_netfilter",
}

var kindHelp = [...]string{
	Veth:         "veth pair crossing between network namespaces (veth_xmit, veth rx)",
	Bridge:       "Linux bridge forwarding (br_handle_frame, br_forward)",
	FIB:          "routing table lookup (fib_table_lookup)",
	IPForward:    "IP forwarding in the host stack (ip_forward, ip_output)",
	Netfilter:    "iptables/nftables hooks (nf_hook_slow, ipt_do_table, nft_do_chain)",
	EBPF:         "eBPF programs on tc/XDP hooks (bpf_prog_*)",
	VXLAN:        "VXLAN encapsulation/decapsulation (vxlan_xmit, vxlan_rcv)",
	Geneve:       "Geneve encapsulation/decapsulation (geneve_xmit, geneve_rx)",
	IPIP:         "IP-in-IP tunnel (ipip_tunnel_xmit, ip_tunnel_rcv)",
	GRE:          "GRE tunnel (ipgre_xmit, gre_rcv)",
	OVS:          "Open vSwitch kernel datapath (ovs_vport_receive, ovs_dp_process_packet)",
	Userspace:    "user-space encapsulation daemon: syscalls and copies (Flannel UDP, Weave sleeve)",
	Encrypt:      "encryption (IPsec ESP, WireGuard)",
	TCP:          "TCP/UDP protocol processing (tcp_v4_rcv, tcp_sendmsg)",
	SocketCopy:   "copy between socket buffers and the application",
	NIC:          "NIC driver transmit and receive (ndo_start_xmit, napi_poll)",
	Netdev:       "generic device layer: transmit and receive dispatch (dev_queue_xmit, __dev_xmit_skb, __netif_receive_skb, process_backlog)",
	IPRcv:        "IP receive and local delivery (ip_rcv, ip_rcv_finish, ip_local_deliver, early demux)",
	Neigh:        "neighbour resolution and L2 header output (neigh_resolve_output, neigh_hh_output, ip_finish_output2)",
	Skb:          "socket buffer allocation, cloning and freeing (__alloc_skb, kfree_skb, skb_release_data, page frag allocation)",
	SoftirqEntry: "softirq entry and NET_RX dispatch (do_softirq, net_rx_action, __napi_poll on a NIC-less path)",
	Sched:        "scheduler, per wake-up of a blocked reader or writer: try_to_wake_up, __schedule, the context switch (per packet only in a daemon's context)",
	Syscall:      "system call, per send or read call of the application: entry and exit, socket locking (entry_SYSCALL_64, __sys_sendto, lock_sock; per packet only in a daemon's context)",
	BrNetfilter:  "bridge netfilter's hooks on a bridged frame with bridge-nf-call-iptables=1 (br_nf_pre_routing and its fake route, br_nf_forward*, br_nf_post_routing, ip_sabotage_in), per frame a bridge port receives; the IPv4 tables it calls are netfilter",
}

// String returns the canonical name.
func (k Kind) String() string {
	if int(k) < NumKinds {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// Help returns a one-line description of what the stage stands for.
func (k Kind) Help() string {
	if int(k) < NumKinds {
		return kindHelp[k]
	}
	return ""
}

// Kinds returns every stage kind in canonical order.
func Kinds() []Kind {
	ks := make([]Kind, NumKinds)
	for i := range ks {
		ks[i] = Kind(i)
	}
	return ks
}

// KindNames returns every stage kind's canonical name, in order.
func KindNames() []string { return slices.Clone(kindNames[:]) }

// ParseKind returns the kind with the given canonical name; the error lists
// the valid names.
func ParseKind(name string) (Kind, error) {
	for i, n := range kindNames {
		if n == name {
			return Kind(i), nil
		}
	}
	return 0, fmt.Errorf("unknown stage kind %q (valid: %s)", name, strings.Join(kindNames[:], ", "))
}
