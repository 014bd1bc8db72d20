// Package bpfredirect builds and attaches a Cilium-like tc eBPF program that
// forwards pod-to-pod IPv4 packets without the host's IP stack: attached at
// the tc ingress of a pod's host-side veth, it looks up the destination
// address among a few compiled-in routes, rewrites the Ethernet addresses and
// hands the packet to the destination pod with bpf_redirect_peer (straight to
// the ingress of the pod's eth0, Cilium's default since kernel 5.10) or with
// bpf_redirect (egress of the destination's host-side veth, then veth_xmit).
//
// The program is assembled in Go with github.com/cilium/ebpf/asm, so no C
// compiler is needed at run time (the shell reference redirect.c, compiled
// with clang, does the same). Everything it needs is an immediate: no maps,
// no BTF, no global data.
package bpfredirect

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
)

// Mode selects the redirect helper.
type Mode int

const (
	// Peer uses bpf_redirect_peer: the packet enters the destination pod's
	// eth0 directly (no backlog round trip, no host-side veth transmit).
	Peer Mode = iota
	// Egress uses bpf_redirect to the egress of the destination's host-side
	// veth: veth_xmit, then the pod's eth0 receive via the backlog.
	Egress
)

// ParseMode reads "peer" or "egress".
func ParseMode(s string) (Mode, error) {
	switch s {
	case "peer":
		return Peer, nil
	case "egress":
		return Egress, nil
	}
	return 0, fmt.Errorf("unknown redirect mode %q (valid: peer, egress)", s)
}

func (m Mode) String() string {
	if m == Egress {
		return "egress"
	}
	return "peer"
}

// Hop is one compiled-in route: IPv4 packets to Dst leave through Ifindex
// (the destination pod's host-side veth) with DstMAC (the pod's eth0) and
// SrcMAC (the host-side veth) written into their Ethernet header.
type Hop struct {
	Dst            netip.Addr
	DstMAC, SrcMAC net.HardwareAddr
	Ifindex        int
}

// MaxHops bounds the linear route lookup (a pod pair needs two).
const MaxHops = 64

// Offsets used by the program: struct __sk_buff's data and data_end
// (include/uapi/linux/bpf.h), and the IPv4 header's fields behind a
// 14-byte Ethernet header.
const (
	skbData    = 76
	skbDataEnd = 80
	ethProto   = 12 // EtherType
	ipDaddr    = 14 + 16
	headerLen  = 14 + 20 // Ethernet + minimal IPv4 header: bytes the program reads
	actOK      = 0       // TC_ACT_OK: let the kernel handle the packet
)

// Instructions returns the program for hops: a linear match on the IPv4
// destination, MAC rewrite and redirect; anything else returns TC_ACT_OK.
func Instructions(hops []Hop, mode Mode) (asm.Instructions, error) {
	if len(hops) == 0 || len(hops) > MaxHops {
		return nil, fmt.Errorf("bpfredirect: want 1..%d routes, got %d", MaxHops, len(hops))
	}
	fn := asm.FnRedirectPeer
	if mode == Egress {
		fn = asm.FnRedirect
	}
	// Loads from the packet are in the machine's byte order: compare and
	// store with the same order so that the program is right on any host.
	ne := binary.NativeEndian
	etherIPv4 := ne.Uint16([]byte{0x08, 0x00})
	insns := asm.Instructions{
		asm.LoadMem(asm.R2, asm.R1, skbData, asm.Word),
		asm.LoadMem(asm.R3, asm.R1, skbDataEnd, asm.Word),
		asm.Mov.Reg(asm.R4, asm.R2),
		asm.Add.Imm(asm.R4, headerLen),
		asm.JGT.Reg(asm.R4, asm.R3, "pass"),
		asm.LoadMem(asm.R5, asm.R2, ethProto, asm.Half),
		asm.JNE.Imm(asm.R5, int32(etherIPv4), "pass"),
		asm.LoadMem(asm.R5, asm.R2, ipDaddr, asm.Word),
	}
	for i, h := range hops {
		if !h.Dst.Is4() {
			return nil, fmt.Errorf("bpfredirect: route %d: destination %v is not IPv4", i, h.Dst)
		}
		if len(h.DstMAC) != 6 || len(h.SrcMAC) != 6 {
			return nil, fmt.Errorf("bpfredirect: route %d: MAC addresses must be 6 bytes (got %v, %v)", i, h.DstMAC, h.SrcMAC)
		}
		if h.Ifindex <= 0 {
			return nil, fmt.Errorf("bpfredirect: route %d: ifindex must be > 0, got %d", i, h.Ifindex)
		}
		a := h.Dst.As4()
		next := "pass"
		if i+1 < len(hops) {
			next = fmt.Sprintf("route%d", i+1)
		}
		insns = append(insns,
			// A 64-bit immediate in a register: a 32-bit compare immediate
			// would be sign-extended against the zero-extended load.
			asm.LoadImm(asm.R7, int64(ne.Uint32(a[:])), asm.DWord).WithSymbol(fmt.Sprintf("route%d", i)),
			asm.JNE.Reg(asm.R5, asm.R7, next),
			asm.StoreImm(asm.R2, 0, int64(ne.Uint32(h.DstMAC[0:4])), asm.Word),
			asm.StoreImm(asm.R2, 4, int64(ne.Uint16(h.DstMAC[4:6])), asm.Half),
			asm.StoreImm(asm.R2, 6, int64(ne.Uint32(h.SrcMAC[0:4])), asm.Word),
			asm.StoreImm(asm.R2, 10, int64(ne.Uint16(h.SrcMAC[4:6])), asm.Half),
			asm.Mov.Imm(asm.R1, int32(h.Ifindex)),
			asm.Mov.Imm(asm.R2, 0),
			fn.Call(), // r0 = TC_ACT_REDIRECT
			asm.Return(),
		)
	}
	insns = append(insns,
		asm.Mov.Imm(asm.R0, actOK).WithSymbol("pass"),
		asm.Return(),
	)
	return insns, nil
}

// ProgName is the program's name: perf shows the JIT-ed code as
// bpf_prog_<tag>_cnifx_redirect.
const ProgName = "cnifx_redirect"

// Load verifies and loads the program into the kernel (root, or
// CAP_BPF+CAP_NET_ADMIN).
func Load(hops []Hop, mode Mode) (*ebpf.Program, error) {
	insns, err := Instructions(hops, mode)
	if err != nil {
		return nil, err
	}
	p, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Name:         ProgName,
		Type:         ebpf.SchedCLS,
		Instructions: insns,
		License:      "GPL", // bpf_redirect_peer is GPL-only
	})
	if err != nil {
		return nil, fmt.Errorf("bpfredirect: load: %w", err)
	}
	return p, nil
}
