package sim

// Timer is a re-armable, cancellable one-shot timer. Re-arming to a later
// deadline costs no event: the pending event, when it fires early, notices
// the later deadline and re-schedules itself once (TCP re-arms its
// retransmission timer on every ACK).
type Timer struct {
	e        *Engine
	h        Handler
	arg      uint64
	deadline Time // Never when not armed
	pending  Time // time of the scheduled wake-up event, Never when none
	gen      uint64
}

// Init prepares t to call h.Handle(e, arg) when it expires. A Timer may be
// embedded by value in a model struct and initialised in place, and
// initialised again when the struct is recycled: a wake-up still queued
// from its previous use stays a no-op (the generation only grows).
func (t *Timer) Init(e *Engine, h Handler, arg uint64) {
	*t = Timer{e: e, h: h, arg: arg, deadline: Never, pending: Never, gen: t.gen + 1}
}

// NewTimer returns an initialised timer.
func NewTimer(e *Engine, h Handler, arg uint64) *Timer {
	t := &Timer{}
	t.Init(e, h, arg)
	return t
}

// Set arms (or re-arms) the timer to expire at at, which must not be before
// the engine's Now.
func (t *Timer) Set(at Time) {
	t.deadline = at
	if t.pending <= at {
		return // the pending wake-up comes first and will re-schedule
	}
	t.gen++
	t.pending = at
	t.e.Schedule(at, (*timerWake)(t), t.gen)
}

// Reset arms the timer to expire d from now.
func (t *Timer) Reset(d Time) { t.Set(t.e.now + d) }

// Stop disarms the timer; a pending wake-up becomes a no-op.
func (t *Timer) Stop() { t.deadline = Never }

// Armed reports whether the timer will fire.
func (t *Timer) Armed() bool { return t.deadline != Never }

// Deadline returns the expiry time, or Never.
func (t *Timer) Deadline() Time { return t.deadline }

type timerWake Timer

func (w *timerWake) Handle(e *Engine, gen uint64) {
	t := (*Timer)(w)
	if gen != t.gen {
		return // superseded by an earlier wake-up
	}
	t.pending = Never
	if t.deadline == Never {
		return
	}
	if t.deadline > e.now {
		t.gen++
		t.pending = t.deadline
		e.Schedule(t.deadline, w, t.gen)
		return
	}
	t.deadline = Never
	t.h.Handle(e, t.arg)
}
