package sim

// Server is a work-conserving FIFO server (a NIC's queue and transmitter)
// computed as "busy until", like a Processor: a job that arrives at now
// starts at max(now, busy-until) and needs no event of its own. It also
// keeps the completion times of the jobs in flight, for a bounded queue
// (Offer) and its length (QueueLen, OnQueueLen). Jobs must be offered in
// non-decreasing arrival time, which an event loop guarantees.
type Server struct {
	Processor // busy until, busy time, jobs, utilisation
	// completions of jobs not yet finished, oldest first, for queue length
	// and bounded-queue admission.
	ring []Time
	head int
	size int
	// Limit bounds how many jobs may be waiting or in service; 0 means no limit.
	Limit   int
	dropped uint64
	// OnQueueLen, when set, is called with the number of jobs waiting or
	// in service each time it changes, and the time of the change, in time
	// order (feed it to a TimeWeighted for the mean queue length). A
	// departure needs no event of its own, so it is reported when the
	// server is next used or asked its QueueLen, with its exact time: call
	// QueueLen(end) before reading a time average up to end.
	OnQueueLen func(at Time, n int)
}

// Serve accepts a job arriving at now with the given service time and
// returns its start and completion times. It ignores Limit.
func (s *Server) Serve(now, service Time) (start, done Time) {
	start = s.busyUntil
	if start <= now {
		// idle: every job accepted so far has left by now
		start = now
		if s.size > 0 {
			if s.OnQueueLen != nil {
				s.retire(now)
			}
			s.head, s.size = 0, 0
		}
	} else if s.size > 0 && s.ring[s.head] <= now {
		s.retire(now)
	}
	done = start + service
	s.busyUntil = done
	s.busy += service
	s.jobs++
	if s.size < len(s.ring) {
		s.ring[(s.head+s.size)&(len(s.ring)-1)] = done
		s.size++
	} else {
		s.push(done)
	}
	if s.OnQueueLen != nil {
		s.OnQueueLen(now, s.size)
	}
	return start, done
}

// Offer is Serve for a bounded queue: when Limit jobs are already waiting
// or in service at now, the job is dropped and ok is false.
func (s *Server) Offer(now, service Time) (done Time, ok bool) {
	if s.Limit > 0 && s.size >= s.Limit && s.QueueLen(now) >= s.Limit {
		s.dropped++
		return 0, false
	}
	_, done = s.Serve(now, service)
	return done, true
}

// QueueLen returns the number of jobs waiting or in service at now.
func (s *Server) QueueLen(now Time) int {
	if s.size > 0 && s.ring[s.head] <= now {
		s.retire(now)
	}
	return s.size
}

// Dropped returns the number of jobs refused by Offer.
func (s *Server) Dropped() uint64 { return s.dropped }

func (s *Server) retire(now Time) {
	mask := len(s.ring) - 1
	for s.size > 0 && s.ring[s.head] <= now {
		done := s.ring[s.head]
		s.head = (s.head + 1) & mask
		s.size--
		if s.OnQueueLen != nil {
			s.OnQueueLen(done, s.size)
		}
	}
}

// push appends a completion time; the ring's length is a power of two, so
// indices wrap with a mask.
func (s *Server) push(done Time) {
	if s.size == len(s.ring) {
		s.ring, s.head = GrowRing(s.ring, s.head, s.size, 16), 0
	}
	s.ring[(s.head+s.size)&(len(s.ring)-1)] = done
	s.size++
}
