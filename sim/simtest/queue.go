package simtest

import (
	"sort"

	"github.com/cnisim/cnisim/sim"
)

// Queue is the contract of a monotone event queue: Pop returns the pending
// item with the earliest time, and among equal times the one pushed first.
// Push is only ever called with a time >= the time of the last item popped
// (simulated time never goes backwards).
type Queue interface {
	Push(at sim.Time, id uint64)
	// Pop removes the earliest item; ok is false when the queue is empty.
	Pop() (at sim.Time, id uint64, ok bool)
	Len() int
}

// Reference is a queue kept as a slice sorted by time, with equal times in
// push order. It is slow (O(n) per push) and obviously correct: the oracle.
type Reference struct {
	items []item
}

type item struct {
	at sim.Time
	id uint64
}

// Push inserts after every item whose time is <= at, which keeps FIFO order
// among equal times.
func (r *Reference) Push(at sim.Time, id uint64) {
	i := sort.Search(len(r.items), func(i int) bool { return r.items[i].at > at })
	r.items = append(r.items, item{})
	copy(r.items[i+1:], r.items[i:])
	r.items[i] = item{at, id}
}

// Pop removes the first item.
func (r *Reference) Pop() (sim.Time, uint64, bool) {
	if len(r.items) == 0 {
		return 0, 0, false
	}
	it := r.items[0]
	r.items = r.items[1:]
	return it.at, it.id, true
}

// Len returns the number of pending items.
func (r *Reference) Len() int { return len(r.items) }

// EngineQueue drives a sim.Engine as a Queue: Push schedules an event whose
// handler records its time and id, Pop runs one event with Engine.Step.
type EngineQueue struct {
	E       *sim.Engine
	lastAt  sim.Time
	lastID  uint64
	handler sim.Handler
}

// NewEngineQueue returns an EngineQueue over a new engine.
func NewEngineQueue() *EngineQueue {
	q := &EngineQueue{E: sim.NewEngine()}
	q.handler = sim.HandlerFunc(func(e *sim.Engine, id uint64) { q.lastAt, q.lastID = e.Now(), id })
	return q
}

// Push schedules id at at.
func (q *EngineQueue) Push(at sim.Time, id uint64) { q.E.Schedule(at, q.handler, id) }

// Pop runs the earliest event.
func (q *EngineQueue) Pop() (sim.Time, uint64, bool) {
	if !q.E.Step() {
		return 0, 0, false
	}
	return q.lastAt, q.lastID, true
}

// Len returns the number of pending events.
func (q *EngineQueue) Len() int { return q.E.Pending() }
