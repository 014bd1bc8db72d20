package network

import "github.com/cnisim/cnisim/models/datapath"

// Retire hands back a route whose flow has ended (a closed connection of a
// connection-churn workload) so that memory stays flat in the number of
// connections: once none of its packets is in flight, its accounting is
// folded into the network's totals (Accounting is unchanged by this) and
// the network drops its reference. The caller must send nothing more on
// it. Retired routes are swept in batches (amortised O(1) per route); a
// folded route's object is recycled by a later NewRoute, so the caller
// must not use it after the fold either (Folds tells it when).
func (n *Network) Retire(r *Route) {
	r.wake.Stop() // no TSQ wake-up of a forgotten sender
	r.target = -1
	n.retiring = append(n.retiring, r) // a relayed route's second leg folds with it
	if len(n.retiring) >= 256 && 2*len(n.retiring) >= len(n.routes) {
		n.sweep()
	}
}

// Folds counts the times the route was folded after Retire: once it moves,
// none of the flow's packets is in flight any more (its endpoint may be
// reused) and the object may already carry another flow.
func (r *Route) Folds() uint64 { return r.folds }

// sweep folds and forgets the retiring routes with nothing in flight.
func (n *Network) sweep() {
	if n.retired.Cycles == nil {
		n.retired.Cycles = make([][datapath.NumKinds]float64, len(n.Nodes))
		n.retired.Crossings = make([][datapath.NumKinds]float64, len(n.Nodes))
		n.retired.Context = make([][4]float64, len(n.Nodes))
	}
	if n.done == nil {
		n.done = make(map[*Route]bool, len(n.retiring))
	}
	done := n.done
	keep := n.retiring[:0]
	for _, r := range n.retiring {
		if !r.quiet() {
			keep = append(keep, r)
			continue
		}
		n.fold(r, done)
		if r.next != nil {
			n.fold(r.next, done)
		}
	}
	clear(n.retiring[len(keep):])
	n.retiring = keep
	if len(done) == 0 {
		return
	}
	live := n.routes[:0]
	for _, r := range n.routes {
		if !done[r] {
			live = append(live, r)
		}
	}
	clear(n.routes[len(live):])
	n.routes = live
	clear(done)
}

// fold adds a quiet route's accounting to the retired totals and frees it.
func (n *Network) fold(r *Route, done map[*Route]bool) {
	for i := range r.segs {
		n.retired.add(&r.segs[i])
	}
	n.retired.add(&r.recv)
	done[r] = true
	r.folds++
	r.to, r.pf = nil, nil
	n.freeRoutes = append(n.freeRoutes, r)
}

// reuse returns a folded route object for a new route, cleared but with
// its buffers (segments, transmit ring) and its wake-up timer (whose
// queued wake-ups must stay stale) kept, or a new one.
func (n *Network) reuse(nsegs int) *Route {
	k := len(n.freeRoutes)
	if k == 0 {
		return &Route{segs: make([]segment, nsegs)}
	}
	r := n.freeRoutes[k-1]
	n.freeRoutes[k-1] = nil
	n.freeRoutes = n.freeRoutes[:k-1]
	segs, ring, wake, folds, dropNth := r.segs, r.ring, r.wake, r.folds, r.dropNth[:0]
	if cap(segs) < nsegs {
		segs = make([]segment, nsegs)
	}
	*r = Route{segs: segs[:nsegs], ring: ring, wake: wake, folds: folds, dropNth: dropNth}
	return r
}
