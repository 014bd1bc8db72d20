package sim

import "sync/atomic"

// Progress is where a run publishes how far it has got, for a display in
// another goroutine (a progress bar over a long replication): the engine
// stores its clock at its periodic check (every checkEvery events, with
// the watchdog's look at it) and when a RunUntil returns, and the end each
// bounded RunUntil runs to. Reading it never changes the run.
type Progress struct {
	now, end atomic.Int64
}

// Fraction is the share of the current bounded RunUntil's span reached, in
// [0, 1]: 0 before one starts (an unbounded Run reports nothing).
func (p *Progress) Fraction() float64 {
	end := p.end.Load()
	if end <= 0 {
		return 0
	}
	return min(max(float64(p.now.Load())/float64(end), 0), 1)
}

// ReportProgress makes e publish its progress in p (nil: nowhere, the
// default).
func (e *Engine) ReportProgress(p *Progress) { e.watch.progress = p }

// runTo stores the end of a bounded RunUntil in the engine's Progress, if
// it has one. Out of line: inlined, its test of end kept a constant in a
// register through RunUntil's loop (one more instruction per event).
//
//go:noinline
func (w *watch) runTo(end Time) {
	if w.progress != nil && end != Never {
		w.progress.end.Store(int64(end))
	}
}

// publish stores the clock in the engine's Progress, if it has one.
func (w *watch) publish(now Time) {
	if w.progress != nil {
		w.progress.now.Store(int64(now))
	}
}
