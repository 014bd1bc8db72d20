package tcp

import (
	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// onData processes a segment's payload (or a window probe). In-order data
// is copied to the application on its core (the route's Recv-context
// steps); out-of-order data is kept and ACKed at once with a duplicate
// ACK (RFC 5681 4.2); in-order data is ACKed every Options.AckEvery
// full-size segments (2, as Linux), at once during quick-ack, else after
// the delayed-ACK timer. A
// segment batched behind the head of a GSO or GRO super-packet (offloads)
// is ACKed once the super-packet's last segment has been processed, as
// Linux ACKs a super-packet as a whole: the ACK waits for the time its
// processing ends, and each later segment of the super-packet moves it.
func (ep *Endpoint) onData(h *network.Header, in *network.Route, at sim.Time, batched bool) {
	if ep.ecn == nil || h.Len == 0 {
		ep.receive(h, in, at, batched)
		return
	}
	ackNow := ep.ecnSegment(h, at) // the echo of CE (ecn.go)
	ep.receive(h, in, at, batched)
	if ackNow && ep.rcvNxt > ep.rcvWup {
		ep.sendAck(at, ep.ackCore)
	}
}

// receive is onData's work for every congestion control.
func (ep *Endpoint) receive(h *network.Header, in *network.Route, at sim.Time, batched bool) {
	ep.updateTSRecent(h)
	if h.Len == 0 { // window probe
		ep.sendAck(at, ep.ackCore)
		return
	}
	if ep.lx != nil && !batched {
		ep.linuxFlushSuper()
	}
	ep.Stats.DataSegsRcvd++
	if !batched {
		ep.Stats.DataSkbsRcvd++
	}
	end := h.Seq + int64(h.Len)
	switch {
	case end <= ep.rcvNxt: // duplicate: the ACK was lost or the retransmission spurious
		ep.dsack = span{h.Seq, end}
		if ep.lx != nil {
			ep.enterQuickAck()
		}
		ep.sendAck(at, ep.ackCore)
	case h.Seq > ep.rcvNxt:
		if i := firstEndAbove(ep.ooo, h.Seq); i < len(ep.ooo) && ep.ooo[i].start <= h.Seq && end <= ep.ooo[i].end {
			ep.dsack = span{h.Seq, end} // held out of order already (Linux tcp_data_queue_ofo)
		} else if !h.Retx && i < len(ep.ooo) {
			ep.Stats.Reordered++ // an original below data held above it
		}
		ep.insertOOO(h.Seq, end)
		ep.noteOOO(h.Seq)
		ep.sendAck(at, ep.ackCore)
	default:
		hadHole := len(ep.ooo) > 0
		if hadHole && !h.Retx {
			ep.Stats.Reordered++ // an original filling the hole below data held above it
		}
		old := ep.rcvNxt
		if h.Seq < old {
			ep.dsack = span{h.Seq, old} // its first part was a duplicate
		}
		ep.rcvNxt = end
		for len(ep.ooo) > 0 && ep.ooo[0].start <= ep.rcvNxt {
			s := ep.ooo[0]
			ep.oooBytes -= s.end - s.start
			if s.end > ep.rcvNxt {
				ep.rcvNxt = s.end
			}
			ep.ooo = ep.ooo[1:]
		}
		n := ep.rcvNxt - old
		pkts := int((n + ep.mss - 1) / ep.mss)
		done := in.Recv(network.Read{Pkts: pkts, Bytes: n + int64(pkts*datapath.TCPIPOverhead), Payload: n, Size: ep.opt.ReadBytes, WindowLeft: ep.advEdge - ep.rcvNxt}, at)
		ep.pushCopy(done, ep.rcvNxt)
		ep.Stats.BytesRead = ep.rcvNxt
		if ep.OnRead != nil {
			ep.OnRead(done, ep.rcvNxt)
		}
		if ep.lx != nil {
			ep.linuxOnData(at, done, n, h.Len, batched, hadHole)
			return
		}
		switch {
		case hadHole || ep.quick > 0:
			if ep.quick > 0 {
				ep.quick--
			}
			ep.sendAck(at, ep.ackCore)
		case batched:
			ep.superAck.Set(at)
		case ep.rcvNxt-ep.rcvWup > int64(ep.opt.AckEvery-1)*ep.mss: // AckEvery full segments unACKed (Linux __tcp_ack_snd_check: 2)
			ep.sendAck(at, ep.ackCore)
		default:
			if !ep.delack.Armed() {
				ep.delack.Set(ep.opt.timerAt(at, ep.opt.DelAck))
			}
		}
	}
}

// updateTSRecent keeps the timestamp the next ACK echoes as Linux does
// (tcp_replace_ts_recent, RFC 7323 4.3): that of the segment starting at
// the last ACK sent (rcv_wup), so a delayed ACK echoes the first segment
// it covers, not the last; never older than the one kept (the PAWS
// check), so a segment stamped earlier than one already taken (a sender
// stamps a segment with its core's time, which need not rise with the
// sequence here) does not pull the echo back behind a retransmission,
// which the Eifel undo reads (undoIfSpurious); and not from a duplicate
// wholly below rcv_wup, which Linux discards before (tcp_sequence).
func (ep *Endpoint) updateTSRecent(h *network.Header) {
	if h.Seq <= ep.rcvWup && h.Seq+int64(h.Len) >= ep.rcvWup && h.TSval >= ep.tsRecent {
		ep.tsRecent = h.TSval
	}
}

func (ep *Endpoint) insertOOO(start, end int64) {
	i := 0
	for i < len(ep.ooo) && ep.ooo[i].end < start {
		i++
	}
	// merge with every span that overlaps or touches [start, end)
	j := i
	for j < len(ep.ooo) && ep.ooo[j].start <= end {
		if ep.ooo[j].start < start {
			start = ep.ooo[j].start
		}
		if ep.ooo[j].end > end {
			end = ep.ooo[j].end
		}
		ep.oooBytes -= ep.ooo[j].end - ep.ooo[j].start
		j++
	}
	ep.oooBytes += end - start
	if j == i {
		ep.ooo = append(ep.ooo, span{})
		copy(ep.ooo[i+1:], ep.ooo[i:])
	} else {
		ep.ooo = append(ep.ooo[:i+1], ep.ooo[j:]...)
	}
	ep.ooo[i] = span{start, end}
}

// sendAck sends a pure ACK from core (the softirq core that handled the
// segment, since Linux ACKs from tcp_v4_rcv).
func (ep *Endpoint) sendAck(at sim.Time, core int) {
	p := ep.packet(at, network.FlagACK, ep.sndNxt, 0)
	if dup := ep.dsack.end > ep.dsack.start; dup || len(ep.ooo) > 0 {
		var rec sackRec
		if dup { // reported once, first (RFC 2883 4)
			rec.blk[0], rec.n = ep.dsack, 1
			ep.dsack = span{}
		}
		if len(ep.ooo) > 0 {
			ep.sackOption(&rec)
		}
		p.Flags |= flagSACK
		p.Seq = int64(ep.sackLog.push(&rec))
	}
	ep.Stats.AcksSent++
	ep.net.Send(ep.out, p, core, at)
}

// pushCopy records a copy to the application, done at done, after which
// total bytes have been read. When the array is full and at least half of
// it is finished copies, the unfinished ones move to its front instead of
// the array growing: each entry moves at most once on average, and the
// array stays within about twice the reader's backlog. (Compacting only
// past 1,024 finished copies, every flow of more than about 1,000
// segments kept an array of 2,048 entries, 32 KB: the 1,000-node
// cluster's largest allocation.)
func (ep *Endpoint) pushCopy(done sim.Time, total int64) {
	if n := len(ep.copies); n == cap(ep.copies) && ep.copiesHead > 0 && 2*ep.copiesHead >= n {
		k := copy(ep.copies, ep.copies[ep.copiesHead:])
		ep.copies, ep.copiesHead = ep.copies[:k], 0
	}
	ep.copies = append(ep.copies, copyDone{done, total})
}

// readBy returns the bytes the application has copied by time t.
func (ep *Endpoint) readBy(t sim.Time) int64 {
	for ep.copiesHead < len(ep.copies) && ep.copies[ep.copiesHead].done <= t {
		ep.copied = ep.copies[ep.copiesHead].total
		ep.copiesHead++
	}
	if ep.copiesHead == len(ep.copies) && ep.copiesHead > 0 {
		ep.copies, ep.copiesHead = ep.copies[:0], 0
	}
	return ep.copied
}

// freeSpace returns the receive space at t: the offered buffer less the
// bytes not yet read and the out-of-order bytes held.
func (ep *Endpoint) freeSpace(t sim.Time) int64 {
	return ep.rcvSpace - (ep.rcvNxt - ep.readBy(t)) - ep.oooBytes
}

// advertise returns the window to offer at t: free space rounded down to
// whole segments (receiver silly-window avoidance, RFC 9293 3.8.6.2.2),
// never moving the right edge left. A small window arms a window update
// for when the application's copies will have opened it (Linux
// tcp_cleanup_rbuf: when the window at least doubles).
func (ep *Endpoint) advertise(t sim.Time) int64 {
	free := ep.freeSpace(t)
	win := free / ep.mss * ep.mss
	if win < 0 {
		win = 0
	}
	if e := ep.advEdge - ep.rcvNxt; e > win {
		win = e
	}
	ep.advEdge = ep.rcvNxt + win
	if 2*win <= ep.rcvSpace && ep.state == Established {
		want := max(2*win, ep.mss)
		// copied must reach rcvNxt + ooo - rcvSpace + want
		need := ep.rcvNxt + ep.oooBytes - ep.rcvSpace + want
		for i := ep.copiesHead; i < len(ep.copies); i++ {
			if ep.copies[i].total >= need {
				ep.winUpd.Set(max(ep.copies[i].done, t))
				break
			}
		}
	}
	return win
}

func (ep *Endpoint) onWindowUpdate(now sim.Time) {
	if ep.state != Established {
		return
	}
	cur := ep.advEdge - ep.rcvNxt
	free := ep.freeSpace(now) / ep.mss * ep.mss
	if free >= max(2*cur, ep.mss) {
		ep.sendAck(now, ep.ackCore)
	}
}
