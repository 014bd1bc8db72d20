package perf

import (
	"fmt"
	"strings"
)

// Stacks (leaf first) as a 6.x kernel prints them, one per stage, for
// synthetic scripts.
var stacks = map[string][]string{
	"veth":        {"ffffffff81a00010 __dev_forward_skb+0x10", "ffffffff81a00020 veth_xmit+0x44", "ffffffff81a00030 dev_hard_start_xmit+0x90", "ffffffff81a00040 __dev_queue_xmit+0x1e0", "ffffffff81a00050 ip_finish_output2+0x200", "ffffffff81a00060 __tcp_transmit_skb+0x500", "ffffffff81a00070 tcp_sendmsg+0x30"},
	"bridge":      {"ffffffff81b00010 br_fdb_find_rcu+0x20", "ffffffff81b00020 br_handle_frame_finish+0x120", "ffffffff81b00030 br_handle_frame+0x1c0", "ffffffff81b00040 __netif_receive_skb_core.constprop.0+0x300", "ffffffff81b00050 process_backlog+0x80", "ffffffff81b00060 net_rx_action+0x150", "ffffffff81b00070 handle_softirqs+0xd0"},
	"netfilter":   {"ffffffff81c00010 ipt_do_table+0x300", "ffffffff81c00020 nf_hook_slow+0x40", "ffffffff81c00030 br_nf_pre_routing+0x200", "ffffffff81c00040 br_handle_frame+0x1c0", "ffffffff81c00050 __netif_receive_skb_core+0x300"},
	"vxlan":       {"ffffffff81d00010 iptunnel_xmit+0x20", "ffffffff81d00020 udp_tunnel_xmit_skb+0x90", "ffffffff81d00030 vxlan_xmit_one+0x600", "ffffffff81d00040 vxlan_xmit+0x100"},
	"tcp":         {"ffffffff81e00010 tcp_ack+0x300", "ffffffff81e00020 tcp_rcv_established+0x100", "ffffffff81e00030 tcp_v4_do_rcv+0x80"},
	"socket_copy": {"ffffffff81f00010 rep_movs_alternative+0x30", "ffffffff81f00020 _copy_to_iter+0x80", "ffffffff81f00030 __skb_datagram_iter+0x70", "ffffffff81f00040 skb_copy_datagram_iter+0x30", "ffffffff81f00050 tcp_recvmsg_locked+0x200"},
	"nic":         {"ffffffff82000010 mlx5e_xmit+0x100", "ffffffff82000020 dev_hard_start_xmit+0x90"},
	"ip_rcv":      {"ffffffff82200010 ip_rcv_core+0x100", "ffffffff82200020 ip_rcv+0x30", "ffffffff82200030 __netif_receive_skb_one_core+0x80", "ffffffff82200040 process_backlog+0x80"},
	// cpu-clock skid at the irq enable of handle_softirqs, on the sender's
	// stack: passes to handle_softirqs, which is the softirq cut.
	"softirq": {"ffffffff82300010 pvm_irq_enable+0x19", "ffffffff82300020 __raw_callee_save_pvm_irq_enable+0x11", "ffffffff82300030 _raw_spin_unlock_irqrestore+0x18", "ffffffff82300040 handle_softirqs+0xcd", "ffffffff82300050 do_softirq.part.0+0x3b", "ffffffff82300060 __local_bh_enable_ip+0x64", "ffffffff81a00070 tcp_sendmsg+0x30"},
	// A timer interrupt on the sending task: hard-interrupt work is no
	// stage (unattributed), and the cut keeps it from tcp_sendmsg.
	"other": {"ffffffff82100010 ktime_get_update_offsets_now+0x10", "ffffffff82100020 hrtimer_interrupt+0x30", "ffffffff82100030 __sysvec_apic_timer_interrupt+0x80", "ffffffff82100040 sysvec_apic_timer_interrupt+0x80", "ffffffff82100050 asm_sysvec_apic_timer_interrupt+0x1a", "ffffffff81a00070 tcp_sendmsg+0x30"},
}

var idleStack = []string{"ffffffff8225f325 pvm_safe_halt_hc+0x15", "ffffffff82260f35 default_idle+0x5", "ffffffff822611f4 default_idle_call+0x24", "ffffffff813cff74 do_idle+0x214", "ffffffff813d01d5 cpu_startup_entry+0x25"}

// Softirq receive work that interrupted the idle loop: busy, bridge.
var idleIRQStack = append([]string{"ffffffff81b00010 br_fdb_find_rcu+0x20", "ffffffff81b00030 br_handle_frame+0x1c0", "ffffffff81b00060 net_rx_action+0x150", "ffffffff81b00070 handle_softirqs+0xd0", "ffffffff81b00080 __irq_exit_rcu+0x4a", "ffffffff81b00090 sysvec_apic_timer_interrupt+0x6e", "ffffffff81b000a0 asm_sysvec_apic_timer_interrupt+0x1a"}, idleStack...)

// script writes a default-layout perf script: for each stage, n[stage]
// samples of period ns on alternating CPUs, plus idle samples.
type scriptSpec struct {
	counts  []stageCount
	idle    int
	idleIRQ int // softirq-in-idle samples, attributed to bridge
	period  int
	event   string
}

type stageCount struct {
	stage string
	n     int
}

func (s scriptSpec) text() string {
	var b strings.Builder
	t := 100.0
	emit := func(comm string, pid, cpu int, frames []string) {
		t += 0.000250
		fmt.Fprintf(&b, "%s %5d [%03d] %.6f: %10d %s: \n", comm, pid, cpu, t, s.period, s.event)
		for _, f := range frames {
			fmt.Fprintf(&b, "\t%s ([kernel.kallsyms])\n", f)
		}
		b.WriteString("\n")
	}
	for _, c := range s.counts {
		for i := range c.n {
			emit("iperf3", 4242, i%2, stacks[c.stage])
		}
	}
	for i := range s.idle {
		emit("swapper", 0, i%4, idleStack)
	}
	for i := range s.idleIRQ {
		emit("swapper", 0, i%2, idleIRQStack)
	}
	return b.String()
}
