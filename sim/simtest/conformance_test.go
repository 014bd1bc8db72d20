package simtest_test

import (
	"sort"
	"testing"

	"github.com/cnisim/cnisim/sim"
	"github.com/cnisim/cnisim/sim/simtest"
)

func TestReferenceConforms(t *testing.T) {
	t.Parallel()
	simtest.TestQueue(t, func() simtest.Queue { return &simtest.Reference{} })
}

func TestEngineConforms(t *testing.T) {
	t.Parallel()
	simtest.TestQueue(t, func() simtest.Queue { return simtest.NewEngineQueue() })
}

// The conformance test must reject wrong queues.
func TestCheckRejectsWrongQueues(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name     string
		newQueue func() simtest.Queue
	}{
		{"unstable sort", func() simtest.Queue { return &unstable{} }},
		{"lifo", func() simtest.Queue { return &lifo{} }},
		{"len off by one", func() simtest.Queue { return &badLen{} }},
	} {
		if err := simtest.Check(c.newQueue); err == nil {
			t.Errorf("%s: Check passed a wrong queue", c.name)
		} else {
			t.Logf("%s: %v", c.name, err)
		}
	}
}

// unstable orders by time only, losing FIFO order among ties.
type unstable struct{ items []item }

type item struct {
	at sim.Time
	id uint64
}

func (q *unstable) Push(at sim.Time, id uint64) {
	q.items = append(q.items, item{at, id})
	// sort.Slice is not stable: ties come out in arbitrary order.
	sort.Slice(q.items, func(i, j int) bool { return q.items[i].at < q.items[j].at })
}

func (q *unstable) Pop() (sim.Time, uint64, bool) {
	if len(q.items) == 0 {
		return 0, 0, false
	}
	it := q.items[0]
	q.items = q.items[1:]
	return it.at, it.id, true
}

func (q *unstable) Len() int { return len(q.items) }

// lifo pops the most recent push.
type lifo struct{ unstable }

func (q *lifo) Push(at sim.Time, id uint64) { q.items = append(q.items, item{at, id}) }

func (q *lifo) Pop() (sim.Time, uint64, bool) {
	if len(q.items) == 0 {
		return 0, 0, false
	}
	it := q.items[len(q.items)-1]
	q.items = q.items[:len(q.items)-1]
	return it.at, it.id, true
}

// badLen is correct except for Len.
type badLen struct{ simtest.Reference }

func (q *badLen) Len() int { return q.Reference.Len() + 1 }
