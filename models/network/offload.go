package network

import "github.com/cnisim/cnisim/sim"

// Offloads (Config.Offloads): Linux hands its stack super-packets rather
// than MTU-sized packets where it can, and the stages' per-packet costs
// are then paid once per super-packet (DESIGN 2, "Offloads"):
//
//   - GSO/TSO on the sending side: the segments a socket sends in one go
//     (one call of the TCP output loop: same route, same send core, same
//     time) form super-packets of up to GSOMaxBytes, which cross every
//     send-side stage once and are cut into frames by the NIC (TSO, no
//     CPU). Intra-host, nothing cuts them: they reach the receiving
//     socket whole.
//   - GRO on the receiving side: a packet from the wire joins the last
//     super-packet of its flow on its receive core (which holds those of
//     up to groFlows flows at once) when that
//     super-packet's softirq job has not started yet (it waits in the
//     ring, and NAPI merges what it polls from the ring), up to
//     GSOMaxBytes. So GRO merges nothing on an idle core and a lot on a
//     saturated one, as on a real host. A joining packet's own (per-byte)
//     work is queued at the end of the core's work.
//
// A packet behind the head of its super-packet is batched: each stage
// charges it its per-byte cycles only, and the accounting counts one
// crossing per super-packet. Packets stay separate objects (for the wire,
// the queues and TCP); the TCP receiver ACKs a super-packet once its last
// packet has been processed (Packet.Batched), about as Linux ACKs each
// super-packet it receives.

// offloadable: TCP data (the ACK flag set, payload, no SYN, FIN or RST).
// Linux merges neither pure ACKs nor plain UDP datagrams (UDP GSO and GRO
// need socket options no benchmark sets).
func (p *Packet) offloadable() bool {
	return p.Len > 0 && p.Flags&(FlagACK|FlagSYN|FlagFIN|FlagRST) == FlagACK
}

// Batched reports whether p rode in a GSO or GRO super-packet behind its
// head: more of the super-packet may follow it, and the receiving
// transport ACKs once the super-packet has been processed (tcp).
func (p *Packet) Batched() bool { return p.batched }

// GSOMaxBytes is the largest super-packet, IP bytes (Linux gso_max_size
// and the GRO limit: 64 KiB).
const GSOMaxBytes = 65536

// DefaultGROFrameCycles is what a frame GRO merges behind a super-packet's
// head costs the receiving core (Config.GROFrameCycles): measured,
// `calibration/gro/gro-frame.sh` five times on 2026-12-05 (kernel
// 6.18.44, the AMD EPYC VM, 2.445 GHz as /proc/cpuinfo read then): MTU
// frames into a veth with GRO on (NAPI), perf cpu-clock on the CPU running
// it; the veth ring's consumer 115-141, GRO's callbacks and merge 251-346,
// freeing the merged frames' heads 89-109 cycles; in total 455, 477, 536,
// 571 and 591 cycles per frame, the median taken. A NIC's driver does
// more per frame than veth's ring (descriptors, DMA, pages), so for a
// host with a NIC this is a lower bound.
const DefaultGROFrameCycles = 536

// DefaultGROFrameSource is DefaultGROFrameCycles' provenance, as a profile
// entry's source would state it (cnisim validate --costs shows it).
const DefaultGROFrameSource = "built-in network.DefaultGROFrameCycles: calibration/gro/gro-frame.sh five times on 2026-12-05 (kernel 6.18.44, the AMD EPYC VM at 2.445 GHz), veth with GRO, the median; a NIC's driver does more per frame"

// DefaultGSOSegmentCycles is what a segment software GSO cuts from a
// super-packet costs the sending core (Config.GSOSegmentCycles):
// measured, `calibration/gso/gso-segment.sh` eight times for 10 s on
// 2026-12-05 (kernel 6.18.44, the AMD EPYC VM at 2.445 GHz): MTU segments
// cut from TCP super-packets before a veth without TSO, perf cpu-clock
// with call graphs on the CPU running it, the samples under
// __skb_gso_segment (skb_segment, tcp4_gso_segment, the segments' skbs
// allocated and their headers copied) over the veth's tx_packets: 325,
// 236 and 307 cycles per segment in three runs at 23:21 UTC, 620, 738,
// 607, 637 and 551 in five at 23:46 (one core runs sender and receiver:
// two regimes, fidelity.md), the median of the eight taken. With the
// reader on the other CPU, 2026-12-06: the script 455-692 over nine runs
// (median 586), `cnisim testbed gso` 621-950 over eleven (median 691;
// testbed/testdata/gso-run1). The samples are over every segment the
// veth sent, so the model charges every segment cut, the head's too. A
// tunnel's encapsulated super-packets add a little (devices.toml's
// gso_segment_cycles).
const DefaultGSOSegmentCycles = 579

// DefaultGSOSegmentSource is DefaultGSOSegmentCycles' provenance.
const DefaultGSOSegmentSource = "built-in network.DefaultGSOSegmentCycles: calibration/gso/gso-segment.sh eight times on 2026-12-05 (kernel 6.18.44, the AMD EPYC VM at 2.445 GHz), segments cut before a veth without TSO, the median"

// gsoBatch is a route's open GSO super-packet on its sending side.
type gsoBatch struct {
	at    sim.Time // the send time of its packets
	core  int16
	bytes int32
	open  bool
}

// gso marks p batched when it continues the route's open super-packet,
// else opens a new one with p at its head.
func (r *Route) gso(p *Packet, at sim.Time) {
	b := &r.gso0
	if !p.offloadable() {
		b.open = false
		return
	}
	if b.open && b.at == at && b.core == p.SendCore && b.bytes+p.IPBytes <= GSOMaxBytes {
		b.bytes += p.IPBytes
		p.batched = true
		return
	}
	*b = gsoBatch{at: at, core: p.SendCore, bytes: p.IPBytes, open: true}
}

// offerTSO is the NIC queue's admission with offloads: the qdisc holds
// super-packets (skbs), so its limit counts heads; a super-packet's other
// packets follow their head in, or out when it was dropped.
func (n *Network) offerTSO(node *Node, r *Route, p *Packet, now, svc sim.Time) (sim.Time, bool) {
	if p.batched {
		if r.tsoDropped {
			return 0, false
		}
		_, done := node.NIC.Serve(now, svc)
		node.tso.setLast(done)
		return done, true
	}
	if node.tso.size >= n.cfg.QdiscLen && node.tso.len(now) >= n.cfg.QdiscLen {
		r.tsoDropped = true
		return 0, false
	}
	r.tsoDropped = false
	_, done := node.NIC.Serve(now, svc)
	node.tso.push(done)
	return done, true
}

// groFlows is how many flows' super-packets one receiving core holds open
// at once. Linux holds at most MAX_GRO_SKBS (8) skbs being merged, one per
// flow, in each of its GRO_HASH_BUCKETS (8) lists, flushing a list's oldest
// beyond that
// (net/core/gro.c, gro_receive_skb); the list is the flow hash's low 3
// bits, and RSS's default indirection table (entry i to queue i mod n)
// gives every flow of a receive queue the same low bits when the queues
// are a multiple of 8, so one core's flows share one list: 8 flows.
const groFlows = 8

// groState is one flow's open super-packet on a receiving core.
type groState struct {
	route *Route
	start sim.Time // when its head's softirq job starts
	bytes int32
	ecn   uint8 // its IP header's ECN field: a frame whose field differs does not join
}

// groTable is a receiving core's super-packets from the wire, at most one
// per flow.
type groTable [groFlows]groState

// slot returns the slot of p's flow's super-packet, -1 if it has none or
// p is nothing GRO merges.
func (g *groTable) slot(p *Packet) int {
	if !p.offloadable() {
		return -1
	}
	for i := range g {
		if g[i].route == p.route {
			return i
		}
	}
	return -1
}

// The GRO slot arrive returns for took besides a flow's slot: a packet
// that has joined its flow's super-packet (join), and one that GRO
// passes up alone.
const (
	groJoined = -2
	groAlone  = -3
)

// arrive is GRO for p arriving from the wire at t: with merge (the path
// lets GRO merge it) p joins its flow's super-packet if it can (batched).
// A frame whose ECN field differs from its flow's open super-packet's
// ends that super-packet and goes up alone, unmerged and not held (Linux
// inet_gro_receive flushes on a TOS difference, and tcp_gro_receive then
// flushes the new skb too), so CE marks keep their frames' boundaries.
// It returns what took needs: p's flow's slot, groJoined or groAlone.
func (g *groTable) arrive(p *Packet, t sim.Time, merge bool) int {
	slot := g.slot(p)
	if merge {
		if slot >= 0 && g[slot].start > t && g[slot].ecn != p.ECN {
			g[slot] = groState{}
			return groAlone
		}
		if p.batched = g.join(slot, p, t); p.batched {
			return groJoined
		}
	}
	return slot
}

// join reports whether p, arriving from the wire at t, joins its flow's
// super-packet in slot (g.slot's): not started, with room (its ECN field
// the same, arrive checked); if so, it adds p's bytes to it.
func (g *groTable) join(slot int, p *Packet, t sim.Time) bool {
	if slot < 0 || g[slot].start <= t || g[slot].bytes+p.IPBytes > GSOMaxBytes {
		return false
	}
	g[slot].bytes += p.IPBytes
	return true
}

// took records p's softirq job, starting at start for p arrived at t,
// slot being its flow's (g.slot's), or groJoined when p joined it. A
// packet that did not heads a new super-packet of its flow, in the
// flow's slot, else a free one or one whose job started by t, else the
// oldest one's (Linux flushes the oldest). A packet GRO does not merge (a
// pure ACK) leaves every super-packet open, as NAPI's per-flow lists do.
func (g *groTable) took(p *Packet, slot int, t, start sim.Time) {
	if slot == groJoined || slot == groAlone || !p.offloadable() {
		return
	}
	if slot < 0 {
		slot = 0
		for i := range g {
			if e := &g[i]; e.route == nil || e.start <= t {
				slot = i
				break
			}
			if g[i].start < g[slot].start {
				slot = i
			}
		}
	}
	g[slot] = groState{route: p.route, start: start, bytes: p.IPBytes, ecn: p.ECN}
}
