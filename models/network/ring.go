package network

import (
	"github.com/cnisim/cnisim/sim"
)

// timeRing is a FIFO of non-decreasing completion times: the packets
// waiting in a receive ring until their softirq job ends. It is queried
// at non-decreasing times, so retiring is exact whenever it happens; the
// caller retires when the size alone reaches the bound (to decide a drop)
// or fills the buffer (before a push would grow it), so the buffer follows
// the backlog and never passes the bound.
type timeRing struct {
	t          []sim.Time
	head, size int
}

func (q *timeRing) len(now sim.Time) int {
	if q.size > 0 && q.t[(q.head+q.size-1)&(len(q.t)-1)] <= now {
		q.head, q.size = 0, 0 // the newest has finished: all have
		return 0
	}
	for q.size > 0 && q.t[q.head] <= now {
		q.head = (q.head + 1) & (len(q.t) - 1)
		q.size--
	}
	return q.size
}

// setLast moves the newest time to done (>= it): a super-packet grown by
// one more packet.
func (q *timeRing) setLast(done sim.Time) {
	if q.size > 0 {
		q.t[(q.head+q.size-1)&(len(q.t)-1)] = done
	}
}

func (q *timeRing) push(done sim.Time) {
	if q.size == len(q.t) {
		q.t, q.head = sim.GrowRing(q.t, q.head, q.size, 64), 0 // a power of two: index with a mask
	}
	q.t[(q.head+q.size)&(len(q.t)-1)] = done
	q.size++
}
