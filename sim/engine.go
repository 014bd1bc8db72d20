package sim

// Handler receives an event. arg is the value given when the event was
// scheduled; handlers are plain callbacks (no goroutines), so one Handler
// value usually serves many events and uses arg to tell them apart.
type Handler interface {
	Handle(e *Engine, arg uint64)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(e *Engine, arg uint64)

// Handle calls f.
func (f HandlerFunc) Handle(e *Engine, arg uint64) { f(e, arg) }

// event is stored by value: no allocation per schedule. It needs no
// sequence number: the queue keeps equal times in scheduling order.
type event struct {
	at  Time
	h   Handler
	arg uint64
}

// Engine is a discrete-event scheduler. Events run in order of time, and
// events at equal times in the order they were scheduled (FIFO), so a run is
// a deterministic function of its inputs. The zero Engine is ready to use;
// it is large (about 130 KB of bucket tables), so keep it behind a pointer.
type Engine struct {
	q        eventQueue // first: its buckets' alignment (queue.go)
	now      Time
	stopped  bool
	executed uint64
	end      Time       // end of the current RunUntil; Now outside a run
	deferred []deferral // calls to make once the running event returns
	watch    watch      // InterruptAll and the no-progress watchdog (abort.go)
}

type deferral struct {
	h   Handler
	arg uint64
}

// NewEngine returns an engine at time zero with no pending events.
func NewEngine() *Engine {
	return &Engine{watch: watch{gen: interruptGen.Load(), genSet: true}}
}

// Now returns the current simulated time.
func (e *Engine) Now() Time { return e.now }

// Executed returns how many events have run.
func (e *Engine) Executed() uint64 { return e.executed }

// Pending returns how many events are scheduled and not yet run.
func (e *Engine) Pending() int { return e.q.Len() }

// Schedule arranges for h.Handle(e, arg) at time at. Scheduling in the past
// panics: it is always a model bug.
func (e *Engine) Schedule(at Time, h Handler, arg uint64) {
	if at < e.now {
		schedulePastPanic(at, e.now)
	}
	e.q.Push(event{at: at, h: h, arg: arg})
}

// schedulePastPanic is out of line so that Schedule and After inline.
//
//go:noinline
func schedulePastPanic(at, now Time) {
	panic("sim: event scheduled at " + at.String() + ", before now " + now.String())
}

// After schedules h after delay d from now.
func (e *Engine) After(d Time, h Handler, arg uint64) { e.Schedule(e.now+d, h, arg) }

// Defer arranges for h.Handle(e, arg) to run once the running event's
// handler has returned, before the next event, at the same Now (called
// outside a run: at the start of the next Run, RunUntil or Step). It
// schedules no event: a model uses it to finish, in time order, the work
// that one event produced for a shared server, once it knows (Horizon)
// what later events can still add. Deferred calls may defer again.
func (e *Engine) Defer(h Handler, arg uint64) {
	e.deferred = append(e.deferred, deferral{h, arg})
}

func (e *Engine) runDeferred() {
	for i := 0; i < len(e.deferred); i++ {
		d := e.deferred[i]
		d.h.Handle(e, d.arg)
	}
	// not cleared: the handlers live as long as the engine anyway
	e.deferred = e.deferred[:0]
}

// Continue lets the running handler go straight on to an event of its own
// at time at, without queueing it, when that event would run next anyway:
// at is before every pending event, not after the end of the run, and the
// run was not stopped. It first makes the deferred calls (which may
// schedule), then either advances Now to at, counts the event as executed
// and returns true, or does nothing and returns false (the caller then
// schedules the event). A model whose events come in a known order, such
// as the packets on a link, saves the queue's work with it.
func (e *Engine) Continue(at Time) bool {
	if len(e.deferred) > 0 {
		e.runDeferred()
	}
	if e.stopped || at > e.end || at < e.now {
		return false
	}
	if e.q.pendingBy(at) {
		return false
	}
	e.now = at
	if e.executed++; e.executed%checkEvery == 0 {
		e.check()
	}
	return true
}

// Horizon returns the earliest time at which an event not yet run can
// run: the earliest pending event's time, capped at the end of the current
// RunUntil (after which the caller may schedule anything >= Now); Now when
// nothing is pending, outside a run, and during Step. Nothing the model
// has not yet been asked to do can happen before it.
func (e *Engine) Horizon() Time {
	t, ok := e.q.PeekTime()
	if !ok {
		return e.now // the run ends here; the caller may go on at Now
	}
	return max(min(t, e.end), e.now)
}

// Stop makes the current Run return after the running event.
func (e *Engine) Stop() { e.stopped = true }

// Run executes events until none is left or Stop is called.
func (e *Engine) Run() { e.RunUntil(Never) }

// RunUntil executes events with time <= end, including those that handlers
// schedule on the way, then sets the clock to end (unless end is Never or
// the run was stopped). It panics with an *Abort after InterruptAll or
// when more than NoProgressLimit events run at one instant (abort.go). Stop makes it return after the running event, with
// the clock at that event's time. Events may afterwards be scheduled at any
// time >= Now, including before the earliest pending one.
func (e *Engine) RunUntil(end Time) {
	e.stopped = false
	e.end = max(end, e.now)
	e.watch.runTo(end)
	if len(e.deferred) > 0 {
		e.runDeferred()
	}
	for !e.stopped {
		ev, ok := e.q.PopNotAfter(end)
		if !ok {
			break
		}
		e.now = ev.at
		if e.executed++; e.executed%checkEvery == 0 {
			e.check()
		}
		ev.h.Handle(e, ev.arg)
		if len(e.deferred) > 0 {
			e.runDeferred()
		}
	}
	if !e.stopped && end != Never && end > e.now {
		e.now = end
	}
	e.end = e.now
	e.watch.publish(e.now)
}

// Step runs the earliest pending event, if any, and reports whether it did.
func (e *Engine) Step() bool {
	e.end = e.now
	if len(e.deferred) > 0 {
		e.runDeferred()
	}
	ev, ok := e.q.PopNotAfter(Never)
	if !ok {
		return false
	}
	e.now, e.end = ev.at, ev.at
	if e.executed++; e.executed%checkEvery == 0 {
		e.check()
	}
	ev.h.Handle(e, ev.arg)
	if len(e.deferred) > 0 {
		e.runDeferred()
	}
	return true
}
