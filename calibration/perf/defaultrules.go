package perf

// The built-in rule table (issue 17): the symbols of Linux's net/,
// drivers/net/, kernel/sched and the syscall entry, v4.15 to v6.x.
//
// How a sample is attributed (matcher.attribute):
//  1. Leaf walk: from the leaf toward the root, the first frame that some
//     rule decides (a stage, or "other") gives the sample's stage. "pass"
//     frames and frames no rule matches do not decide. Within one frame the
//     first matching rule in table order wins.
//  2. Owner pass: from that frame toward the root, the nearest frame of an
//     owner rule (a netfilter hook, a tc/BPF hook, a tunnel's transmit or
//     receive) claims the sample for its stage: tcp_mt under ipt_do_table
//     is netfilter, the outer route lookup under vxlan_xmit is vxlan. A
//     boundary frame on the way ends the search: a device hand-off
//     (dev_queue_xmit, netif_rx, __netif_receive_skb: the packet enters
//     the next device, whose stages are its own), a bridge-netfilter okfn
//     continuation, or a softirq or interrupt entry (the softirq cut:
//     frames above it belong to the interrupted context, so tcp_sendmsg
//     above do_softirq never makes receive work "tcp").
//
// The softirq entries decide "softirq" themselves: softirq work that no
// rule below them claims is softirq; hard-interrupt entries decide "other"
// (interrupt handlers are no datapath stage; they are reported and spread).
// Frames where a cpu-clock sample lands because interrupts came back on
// (the hrtimer's skid, notes/fidelity.md) pass to their caller.
var defaultRules = []Rule{
	// Skid: irq/bh re-enable points do not decide.
	k("*irqrestore*", StagePass), k("*irq_enable*", StagePass), k("*restore_fl*", StagePass),
	k("__local_bh_enable_ip", StagePass), k("local_bh_enable*", StagePass), k("_raw_spin_unlock_bh", StagePass),

	// Softirq cut and hard-interrupt entries.
	boundary("__do_softirq", "softirq"), boundary("handle_softirqs", "softirq"), boundary("do_softirq*", "softirq"),
	boundary("net_rx_action", "softirq"), boundary("run_ksoftirqd", "softirq"), boundary("irq_exit*", "softirq"),
	boundary("__irq_exit_rcu", "softirq"),
	boundary("asm_sysvec_*", StageOther), boundary("sysvec_*", StageOther), boundary("__sysvec_*", StageOther),
	boundary("asm_common_interrupt", StageOther), boundary("common_interrupt", StageOther),
	boundary("__common_interrupt", StageOther),

	// eBPF: JIT-ed programs (perf names them bpf_prog_<tag>_<name> with a
	// dso of their own or [unknown]: space any), the interpreter, and the
	// tc glue that runs them and performs their redirects.
	// (bpf_lsm_* are the LSM hook stubs of every system call: not packets.)
	k("bpf_lsm_*", StagePass),
	{Pattern: "bpf_prog_*", Stage: "ebpf", Space: SpaceAny, Owner: true},
	owner("__bpf_prog_run*", "ebpf"), owner("bpf_dispatcher_*", "ebpf"), owner("tcf_classify*", "ebpf"),
	owner("tcx_*", "ebpf"), owner("cls_bpf_classify", "ebpf"), owner("tc_run", "ebpf"),
	owner("sch_handle_ingress*", "ebpf"), owner("sch_handle_egress*", "ebpf"),
	owner("bpf_redirect*", "ebpf"), owner("skb_do_redirect", "ebpf"), owner("bpf_*", "ebpf"),

	// Netfilter. Bridge netfilter's own work (its hooks' glue, the fake
	// route of pre-routing) is br_netfilter; the IPv4 tables it calls are
	// netfilter (nf_hook_slow is the nearer owner). It calls the
	// continuation (okfn) beneath its hook: the bridge's own (the
	// *finish* functions, br_nf_hook_thresh) and, from ip_sabotage_in
	// (the IPv4 pre-routing hook that skips a frame br_nf_pre_routing
	// already ran), the whole IP receive and forward of a frame the
	// bridge passed up: those frames end the claim, or nf_hook_slow
	// above would make that IP work netfilter.
	boundary("br_nf_*finish*", "br_netfilter"), boundary("br_nf_hook_thresh", "br_netfilter"),
	boundary("ip_sabotage_in", "br_netfilter"), owner("br_nf_*", "br_netfilter"),
	owner("nf_*", "netfilter"), owner("nft_*", "netfilter"),
	owner("ipt_*", "netfilter"), owner("ip6t_*", "netfilter"), owner("iptable_*", "netfilter"),
	owner("ip6table_*", "netfilter"), owner("ebt_*", "netfilter"), owner("ebtable_*", "netfilter"),
	owner("arpt_*", "netfilter"), owner("ipv4_conntrack*", "netfilter"), owner("ipv4_confirm", "netfilter"),
	owner("xt_*", "netfilter"),
	// Match and target modules (tcp_mt, conntrack_mt, reject_tg) look like
	// protocols but are netfilter even without their hook on the stack.
	k("*_mt", "netfilter"), k("*_mt[0-9]", "netfilter"), k("*_mt_v[0-9]", "netfilter"),
	k("*_tg", "netfilter"), k("*_tg[0-9]", "netfilter"), k("*_tg_v[0-9]", "netfilter"),

	// Tunnels: the shared helpers pass to the tunnel that called them; each
	// tunnel's functions own what they call (route lookup, IP output,
	// neighbour, skb work) up to the hand-off to the underlay device.
	k("udp_tunnel*", StagePass), k("iptunnel_*", StagePass), k("ip_tunnel*", StagePass),
	owner("vxlan_*", "vxlan"), owner("geneve_*", "geneve"), owner("ipip*", "ipip"),
	owner("gre*", "gre"), owner("ipgre*", "gre"), owner("ovs_*", "ovs"),

	// Device-level hand-offs (boundaries) and the rest of the device layer.
	boundary("dev_queue_xmit*", "netdev"), boundary("__dev_queue_xmit", "netdev"),
	boundary("netif_rx*", "netdev"), boundary("__netif_rx*", "netdev"),
	boundary("netif_receive_skb*", "netdev"), boundary("__netif_receive_skb*", "netdev"),

	k("br_*", "bridge"),
	k("veth_*", "veth"),
	k("fib*", "fib"), k("ip_route_*", "fib"), k("rt_dst_alloc", "fib"), k("rt_set_nexthop", "fib"),

	// IP receive, even for forwarded packets (early demux runs in
	// ip_rcv_finish), before the tcp* rule.
	k("ip_rcv*", "ip_rcv"), k("ip_local_deliver*", "ip_rcv"), k("ip_sublist_rcv*", "ip_rcv"),
	k("ip_list_rcv*", "ip_rcv"), k("ip_protocol_deliver_rcu", "ip_rcv"),
	k("tcp_v4_early_demux", "ip_rcv"), k("udp_v4_early_demux", "ip_rcv"),
	// IP output: the ip_forward kind is the host stack's IP forwarding and
	// output (its help, and the host model's "ip_output" step).
	k("ip_finish_output2", "neigh"),
	k("ip_forward*", "ip_forward"), k("ip_output", "ip_forward"), k("ip_finish_output", "ip_forward"),
	k("__ip_finish_output", "ip_forward"), k("ip_local_out", "ip_forward"), k("__ip_local_out", "ip_forward"),
	k("ip_queue_xmit", "ip_forward"), k("__ip_queue_xmit", "ip_forward"), k("ip_do_fragment", "ip_forward"),
	k("ip_fragment*", "ip_forward"),
	k("neigh_*", "neigh"), k("eth_header*", "neigh"),

	k("process_backlog", "netdev"), k("enqueue_to_backlog", "netdev"), k("__dev_xmit_skb", "netdev"),
	k("dev_hard_start_xmit", "netdev"), k("sch_direct_xmit", "netdev"), k("validate_xmit_skb*", "netdev"),
	k("__qdisc_run", "netdev"), k("qdisc_*", "netdev"), k("pfifo_fast_*", "netdev"), k("fq_codel_*", "netdev"),
	k("napi_gro_*", "netdev"), k("dev_gro_receive", "netdev"), k("gro_*", "netdev"),
	k("*_gro_receive", "netdev"), k("*_gro_complete", "netdev"), k("eth_type_trans", "netdev"),

	// Socket buffers (kmem_cache_* and kmalloc* match nothing: the skb
	// function that called them decides).
	k("*alloc_skb*", "skb"), k("*kfree_skb*", "skb"), k("skb_release_*", "skb"), k("*consume_skb*", "skb"),
	k("napi_skb_cache_*", "skb"), k("napi_build_skb", "skb"), k("build_skb*", "skb"), k("__build_skb*", "skb"),
	k("skb_free_head", "skb"), k("kfree_skbmem", "skb"), k("skb_clone", "skb"), k("__skb_clone", "skb"),
	k("pskb_expand_head", "skb"), k("*page_frag*", "skb"), k("skb_attempt_defer_free", "skb"),
	k("skb_defer_free_flush", "skb"), k("sk_skb_reason_drop", "skb"),

	// NAPI on a NIC-less path (veth's backlog); a driver's poll below it
	// decides nic.
	k("__napi_poll", "softirq"), k("napi_*", "softirq"),

	// Scheduler: wake-ups and context switches.
	k("__schedule", "sched"), k("schedule*", "sched"), k("try_to_wake_up", "sched"), k("ttwu_*", "sched"),
	k("finish_task_switch*", "sched"), k("*wake_up*", "sched"), k("__switch_to*", "sched"),
	k("switch_mm*", "sched"), k("pick_next_task*", "sched"), k("enqueue_task*", "sched"),
	k("dequeue_task*", "sched"), k("select_task_rq*", "sched"),

	// Copies and checksums between socket buffers and the application.
	k("copy_user*", "socket_copy"), k("_copy_to_iter", "socket_copy"), k("_copy_from_iter*", "socket_copy"),
	k("skb_copy_datagram*", "socket_copy"), k("copy_page_to_iter", "socket_copy"),
	k("rep_movs_alternative", "socket_copy"), k("csum_partial*", "socket_copy"), k("do_csum", "socket_copy"),
	k("skb_checksum*", "socket_copy"), k("__skb_checksum*", "socket_copy"),

	// Encryption. ESP owns the cipher it calls: under a tunnel's transmit
	// (VXLAN + ESP, Weave fastdp) the owner pass would otherwise give the
	// AES-GCM under esp_output to vxlan_xmit_one; xfrm_output stays a plain
	// rule, so the outer output after the transform is still the tunnel's.
	owner("esp_*", "encrypt"), owner("esp4_*", "encrypt"), owner("esp6_*", "encrypt"),
	k("esp*", "encrypt"), k("xfrm_input", "encrypt"), k("xfrm_output*", "encrypt"),
	k("chacha*", "encrypt"), k("poly1305*", "encrypt"), k("aes*", "encrypt"), k("gcm*", "encrypt"), k("wg_*", "encrypt"),
	// User-space packet encryption of the Go data planes: Weave sleeve's
	// NaCl secretbox (XSalsa20-Poly1305) and wireguard-go's
	// ChaCha20-Poly1305, by their package paths (frames seen in a perf
	// capture of `cnisim testbed aead run`, attribution_test.go). A
	// runtime leaf (the allocation of Open's result) passes to them. Go's
	// AES-GCM is no CNI data plane's (TLS of an agent is not a packet stage).
	u("golang.org/x/crypto/nacl/secretbox.*", "encrypt"), u("golang.org/x/crypto/salsa20/salsa.*", "encrypt"),
	u("golang.org/x/crypto/internal/poly1305.*", "encrypt"), u("golang.org/x/crypto/poly1305.*", "encrypt"),
	u("golang.org/x/crypto/chacha20poly1305.*", "encrypt"), u("golang.org/x/crypto/chacha20.*", "encrypt"),

	k("tcp*", "tcp"), k("udp*", "tcp"),

	k("mlx*", "nic"), k("ixgbe*", "nic"), k("i40e*", "nic"), k("ice_*", "nic"), k("e1000*", "nic"),
	k("igb_*", "nic"), k("ena_*", "nic"), k("virtnet*", "nic"), k("virtqueue_*", "nic"),

	// System calls and socket locking: what a syscall did that no rule
	// above claims.
	k("lock_sock*", "syscall"), k("release_sock", "syscall"), k("entry_SYSCALL*", "syscall"),
	k("do_syscall_64", "syscall"), k("x64_sys_call", "syscall"), k("__sys_*", "syscall"),
	k("__x64_sys_*", "syscall"), k("__do_sys_*", "syscall"), k("*_to_user_mode*", "syscall"),
	k("syscall_*", "syscall"), k("sock_sendmsg", "syscall"), k("sock_recvmsg", "syscall"),
	k("__sock_sendmsg", "syscall"), k("sock_write_iter", "syscall"), k("sock_read_iter", "syscall"),
	k("inet_sendmsg", "syscall"), k("inet_recvmsg", "syscall"), k("ksys_write", "syscall"),
	k("ksys_read", "syscall"), k("vfs_write", "syscall"), k("vfs_read", "syscall"),
	// The application's side of a call: the C library's and Go's
	// system-call wrappers (entry, errno, the Go scheduler's hand-off
	// around a blocking call) are paid once per call as the kernel's
	// entry and exit are.
	u("__libc_send*", "syscall"), u("__libc_recv*", "syscall"), u("__libc_write", "syscall"), u("__libc_read", "syscall"),
	u("__GI___libc_write", "syscall"), u("__GI___libc_read", "syscall"), u("__send", "syscall"), u("__recv", "syscall"),
	u("__sendto", "syscall"), u("__recvfrom", "syscall"),
	u("internal/runtime/syscall/linux.Syscall6", "syscall"), u("syscall.Syscall*", "syscall"), u("syscall.RawSyscall*", "syscall"),
	u("runtime.entersyscall*", "syscall"), u("runtime.exitsyscall*", "syscall"), u("runtime.reentersyscall", "syscall"),
	u("golang.org/x/sys/unix.read", "syscall"), u("golang.org/x/sys/unix.write", "syscall"),
	u("golang.org/x/sys/unix.Read", "syscall"), u("golang.org/x/sys/unix.Write", "syscall"),
	u("golang.org/x/sys/unix.sendto", "syscall"), u("golang.org/x/sys/unix.recvfrom", "syscall"),
}

// k is a kernel-frame rule; owner and boundary add the flags.
func k(pattern, stage string) Rule { return Rule{Pattern: pattern, Stage: stage} }

// u is a user-frame rule.
func u(pattern, stage string) Rule { return Rule{Pattern: pattern, Stage: stage, Space: SpaceUser} }

func owner(pattern, stage string) Rule {
	return Rule{Pattern: pattern, Stage: stage, Owner: true}
}

func boundary(pattern, stage string) Rule {
	return Rule{Pattern: pattern, Stage: stage, Boundary: true}
}
