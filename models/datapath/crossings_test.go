package datapath

import "testing"

func TestNodeCrossings(t *testing.T) {
	t.Parallel()
	steps := []Step{
		{Kind: TCP, Side: Src, Context: Send, Count: 1},
		{Kind: Veth, Side: Src, Context: Send, Count: 1},
		{Kind: NIC, Side: Src, Context: Send, Count: 1},
		{Kind: NIC, Side: Dst, Context: Softirq, Count: 1},
		{Kind: FIB, Side: Dst, Context: Softirq, Count: 3},
		{Kind: TCP, Side: Dst, Context: Softirq, Count: 1},
		{Kind: SocketCopy, Side: Dst, Context: Recv, Count: 1},
	}
	inter := Path{Steps: steps, InterHost: true}
	dst := inter.NodeCrossings(Dst)
	// Data crosses the Dst steps; an ACK leaving Dst crosses the Src steps.
	if dst.Data[FIB] != 3 || dst.Data[SocketCopy] != 1 || dst.Data[Veth] != 0 {
		t.Errorf("dst data = %v", dst.Data)
	}
	if dst.Ack[Veth] != 1 || dst.Ack[FIB] != 0 || dst.Ack[TCP] != 1 {
		t.Errorf("dst ack = %v", dst.Ack)
	}
	src := inter.NodeCrossings(Src)
	if src.Data[Veth] != 1 || src.Ack[FIB] != 3 || src.Ack[SocketCopy] != 0 {
		t.Errorf("src = %+v", src)
	}
	intra := Path{Steps: steps}
	one := intra.NodeCrossings(Dst)
	// Intra-host: one node; the ACK crosses every step but the copy to the application.
	if one.Data[TCP] != 2 || one.Ack[TCP] != 2 || one.Data[SocketCopy] != 1 || one.Ack[SocketCopy] != 0 {
		t.Errorf("intra = %+v", one)
	}
	if got := one.PerData(TCP, 0.5); got != 3 {
		t.Errorf("PerData(tcp, 0.5) = %v, want 2 + 0.5 x 2 = 3", got)
	}
}
