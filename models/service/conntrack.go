package service

import "github.com/cnisim/cnisim/sim"

// Conntrack is a node's connection-tracking table as the Service model
// needs it: one entry per live connection (created by the connection's
// first packet), kept for TimeWait after the connection closes
// (nf_conntrack_tcp_timeout_time_wait), and a size limit: a new connection
// that finds Max entries is dropped ("nf_conntrack: table full, dropping
// packet"), which the client sees as a SYN lost and retransmitted.
//
// Memory is O(entries in TIME_WAIT), bounded by Max: closed entries are a
// FIFO of expiry times (every entry has the same timeout, so expiries come
// in closing order) and nothing is kept per connection once it expires.
type Conntrack struct {
	Max      int
	TimeWait sim.Time

	live    int        // entries of open connections
	closing []sim.Time // expiry times of closed connections' entries, oldest first from head
	head    int
	peak    int
	drops   uint64
	created uint64
}

// NewConntrack returns an empty table.
func NewConntrack(max int, timeWait sim.Time) *Conntrack {
	return &Conntrack{Max: max, TimeWait: timeWait}
}

// expire removes the entries whose timeout has passed by now.
func (t *Conntrack) expire(now sim.Time) {
	for t.head < len(t.closing) && t.closing[t.head] <= now {
		t.head++
	}
	if t.head > 0 && t.head*2 >= len(t.closing) {
		n := copy(t.closing, t.closing[t.head:])
		t.closing = t.closing[:n]
		t.head = 0
	}
}

// Open creates the entry of a new connection at now; false (and a drop
// counted) when the table is full.
func (t *Conntrack) Open(now sim.Time) bool {
	t.expire(now)
	if t.Entries(now) >= t.Max {
		t.drops++
		return false
	}
	t.live++
	t.created++
	t.peak = max(t.peak, t.Entries(now))
	return true
}

// Close moves an open connection's entry to TIME_WAIT at now.
func (t *Conntrack) Close(now sim.Time) {
	if t.live == 0 {
		return
	}
	t.live--
	t.expire(now)
	if t.TimeWait > 0 {
		t.closing = append(t.closing, now+t.TimeWait)
	}
}

// Entries is the table's occupancy at now (call with non-decreasing now).
func (t *Conntrack) Entries(now sim.Time) int {
	t.expire(now)
	return t.live + len(t.closing) - t.head
}

// Live is the number of open connections' entries.
func (t *Conntrack) Live() int { return t.live }

// Peak is the largest occupancy seen.
func (t *Conntrack) Peak() int { return t.peak }

// Drops counts new connections refused because the table was full.
func (t *Conntrack) Drops() uint64 { return t.drops }

// Created counts entries created.
func (t *Conntrack) Created() uint64 { return t.created }
