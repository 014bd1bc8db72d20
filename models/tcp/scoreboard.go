package tcp

import "math"

// scoreboard is the sender's record of SACKed ranges above snd_una (RFC
// 6675 2, "scoreboard"): sorted, disjoint spans of sequence numbers, no
// per-segment objects. Spans below the cumulative ACK are dropped from the
// front by moving head, so a steady state allocates nothing.
type scoreboard struct {
	blk    []span
	head   int
	sacked int64 // bytes SACKed in total
	// dirty lists the ranges that newly SACKed bytes since the last
	// takeDirty (at most len(dirty); dirtyAll when more): a range of
	// sequence space none of them overlaps has kept its unSACKed bytes
	// (delivery.go).
	dirty    [4]span
	ndirty   int
	dirtyAll bool
}

func (sb *scoreboard) spans() []span { return sb.blk[sb.head:] }

func (sb *scoreboard) empty() bool { return sb.head == len(sb.blk) }

// markDirty records that bytes in [start, end) were newly SACKed.
func (sb *scoreboard) markDirty(start, end int64) {
	if sb.ndirty == len(sb.dirty) {
		sb.dirtyAll = true
		return
	}
	sb.dirty[sb.ndirty] = span{start, end}
	sb.ndirty++
}

// dirtyBounds returns the smallest range holding every dirty range: lo
// >= hi when there is none, everything with dirtyAll.
func (sb *scoreboard) dirtyBounds() (lo, hi int64) {
	if sb.dirtyAll {
		return math.MinInt64, math.MaxInt64
	}
	lo, hi = math.MaxInt64, math.MinInt64
	for _, d := range sb.dirty[:sb.ndirty] {
		lo, hi = min(lo, d.start), max(hi, d.end)
	}
	return lo, hi
}

// clearDirty forgets the dirty ranges.
func (sb *scoreboard) clearDirty() { sb.ndirty, sb.dirtyAll = 0, false }

// touched reports whether bytes in [a, b) may have been newly SACKed since
// the last clearDirty.
func (sb *scoreboard) touched(a, b int64) bool {
	if sb.dirtyAll {
		return true
	}
	for _, d := range sb.dirty[:sb.ndirty] {
		if d.start < b && d.end > a {
			return true
		}
	}
	return false
}

// add records the SACKed range [start, end) and returns the bytes it newly
// SACKed.
func (sb *scoreboard) add(start, end int64) int64 {
	s := sb.spans()
	i := firstEndAbove(s, start-1) // first span that ends at or after start
	before, start0, end0 := sb.sacked, start, end
	j := i
	for j < len(s) && s[j].start <= end {
		start = min(start, s[j].start)
		end = max(end, s[j].end)
		sb.sacked -= s[j].end - s[j].start
		j++
	}
	sb.sacked += end - start
	if sb.sacked > before {
		sb.markDirty(start0, end0)
	}
	i += sb.head
	j += sb.head
	if j == i {
		sb.blk = append(sb.blk, span{})
		copy(sb.blk[i+1:], sb.blk[i:])
	} else {
		sb.blk = append(sb.blk[:i+1], sb.blk[j:]...)
	}
	sb.blk[i] = span{start, end}
	return sb.sacked - before
}

// high returns the end of the highest SACKed span (0 when none).
func (sb *scoreboard) high() int64 {
	if sb.empty() {
		return 0
	}
	return sb.blk[len(sb.blk)-1].end
}

// trim forgets what lies below the cumulative ACK una and returns the
// SACKed bytes so acknowledged.
func (sb *scoreboard) trim(una int64) int64 {
	var gone int64
	for sb.head < len(sb.blk) && sb.blk[sb.head].start < una {
		b := &sb.blk[sb.head]
		if b.end > una {
			gone += una - b.start
			b.start = una
			break
		}
		gone += b.end - b.start
		sb.head++
	}
	sb.sacked -= gone
	if sb.head == len(sb.blk) {
		sb.blk, sb.head = sb.blk[:0], 0
	} else if sb.head > 64 && 2*sb.head > len(sb.blk) {
		n := copy(sb.blk, sb.blk[sb.head:])
		sb.blk, sb.head = sb.blk[:n], 0
	}
	return gone
}

// lostBelow returns the boundary below which every unSACKed byte is lost
// by RFC 6675's IsLost: more than (DupThresh - 1) x SMSS bytes above it
// are SACKed (DupThresh 3, RFC 6675 2 and 4). It is the start of the span
// in which the SACKed bytes counted from the top first exceed 2 SMSS; una
// (nothing lost) if they never do.
func (sb *scoreboard) lostBelow(una, mss int64) int64 {
	var above int64
	s := sb.spans()
	for k := len(s) - 1; k >= 0; k-- {
		above += s[k].end - s[k].start
		if above > (dupThresh-1)*mss {
			return s[k].start
		}
	}
	return una
}

// unsacked returns the bytes in [a, b) not SACKed.
func (sb *scoreboard) unsacked(a, b int64) int64 {
	if a >= b {
		return 0
	}
	n := b - a
	s := sb.spans()
	for k := firstEndAbove(s, a); k < len(s) && s[k].start < b; k++ {
		n -= min(s[k].end, b) - max(s[k].start, a)
	}
	return n
}

// nextHole returns the first unSACKed byte at or above seq and the start
// of the SACKed span above it (limit when none).
func (sb *scoreboard) nextHole(seq, limit int64) (int64, int64) {
	s := sb.spans()
	k := firstEndAbove(s, seq)
	if k < len(s) && s[k].start <= seq {
		seq = s[k].end
		k++
	}
	if k < len(s) {
		return seq, s[k].start
	}
	return seq, limit
}
