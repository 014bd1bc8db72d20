package sim

import "math/bits"

// eventQueue is a monotone radix heap (Ahuja, Mehlhorn, Orlin & Tarjan
// 1990) over the events' picosecond times, with byte-sized digits instead
// of bits, so that an event moves between buckets at most once per byte of
// its distance from now (two or three times in practice) rather than once
// per bit. It relies on simulated time never going backwards: every time
// pushed is >= last, the time of the last event popped.
//
// Bucket 0 holds the events at exactly last, as a FIFO. Any other event
// belongs to the bucket of the highest digit in which its time differs from
// last (its level) and of its value of that digit. Buckets in (level,
// digit) order hold increasing, disjoint time ranges, and all events with
// the same time share a bucket, appended in scheduling order. Refilling
// bucket 0 from the lowest non-empty bucket walks it front to back, so equal
// times pop in FIFO order with no sequence number.
//
// A model's queue is often small (a few links and timers per flow), where
// the heap's tables cost more in cache misses than they save: up to smallCap events
// live in a short array sorted by pop order instead, and the heap takes
// over (the array's events pushed in pop order, which keeps FIFO ties)
// when one more arrives, until a pop leaves smallLow or fewer (moved back
// the same way). The gap between the two thresholds bounds the moves to
// a constant per operation, amortised.
//
// Events are stored by value: a bucket's first event in the bucket itself,
// the rest in fixed-size blocks from a shared arena, chained, and emptied
// blocks go to a free list. A bucket is one cache line holding its
// earliest time and its first event, so the many buckets of one event (most
// of them, in a packet model) cost one line and no block. The arena grows
// only with the number of pending events, so a steady-state run allocates
// nothing and the memory touched stays proportional to the number of
// pending events.
type eventQueue struct {
	// first, so that in an Engine (allocated whole, page-aligned) each
	// bucket is one cache line (TestBucketLayout)
	b0   bucket                            // events at last
	lv   [numLevels][1 << digitBits]bucket // lv[l][d]: bucket (l, d)
	last Time                              // the time of the last event popped
	n    int
	// big: the events are in the radix heap; else in small[:n], in
	// reverse pop order (the next event last)
	big   bool
	small [smallCap]event
	// digits[l] has bit d set when bucket (l, d) is non-empty; words has
	// bit l*digitWords+k set when digits[l][k] is non-zero, so that one
	// count of trailing zeros finds the lowest non-empty level and word.
	words  uint64
	digits [numLevels][digitWords]uint64
	blocks []block
	next   []int32 // next block in a chain; in the free list, next free + 1
	free   int32   // first free block + 1; 0 when none
	// peek caches the earliest pending time while peekOK (pushes keep it,
	// pops invalidate it): models ask for it once or twice per event.
	peek   Time
	peekOK bool
}

const (
	digitBits  = 8
	digitMask  = 1<<digitBits - 1
	digitWords = (1<<digitBits + 63) / 64 // 4
	numLevels  = (64 + digitBits - 1) / digitBits
	blockSize  = 16 // events per block

	smallCap = 64 // most events kept in the sorted array
	smallLow = 4  // a pop leaving this many moves the heap's events back
)

// numLevels is a power of two: lv's level index is masked by it, which
// spares the bounds check (this fails to compile otherwise).
var _ [0]struct{} = [numLevels & (numLevels - 1)]struct{}{}

// words has a bit for every word of digits (this fails to compile otherwise).
var _ [64 - numLevels*digitWords]struct{}

type block [blockSize]event

// bucket is a FIFO: one (when hasOne), then a chain of blocks (fill == 0
// when it has none: an emptied chain gives its blocks back). Buckets other
// than 0 are only appended to and then emptied whole, so for them hasOne
// says whether the bucket holds anything; bucket 0 pops one event at a
// time, and appends to its chain once it has one.
type bucket struct {
	min         Time  // the earliest time in the bucket (buckets >= 1)
	one         event // the first event
	head, tail  int32 // first and last block
	first, fill int32 // next event to read in head, events written in tail
	hasOne      bool
}

func (q *eventQueue) Len() int { return q.n }

// Push adds ev; ev.at must be >= the time of the last event popped.
func (q *eventQueue) Push(ev event) {
	if !q.big {
		if q.n < smallCap {
			q.insert(ev)
			return
		}
		q.grow()
	}
	if q.n == 0 {
		q.peek, q.peekOK = ev.at, true
	} else if ev.at < q.peek {
		q.peek = ev.at // stays valid or invalid as it was
	}
	q.n++
	x := uint64(ev.at ^ q.last)
	if x == 0 {
		q.append0(ev)
		return
	}
	q.place(ev, x)
}

// place puts ev, whose time differs from last in the bits x, into its
// bucket above 0.
func (q *eventQueue) place(ev event, x uint64) {
	l := uint(bits.Len64(x)-1) / digitBits
	d := uint(uint64(ev.at)>>(l*digitBits&63)) & digitMask
	bk := &q.lv[l&(numLevels-1)][d&digitMask]
	if !bk.hasOne { // an empty bucket
		q.digits[l][d/64] |= 1 << (d % 64)
		q.words |= 1 << (l*digitWords + d/64)
		bk.min, bk.one, bk.hasOne = ev.at, ev, true
		return
	}
	if ev.at < bk.min {
		bk.min = ev.at
	}
	if f := bk.fill; f > 0 && f < blockSize { // room in the tail block
		q.blocks[bk.tail][f] = ev
		bk.fill = f + 1
		return
	}
	q.append(bk, ev)
}

// append0 adds ev (at last) to bucket 0.
func (q *eventQueue) append0(ev event) {
	b0 := &q.b0
	if !b0.hasOne && b0.fill == 0 {
		b0.one, b0.hasOne = ev, true
		return
	}
	q.append(b0, ev)
}

// insert puts ev into the array after the events that pop before it
// (earlier, or equal and pushed earlier): usually a few steps from the
// end, since a model's far timers sit at the front. (Inserting at random
// positions, as BenchmarkHoldModel with 48 pending does, costs more than
// the heap would; a packet model rarely does.)
func (q *eventQueue) insert(ev event) {
	i := q.n
	for i > 0 && q.small[i-1].at <= ev.at {
		q.small[i] = q.small[i-1]
		i--
	}
	q.small[i] = ev
	q.n++
}

// grow moves the array's events to the heap, in pop order.
func (q *eventQueue) grow() {
	k := q.n
	q.big, q.n, q.peekOK = true, 0, false
	for i := k - 1; i >= 0; i-- {
		q.Push(q.small[i])
	}
}

// shrink moves the heap's events (at most smallCap) back to the array:
// popping them in order from the heap moves its last forward, which is
// restored since the heap is then empty.
func (q *eventQueue) shrink() {
	last, k := q.last, q.n
	for i := k - 1; i >= 0; i-- {
		q.small[i], _ = q.popBig(Never)
	}
	q.big, q.n, q.last = false, k, last
}

// append adds ev to bk's chain of blocks.
func (q *eventQueue) append(bk *bucket, ev event) {
	if bk.fill == 0 {
		b := q.alloc()
		bk.head, bk.tail, bk.first = b, b, 0
	} else if bk.fill == blockSize {
		b := q.alloc()
		q.next[bk.tail] = b
		bk.tail, bk.fill = b, 0
	}
	q.blocks[bk.tail][bk.fill] = ev
	bk.fill++
}

func (q *eventQueue) alloc() int32 {
	if f := q.free; f > 0 {
		q.free = q.next[f-1]
		return f - 1
	}
	q.blocks = append(q.blocks, block{})
	q.next = append(q.next, 0)
	return int32(len(q.blocks) - 1)
}

func (q *eventQueue) release(b int32) {
	q.next[b] = q.free
	q.free = b + 1
}

// PopNotAfter removes and returns the earliest event if its time is <= end;
// otherwise it leaves the queue unchanged and reports false, so that a
// later Push between end and that time stays legal.
func (q *eventQueue) PopNotAfter(end Time) (ev event, ok bool) {
	if !q.big {
		if q.n == 0 || q.small[q.n-1].at > end {
			return event{}, false
		}
		q.n--
		ev = q.small[q.n]
		q.last = ev.at
		return ev, true
	}
	b0 := &q.b0
	switch {
	case !b0.hasOne && b0.fill == 0:
		if ev, ok = q.refill(end); !ok {
			return ev, false
		}
	case q.first0() > end:
		return event{}, false
	default:
		ev = q.pop0()
	}
	if q.n <= smallLow {
		q.shrink()
	}
	return ev, true
}

// popBig is PopNotAfter on the heap, without moving the rest back.
func (q *eventQueue) popBig(end Time) (ev event, ok bool) {
	b0 := &q.b0
	if !b0.hasOne && b0.fill == 0 {
		if q.n == 0 {
			return event{}, false
		}
		return q.refill(end)
	}
	if q.first0() > end {
		return event{}, false
	}
	return q.pop0(), true
}

// first0 is the time of bucket 0's first event (it must not be empty).
func (q *eventQueue) first0() Time {
	b0 := &q.b0
	if b0.hasOne {
		return b0.one.at
	}
	return q.blocks[b0.head][b0.first].at
}

// PeekTime returns the earliest pending time without removing anything.
func (q *eventQueue) PeekTime() (Time, bool) {
	if q.n == 0 {
		return 0, false
	}
	if !q.big {
		return q.small[q.n-1].at, true
	}
	if q.peekOK {
		return q.peek, true
	}
	q.peekOK = true
	if b0 := &q.b0; b0.hasOne || b0.fill > 0 {
		q.peek = q.first0()
		return q.peek, true
	}
	l, _, d := q.lowest()
	q.peek = q.lv[l&(numLevels-1)][d&digitMask].min
	return q.peek, true
}

// lowest is the lowest non-empty bucket above 0 (there must be one): its
// level l and digit d, and the word k of digits[l] that marks it.
func (q *eventQueue) lowest() (l, k, d uint) {
	lk := uint(bits.TrailingZeros64(q.words))
	l, k = lk/digitWords, lk%digitWords
	return l, k, k*64 + uint(bits.TrailingZeros64(q.digits[l&(numLevels-1)][k]))
}

// pendingBy reports whether some event is pending at or before at (>=
// last): PeekTime() <= at, answered mostly from the occupancy bits without
// reading a bucket. The earliest events are in the lowest non-empty
// bucket: below at's level (the highest digit in which at differs from
// last) it is earlier than at, above it later; at the same level the two
// digits decide, and only equal digits need the bucket's earliest time.
func (q *eventQueue) pendingBy(at Time) bool {
	if !q.big {
		return q.n > 0 && q.small[q.n-1].at <= at
	}
	if q.peekOK {
		return q.peek <= at
	}
	return q.pendingInHeap(at)
}

// pendingInHeap is pendingBy on the heap, with no cached peek.
func (q *eventQueue) pendingInHeap(at Time) bool {
	if q.n == 0 {
		return false
	}
	if b0 := &q.b0; b0.hasOne || b0.fill > 0 {
		return true // at last
	}
	x := uint64(at ^ q.last)
	if x == 0 {
		return false // every event is after last
	}
	la := uint(bits.Len64(x)-1) / digitBits
	if l := uint(bits.TrailingZeros64(q.words)) / digitWords; l != la {
		return l < la
	}
	l, _, d := q.lowest()
	if da := uint(uint64(at)>>(l*digitBits&63)) & digitMask; d != da {
		return d < da
	}
	return q.lv[l&(numLevels-1)][d&digitMask].min <= at
}

// pop0 removes the first event of bucket 0, which must not be empty.
func (q *eventQueue) pop0() event {
	q.peekOK = false
	q.n--
	b0 := &q.b0
	if b0.hasOne {
		b0.hasOne = false
		return b0.one
	}
	ev := q.blocks[b0.head][b0.first]
	b0.first++
	if b0.head == b0.tail {
		if b0.first == b0.fill {
			q.release(b0.head)
			b0.fill = 0
		}
	} else if b0.first == blockSize {
		h := b0.head
		b0.head, b0.first = q.next[h], 0
		q.release(h)
	}
	return ev
}

// refill pops the earliest event when bucket 0 is empty (and the queue is
// not), unless its time is after end. The earliest event is in the lowest
// non-empty bucket: last advances to its time, and the bucket's events move
// to lower buckets, the earliest ones to bucket 0.
func (q *eventQueue) refill(end Time) (event, bool) {
	l, k, d := q.lowest()
	src := &q.lv[l&(numLevels-1)][d&digitMask]
	if src.min > end {
		return event{}, false
	}
	q.last = src.min
	w := &q.digits[l&(numLevels-1)][k]
	if *w &^= 1 << (d % 64); *w == 0 {
		q.words &^= 1 << (l*digitWords + k)
	}
	src.hasOne = false
	if src.fill == 0 {
		// A lone event, common when the queue is sparse: no move at all.
		q.n--
		q.peekOK = false
		return src.one, true
	}
	// The first event, then the chain front to back: the events go below
	// level l. A block is released once read, so the moves reuse it.
	q.move(src.one)
	head, tail, fill := src.head, src.tail, src.fill
	src.fill = 0
	for blk := head; ; {
		m := int32(blockSize)
		if blk == tail {
			m = fill
		}
		// b stays valid if the moves grow the arena: its events are read
		// from the old array, which the moves do not write (blk is not
		// free until released below)
		b := &q.blocks[blk]
		for _, ev := range b[:m] {
			// move, with place inlined by hand: the heap's hot loop
			x := uint64(ev.at ^ q.last)
			if x == 0 {
				q.append0(ev)
				continue
			}
			l := uint(bits.Len64(x)-1) / digitBits
			d := uint(uint64(ev.at)>>(l*digitBits&63)) & digitMask
			bk := &q.lv[l&(numLevels-1)][d&digitMask]
			if !bk.hasOne {
				q.digits[l][d/64] |= 1 << (d % 64)
				q.words |= 1 << (l*digitWords + d/64)
				bk.min, bk.one, bk.hasOne = ev.at, ev, true
				continue
			}
			bk.min = min(bk.min, ev.at)
			if f := bk.fill; f > 0 && f < blockSize {
				q.blocks[bk.tail][f] = ev
				bk.fill = f + 1
				continue
			}
			q.append(bk, ev)
		}
		nb := q.next[blk]
		q.release(blk)
		if blk == tail {
			break
		}
		blk = nb
	}
	return q.pop0(), true
}

// move is Push for refill: ev goes below the bucket being emptied.
func (q *eventQueue) move(ev event) {
	if x := uint64(ev.at ^ q.last); x != 0 {
		q.place(ev, x)
	} else {
		q.append0(ev)
	}
}
