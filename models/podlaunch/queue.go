package podlaunch

import "github.com/cnisim/cnisim/sim"

// tokenBucket is client-go's token bucket as a virtual scheduler (GCRA):
// requests are served FIFO, Burst at once from a full bucket, then one per
// interval. It needs no events: a request's admission time is computed
// when it arrives, as sim.Server does for service.
type tokenBucket struct {
	interval sim.Time // 1/QPS; 0 = unlimited
	tau      sim.Time // (Burst-1) x interval: how far ahead of schedule a request may go
	tat      sim.Time // theoretical arrival time of the next request
}

func newTokenBucket(b Bucket) tokenBucket {
	if b.QPS == 0 {
		return tokenBucket{}
	}
	t := sim.FromSeconds(1 / b.QPS)
	return tokenBucket{interval: t, tau: sim.Time(b.Burst-1) * t}
}

// take returns when a request arriving at now (non-decreasing across
// calls) is admitted.
func (b *tokenBucket) take(now sim.Time) sim.Time {
	if b.interval == 0 {
		return now
	}
	s := max(now, b.tat-b.tau)
	b.tat = max(b.tat, s) + b.interval
	return s
}

// resource is a counting semaphore with a FIFO wait queue (kubelet
// workers, the scheduler, a node's CNI lock). capacity 0 = unlimited.
type resource struct {
	capacity int
	busy     int
	queue    []int // waiting pods, FIFO from head
	head     int
}

// tryAcquire takes a unit if one is free.
func (r *resource) tryAcquire() bool {
	if r.capacity > 0 && r.busy >= r.capacity {
		return false
	}
	r.busy++
	return true
}

func (r *resource) enqueue(pod int) { r.queue = append(r.queue, pod) }

// release frees a unit and hands it to the longest-waiting pod, if any,
// which is returned with ok true (the unit stays busy on its behalf).
func (r *resource) release() (next int, ok bool) {
	if r.head < len(r.queue) {
		next = r.queue[r.head]
		r.head++
		if r.head == len(r.queue) {
			r.queue, r.head = r.queue[:0], 0
		}
		return next, true
	}
	r.busy--
	return 0, false
}
