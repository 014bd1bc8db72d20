package network

import (
	"fmt"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/sim"
)

// Via relays a route through an intermediate node (a NodePort's ingress
// node forwarding a connection to the endpoint's node): the packets cross
// RouteSpec.Path from Src to Node (its dst-side steps are the relay
// node's receive work), then Path from Node to RouteSpec.Dst (its
// src-side steps are the relay node's forwarding work, in softirq on the
// core that received the packet). Each leg is a route of its own, with
// its own wire crossing, NIC queue and accounting.
type Via struct {
	Node int
	Path datapath.CostedPath
}

// relay is the first leg's endpoint: it hands each delivered packet to
// the second leg (a conversion of the first leg's Route, so that a relayed
// route allocates nothing more).
type relay Route

// Deliver sends p on along the next leg from the core that received it,
// at the time its last step on the relay node ended. Its application
// calls were paid where it was sent.
func (x *relay) Deliver(p *Packet, at sim.Time) {
	r := (*Route)(x)
	p.Calls, p.Wake = 0, false
	r.net.Send(r.next, p, int(p.core), at)
}

// newRelayed builds the two legs of a relayed route and returns the first.
func (n *Network) newRelayed(spec RouteSpec) (*Route, error) {
	v := spec.Via
	if v.Node < 0 || v.Node >= len(n.Nodes) || v.Node == spec.Src || v.Node == spec.Dst {
		return nil, fmt.Errorf("route %d -> %d via %d: the relay must be a third node in [0, %d]", spec.Src, spec.Dst, v.Node, len(n.Nodes)-1)
	}
	second := spec
	second.Via, second.Src, second.Path = nil, v.Node, v.Path
	r2, err := n.NewRoute(second)
	if err != nil {
		return nil, fmt.Errorf("second leg: %w", err)
	}
	first := spec
	first.Via, first.Dst, first.To = nil, v.Node, nil
	first.To = placeholder{}
	r1, err := n.NewRoute(first)
	if err != nil {
		return nil, fmt.Errorf("first leg: %w", err)
	}
	r1.next = r2
	r1.to = (*relay)(r1)
	return r1, nil
}

// placeholder stands for the first leg's endpoint until it is built.
type placeholder struct{}

func (placeholder) Deliver(*Packet, sim.Time) { panic("network: relay leg not wired") }

// Next returns a relayed route's second leg (nil for a direct route).
func (r *Route) Next() *Route { return r.next }

// quiet reports whether none of the route's packets is in flight, on
// either leg of a relayed route.
func (r *Route) quiet() bool {
	if r.sent != r.delivered+r.dropped {
		return false
	}
	return r.next == nil || r.next.sent == r.next.delivered+r.next.dropped
}
