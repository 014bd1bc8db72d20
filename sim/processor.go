package sim

// Processor is a work-conserving FIFO server reduced to its "busy until"
// time: a CPU core whose jobs never wait in a bounded queue and whose queue
// length nobody asks. It computes the same start and completion times as a
// Server, without keeping the completion times of the jobs in flight, so a
// job costs a handful of instructions (a model's cores serve several jobs
// per packet). Use a Server for a bounded queue or a queue-length series.
type Processor struct {
	busyUntil Time
	busy      Time // total service time accepted
	jobs      uint64
}

// Serve accepts a job arriving at now with the given service time and
// returns its start and completion times. Jobs must be offered in
// non-decreasing arrival time.
func (p *Processor) Serve(now, service Time) (start, done Time) {
	start = max(p.busyUntil, now)
	done = start + service
	p.busyUntil = done
	p.busy += service
	p.jobs++
	return start, done
}

// BusyUntil returns when the processor finishes its accepted work.
func (p *Processor) BusyUntil() Time { return p.busyUntil }

// BusyTime returns the total service time accepted so far (including work
// scheduled beyond now).
func (p *Processor) BusyTime() Time { return p.busy }

// Jobs returns the number of jobs accepted.
func (p *Processor) Jobs() uint64 { return p.jobs }

// Utilisation returns the fraction of [0, now] the processor was busy.
func (p *Processor) Utilisation(now Time) float64 {
	if now <= 0 {
		return 0
	}
	b := p.busy
	if p.busyUntil > now {
		b -= p.busyUntil - now
	}
	return float64(b) / float64(now)
}
