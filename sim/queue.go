package sim

import "math/bits"

// eventQueue is a monotone radix heap (Ahuja, Mehlhorn, Orlin & Tarjan
// 1990) over the events' picosecond times. It relies on simulated time never
// going backwards: every key pushed is >= the last key popped (last).
//
// Bucket 0 holds the events whose time equals last, as a FIFO. Bucket i >= 1
// holds the events whose time first differs from last in bit i-1, that is
// bits.Len64(at ^ last) == i. All events with the same time are therefore
// in the same bucket, appended in scheduling order, and redistribution
// walks a bucket front to back, so equal times pop in FIFO order without a
// sequence number.
//
// Events are stored by value in per-bucket slices whose capacity is
// retained, so a run allocates only while the queue grows.
type eventQueue struct {
	last Time
	n    int
	head int // next event to pop from buckets[0]
	// mask has bit i set when buckets[i] (i >= 1) is non-empty.
	mask    uint64
	buckets [65][]event
}

func (q *eventQueue) Len() int { return q.n }

// bucket returns the bucket for an event at at >= q.last.
func (q *eventQueue) bucket(at Time) int { return bits.Len64(uint64(at ^ q.last)) }

func (q *eventQueue) Push(ev event) {
	b := q.bucket(ev.at)
	q.buckets[b] = append(q.buckets[b], ev)
	q.mask |= 1 << b // bucket 0 lives in bit 0, which is never read
	q.n++
}

// PopNotAfter removes and returns the earliest event if its time is <= end;
// otherwise it leaves the queue unchanged and reports false, so that a
// later Push between end and that time stays legal.
func (q *eventQueue) PopNotAfter(end Time) (ev event, ok bool) {
	b0 := q.buckets[0]
	if q.head >= len(b0) {
		if q.n == 0 || !q.refill(end) {
			return event{}, false
		}
		b0 = q.buckets[0]
	} else if b0[q.head].at > end {
		return event{}, false
	}
	ev = b0[q.head]
	q.head++
	if q.head == len(b0) {
		q.buckets[0] = b0[:0]
		q.head = 0
	}
	q.n--
	return ev, true
}

// refill moves the events of the lowest non-empty bucket into lower buckets
// after advancing last to their minimum, unless that minimum is after end.
// Bucket 0 must be empty and the queue non-empty.
func (q *eventQueue) refill(end Time) bool {
	i := bits.TrailingZeros64(q.mask &^ 1)
	src := q.buckets[i]
	min := src[0].at
	for k := 1; k < len(src); k++ {
		if src[k].at < min {
			min = src[k].at
		}
	}
	if min > end {
		return false
	}
	q.last = min
	q.buckets[0] = q.buckets[0][:0]
	q.head = 0
	for k := range src {
		b := q.bucket(src[k].at) // < i: the events share last's bits above i-1
		q.buckets[b] = append(q.buckets[b], src[k])
		q.mask |= 1 << b
	}
	q.buckets[i] = src[:0]
	q.mask &^= 1 << i
	return true
}
