package sim

import (
	"errors"
	"fmt"
	"sync/atomic"
)

// An engine stops a run from inside in two cases: the process asked every
// engine to stop (InterruptAll: a signal reached the command), or the run
// is stuck at one simulated instant (the watchdog). Models create their
// engines themselves and call Run or RunUntil, which return nothing, so
// the engine unwinds the model by panicking with an *Abort; the caller
// that owns the replication (experiments' runner) recovers it and turns
// it into the replication's error.
//
// Both are looked at every checkEvery events, by a counter already kept
// (Executed) and one atomic load: no measurable cost per event.

// checkEvery is how many events run between two checks (a power of two).
const checkEvery = 4096

// NoProgressLimit is how many events may run at one simulated instant
// before the watchdog aborts the run. A model's burst of simultaneous
// events (a million connections opened at t = 0, a few events each) stays
// below it; a model that reschedules itself without advancing time
// reaches it in under a second at the engine's 25 M events/s.
const NoProgressLimit = 10_000_000

// Reasons an engine aborts a run (Abort.Reason).
var (
	ErrInterrupted = errors.New("interrupted")
	ErrNoProgress  = errors.New("no progress")
)

// Abort is the value an engine panics with when it stops a run from
// inside. It is an error: recover it, and use errors.Is with
// ErrInterrupted or ErrNoProgress to tell why.
type Abort struct {
	Reason error  // ErrInterrupted or ErrNoProgress
	At     Time   // simulated time when the run was stopped
	Events uint64 // events executed at At (ErrNoProgress); all events run (ErrInterrupted)
}

func (a *Abort) Error() string {
	if a.Reason == ErrNoProgress {
		return fmt.Sprintf("no progress at t = %v: at least %d events at that simulated instant "+
			"(a model that keeps scheduling without advancing time)", a.At, a.Events)
	}
	return fmt.Sprintf("%v at t = %v after %d events", a.Reason, a.At, a.Events)
}

func (a *Abort) Unwrap() error { return a.Reason }

// interruptGen counts InterruptAll calls. An engine notes its value when
// created (or at its first check) and aborts once it changes.
var interruptGen atomic.Uint64

// InterruptAll asks every engine that exists now to stop: each panics with
// an *Abort wrapping ErrInterrupted within checkEvery events (well under a
// millisecond of a model's run). Engines created afterwards are not
// affected. It is process-wide because models create their engines out of
// reach of the caller's context: a runner that shares the process with
// other runs must re-run a replication interrupted while its own context
// is still live (experiments' runner does).
func InterruptAll() { interruptGen.Add(1) }

// watch holds the engine's stop and watchdog state.
type watch struct {
	gen    uint64 // interruptGen when the engine was created
	genSet bool   // gen is set (false in a zero Engine until its first check)
	at     Time   // the instant seen at the last check
	n      uint64 // Executed when that instant was first seen by a check
	limit  uint64 // NoProgressLimit, or a test's own
	// progress, when set, is told the clock at every check (progress.go)
	progress *Progress
}

// check runs every checkEvery events: it panics with an *Abort when the
// process asked engines to stop or the run has not advanced for more than
// the limit. Since time never goes backwards, the same Now at two checks
// means every event between them ran at that instant.
//
//go:noinline
func (e *Engine) check() {
	w := &e.watch
	w.publish(e.now)
	if g := interruptGen.Load(); !w.genSet {
		w.gen, w.genSet = g, true
	} else if g != w.gen {
		panic(&Abort{Reason: ErrInterrupted, At: e.now, Events: e.executed})
	}
	if e.now != w.at || w.n == 0 {
		w.at, w.n = e.now, e.executed
		return
	}
	limit := w.limit
	if limit == 0 {
		limit = NoProgressLimit
	}
	if e.executed-w.n > limit {
		panic(&Abort{Reason: ErrNoProgress, At: e.now, Events: e.executed - w.n})
	}
}
