package network

import "github.com/cnisim/cnisim/models/datapath"

// Retire hands back a route whose flow has ended (a closed connection of a
// connection-churn workload) so that memory stays flat in the number of
// connections: once none of its packets is in flight, its accounting is
// folded into the network's totals (Accounting is unchanged by this) and
// the network drops its reference. The caller must send nothing more on
// it. Retired routes are swept in batches (amortised O(1) per route).
func (n *Network) Retire(r *Route) {
	r.wake.Stop() // no TSQ wake-up of a forgotten sender
	r.target = -1
	n.retiring = append(n.retiring, r)
	if len(n.retiring) >= 256 && 2*len(n.retiring) >= len(n.routes) {
		n.sweep()
	}
}

// sweep folds and forgets the retiring routes with nothing in flight.
func (n *Network) sweep() {
	if n.retired.Cycles == nil {
		n.retired.Cycles = make([][datapath.NumKinds]float64, len(n.Nodes))
		n.retired.Crossings = make([][datapath.NumKinds]float64, len(n.Nodes))
		n.retired.Context = make([][4]float64, len(n.Nodes))
	}
	done := make(map[*Route]bool, len(n.retiring))
	keep := n.retiring[:0]
	for _, r := range n.retiring {
		if r.sent != r.delivered+r.dropped {
			keep = append(keep, r)
			continue
		}
		for i := range r.segs {
			n.retired.add(&r.segs[i])
		}
		n.retired.add(&r.recv)
		done[r] = true
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
}
