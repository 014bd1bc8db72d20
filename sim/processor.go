package sim

import "slices"

// Processor is a work-conserving server reduced to its "busy until" time: a
// CPU core whose jobs never wait in a bounded queue and whose queue length
// nobody asks. It computes the same start and completion times as a Server
// for jobs offered in arrival order, without keeping the completion times
// of the jobs in flight, so a job costs a handful of instructions (a
// model's cores serve several jobs per packet).
//
// A model may also book a job ahead of the clock (Book): a packet whose
// previous stage ends later on another core reaches this one then, and its
// times are committed when it is booked. A job that arrives earlier but is
// booked after it must not wait behind it while the core idles in
// between, so the processor remembers its idle gaps after the clock and
// fills them in time order: the late job runs in the gap, is interrupted
// by the booked work and resumes after it (the booked work's times are
// already promised). Use a Server for a bounded queue or a queue-length
// series.
type Processor struct {
	busyUntil Time
	busy      Time // total service time accepted
	jobs      uint64
	gapsTo    Time // no gap ends after it: a job from then on has none to fill
	// gaps: the idle intervals before busyUntil that end after the clock
	// of the last Book; nil until a job is booked ahead (behind a
	// pointer: most processors never need it)
	gaps *gapList
}

// gap is an idle interval [from, to) of a Processor.
type gap struct{ from, to Time }

// gapList holds a processor's gaps, oldest first and disjoint, in a ring
// (buf's length a power of two): they are forgotten from the front (the
// clock passes them) and left at the back (a job booked ahead), so a gap
// is written and read once however many wait behind it.
type gapList struct {
	buf     []gap
	head, n int
}

// at returns the i-th oldest gap's slot (i < len(buf)).
func (l *gapList) at(i int) *gap { return &l.buf[(l.head+i)&(len(l.buf)-1)] }

// push appends g at the back.
func (l *gapList) push(g gap) {
	if l.n == len(l.buf) {
		l.resize(max(8, 2*len(l.buf)))
	}
	*l.at(l.n) = g
	l.n++
}

// back returns the newest gap (n > 0).
func (l *gapList) back() gap { return *l.at(l.n - 1) }

// resize moves the gaps, in order, to the front of a ring of size k.
func (l *gapList) resize(k int) {
	buf := make([]gap, k)
	for i := range l.n {
		buf[i] = *l.at(i)
	}
	l.buf, l.head = buf, 0
}

// Serve accepts a job arriving at now with the given service time and
// returns its start and completion times: Book(now, now, service), for a
// job offered at the clock.
func (p *Processor) Serve(now, service Time) (start, done Time) {
	return p.Book(now, now, service)
}

// Book accepts a job arriving at at >= now with the given service time,
// where now is the clock: no job booked later arrives before now. It
// returns the job's start and completion times. The job takes the
// earliest idle time from at on: the gaps left by jobs booked ahead of
// the clock first, then the end of the booked work. Jobs booked in
// arrival order are served first come, first served (as a Server).
func (p *Processor) Book(now, at, service Time) (start, done Time) {
	if start, done, ok := p.BookInOrder(now, at, service); ok {
		return start, done
	}
	return p.bookGaps(now, at, service)
}

// BookInOrder is Book's common case, small enough to inline where a model
// books several jobs per packet: a job with no gap to fill and none to
// leave, served first come, first served. ok is false, and nothing
// booked, otherwise (call Book).
func (p *Processor) BookInOrder(now, at, service Time) (start, done Time, ok bool) {
	if at < p.gapsTo || at > max(p.busyUntil, now) {
		return 0, 0, false
	}
	start = max(p.busyUntil, at)
	p.busyUntil = start + service
	p.busy += service
	p.jobs++
	return start, p.busyUntil, true
}

// bookGaps is Book for a processor with gaps or a job that leaves one.
func (p *Processor) bookGaps(now, at, service Time) (start, done Time) {
	p.busy += service
	p.jobs++
	if p.gaps == nil {
		p.gaps = new(gapList)
	}
	l := p.gaps
	l.forget(now)
	if at >= p.busyUntil {
		if at > p.busyUntil && at > now {
			// idle until a job booked ahead: later jobs may arrive before
			l.push(gap{max(p.busyUntil, now), at})
			p.gapsTo = at
		}
		p.busyUntil = at + service
		return at, p.busyUntil
	}
	if l.n == 0 || l.back().to <= at {
		start = p.busyUntil // busy from at on: first come, first served
		p.busyUntil += service
		return start, p.busyUntil
	}
	return p.fill(at, service)
}

// forget drops the gaps that end by now: no job can use them any more.
func (l *gapList) forget(now Time) {
	for l.n > 0 && l.buf[l.head].to <= now {
		l.head = (l.head + 1) & (len(l.buf) - 1)
		l.n--
	}
}

// fill serves a job arriving at at in the idle gaps after at, in time
// order, and whatever is left of it after busyUntil.
func (p *Processor) fill(at, service Time) (start, done Time) {
	l := p.gaps
	switch {
	case l.n == len(l.buf): // no room for the one gap a split adds
		l.resize(2 * len(l.buf))
	case l.head+l.n >= len(l.buf): // wrapped, or no room behind: rotate to the front
		slices.Reverse(l.buf[:l.head])
		slices.Reverse(l.buf[l.head:])
		slices.Reverse(l.buf)
		l.head = 0
	}
	// gaps is buf[head:head+n], contiguous; a gap taken or split moves
	// the shorter side of the list, and the job nearly always lands in
	// its first gaps (a processor can hold a hundred after work booked
	// far ahead), so that is the front: head moves with it.
	head := l.head
	gaps := l.buf[head : head+l.n]
	defer func() { l.head, l.n = head, len(gaps) }()
	// the first gap that ends after at (one exists: Book checked the last)
	lo, hi := 0, len(gaps)-1
	for lo < hi {
		if m := int(uint(lo+hi) >> 1); gaps[m].to <= at {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if service == 0 { // at the first idle instant from at on
		from := max(gaps[lo].from, at)
		return from, from
	}
	start = -1
	left := service
	for i := lo; i < len(gaps) && left > 0; {
		g := &gaps[i]
		from := max(g.from, at)
		use := min(g.to-from, left)
		if start < 0 {
			start = from
		}
		left -= use
		done = from + use
		switch {
		case from == g.from && use == g.to-g.from: // the whole gap
			if i < len(gaps)-1-i { // the gaps before it move up
				copy(gaps[1:i+1], gaps[:i])
				gaps = gaps[1:]
				head++
			} else {
				gaps = append(gaps[:i], gaps[i+1:]...)
			}
		case from == g.from: // its beginning
			g.from += use
			i++
		case from+use == g.to: // its end
			g.to = from
			i++
		default: // its middle: two gaps (the job ends in it)
			if head > 0 && i < len(gaps)-i { // the gaps up to it move down
				head--
				gaps = l.buf[head : head+len(gaps)+1]
				copy(gaps[:i+1], gaps[1:i+2])
			} else { // room behind: checked above
				gaps = append(gaps[:i+1], gaps[i:]...)
			}
			gaps[i].to, gaps[i+1].from = from, from+use
			i += 2
		}
	}
	if left > 0 {
		if start < 0 {
			start = p.busyUntil
		}
		p.busyUntil += left
		done = p.busyUntil
	}
	return start, done
}

// BusyUntil returns when the processor finishes its accepted work.
func (p *Processor) BusyUntil() Time { return p.busyUntil }

// BusyTime returns the total service time accepted so far (including work
// scheduled beyond now).
func (p *Processor) BusyTime() Time { return p.busy }

// BusyBy returns the service time accepted that runs by now (>= the clock
// of the last Book): BusyTime without the work booked after now.
func (p *Processor) BusyBy(now Time) Time {
	if p.busyUntil <= now {
		return p.busy
	}
	ahead := p.busyUntil - now
	if p.gaps == nil {
		return p.busy - ahead
	}
	for i := range p.gaps.n {
		if g := p.gaps.at(i); g.to > now {
			ahead -= g.to - max(g.from, now)
		}
	}
	return p.busy - ahead
}

// Jobs returns the number of jobs accepted.
func (p *Processor) Jobs() uint64 { return p.jobs }

// Utilisation returns the fraction of [0, now] the processor was busy
// (now >= the clock of the last Book).
func (p *Processor) Utilisation(now Time) float64 {
	if now <= 0 {
		return 0
	}
	return float64(p.BusyBy(now)) / float64(now)
}
