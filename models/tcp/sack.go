package tcp

// flagSACK marks a pure ACK that carries SACK blocks (RFC 2018). The
// network's Header has no option space, so the blocks travel in the
// receiver's sackLog and the ACK's Seq field (unused by a pure ACK) holds
// the log entry's id: the sender reads exactly what the receiver wrote
// when it sent that ACK.
const flagSACK uint8 = 1 << 7

// maxSACKBlocks is the blocks an ACK carries: 3 fit in the 40 option bytes
// next to the 12-byte timestamps option (RFC 2018 3; Linux TCP_NUM_SACKS 4
// without timestamps).
const maxSACKBlocks = 3

// sackRec is the SACK option of one ACK.
type sackRec struct {
	n   uint8
	blk [maxSACKBlocks]span
}

// sackLog is a ring of the SACK options of ACKs in flight, by id. The
// sender takes them in order; entries of lost ACKs are skipped over. It
// grows to the ACKs in flight and then allocates nothing.
// maxSACKLog bounds the log (a window of ACKs that never arrive, as into a
// blackhole, must not grow it without end).
const maxSACKLog = 1 << 16

type sackLog struct {
	buf    []sackRec
	lo, hi uint64 // ids held: [lo, hi)
}

func (l *sackLog) push(r *sackRec) uint64 {
	if l.hi-l.lo == maxSACKLog { // the sender has not read for this long: forget the oldest
		l.lo++
	}
	if l.hi-l.lo == uint64(len(l.buf)) {
		nb := make([]sackRec, max(16, 2*len(l.buf)))
		for id := l.lo; id < l.hi; id++ {
			nb[id&uint64(len(nb)-1)] = l.buf[id&uint64(len(l.buf)-1)]
		}
		l.buf = nb
	}
	l.buf[l.hi&uint64(len(l.buf)-1)] = *r
	l.hi++
	return l.hi - 1
}

// peek returns the option of ACK id, still held, without taking it (a
// packet capture's view).
func (l *sackLog) peek(id uint64) (r *sackRec, ok bool) {
	if id < l.lo || id >= l.hi {
		return nil, false
	}
	return &l.buf[id&uint64(len(l.buf)-1)], true
}

// take returns the option of ACK id and forgets it and every older one; ok
// is false for an id already forgotten (an ACK overtaken by a later one).
func (l *sackLog) take(id uint64) (r *sackRec, ok bool) {
	if id < l.lo || id >= l.hi {
		return nil, false
	}
	l.lo = id + 1
	return &l.buf[id&uint64(len(l.buf)-1)], true
}

// noteOOO remembers the segment just queued out of order: its block goes
// first in the next ACK, and the blocks of the two before it follow (RFC
// 2018 4: the most recently received block first, then the most recently
// reported ones).
func (ep *Endpoint) noteOOO(seq int64) {
	r := &ep.sackRecent
	if r[0] == seq {
		return
	}
	r[2], r[1], r[0] = r[1], r[0], seq
}

// sackOption adds to rec, after a D-SACK block if it holds one, blocks of
// the out-of-order queue up to three in all.
func (ep *Endpoint) sackOption(rec *sackRec) {
	first := rec.n
	for _, seq := range ep.sackRecent {
		if rec.n == maxSACKBlocks {
			break
		}
		if seq < ep.rcvNxt {
			continue
		}
		i := firstEndAbove(ep.ooo, seq)
		if i == len(ep.ooo) || ep.ooo[i].start > seq {
			continue
		}
		dup := false
		for k := first; k < rec.n; k++ {
			dup = dup || rec.blk[k] == ep.ooo[i]
		}
		if !dup {
			rec.blk[rec.n] = ep.ooo[i]
			rec.n++
		}
	}
	if rec.n == first { // every remembered block was delivered: report the highest
		rec.blk[rec.n] = ep.ooo[len(ep.ooo)-1]
		rec.n++
	}
}

// firstEndAbove returns the index of the first of the sorted, disjoint
// spans that ends above seq (len(s) if none).
func firstEndAbove(s []span, seq int64) int {
	lo, hi := 0, len(s)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if s[m].end > seq {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}
