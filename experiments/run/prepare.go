package run

import (
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/cnisim/cnisim/experiments/scenario"
)

// prepared holds the sweep points a run has in flight: each point is
// prepared once, by the first of its units to start, and dropped when its
// last unit has run, so memory holds the points within Stream's window,
// not every point of a sweep.
type prepared struct {
	m     Model
	mu    sync.Mutex
	count func(point int) int // units of the point in this run
	live  map[int]*preparedPoint
}

type preparedPoint struct {
	once  sync.Once
	run   Point
	err   error
	stack []byte // the preparation panicked
	left  int    // units not yet done
}

func newPrepared(p *scenario.Plan, m Model, units []Unit) *prepared {
	count := func(int) int { return p.Base.Replications }
	if units != nil {
		per := map[int]int{}
		for _, u := range units {
			per[u.Point]++
		}
		count = func(pt int) int { return per[pt] }
	}
	return &prepared{m: m, count: count, live: map[int]*preparedPoint{}}
}

// get returns the point's replication function, preparing it on first use.
// A preparation that failed fails every unit of the point alike.
func (ps *prepared) get(point int, sc *scenario.Scenario) (Point, []byte, error) {
	ps.mu.Lock()
	e := ps.live[point]
	if e == nil {
		e = &preparedPoint{left: ps.count(point)}
		ps.live[point] = e
	}
	ps.mu.Unlock()
	e.once.Do(func() {
		defer func() {
			if r := recover(); r != nil {
				e.err, e.stack = fmt.Errorf("panic: %v", r), debug.Stack()
			}
		}()
		e.run, e.err = ps.m(sc)
		if e.err == nil && e.run == nil {
			e.err = fmt.Errorf("the model prepared no replication function")
		}
	})
	return e.run, e.stack, e.err
}

// done records that one unit of the point has finished (or will not run).
func (ps *prepared) done(point int) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	e := ps.live[point]
	if e == nil {
		return
	}
	if e.left--; e.left <= 0 {
		delete(ps.live, point)
	}
}
