package sim

// RawQueue exposes the engine's event queue to the external tests, which
// run simtest's conformance test on it.
type RawQueue struct{ q eventQueue }

func (r *RawQueue) Push(at Time, id uint64) { r.q.Push(event{at: at, arg: id}) }

func (r *RawQueue) Pop() (Time, uint64, bool) {
	ev, ok := r.q.PopNotAfter(Never)
	return ev.at, ev.arg, ok
}

func (r *RawQueue) Len() int { return r.q.Len() }

// SetNoProgressLimit lowers the watchdog's limit for a test.
func (e *Engine) SetNoProgressLimit(n uint64) { e.watch.limit = n }

// CheckEvery is how many events run between two stop checks.
const CheckEvery = checkEvery
