package network

import (
	"math"
	"reflect"
	"testing"
)

// TestRetire: routes handed back leave the network's list once their
// packets are out of flight (memory flat in connections), and the
// accounting is the same as if they had stayed.
func TestRetire(t *testing.T) {
	t.Parallel()
	e, n, _, s := setup(t, overlay())
	var routes []*Route
	for i := 0; i < 1000; i++ {
		r, err := n.NewRoute(RouteSpec{Path: overlay(), Src: 0, Dst: 1, FlowKey: uint64(i), RecvCore: 2, To: s})
		if err != nil {
			t.Fatal(err)
		}
		p := n.Alloc()
		p.IPBytes = 1000
		n.Send(r, p, 0, e.Now())
		routes = append(routes, r)
	}
	// half retired while their packets are still in flight
	for _, r := range routes[:500] {
		n.Retire(r)
	}
	if len(n.routes) != 1001 {
		t.Errorf("%d routes: none may go while its packets are in flight", len(n.routes))
	}
	e.Run()
	want := n.Accounting()
	for _, r := range routes[500:] {
		n.Retire(r)
	}
	n.sweep() // what the next batch would do
	if len(n.routes) != 1 || len(n.retiring) != 0 {
		t.Errorf("%d routes, %d retiring after the sweep, want 1 and 0", len(n.routes), len(n.retiring))
	}
	got := n.Accounting()
	for i := range got.Cycles {
		for k := range got.Cycles[i] {
			if math.Abs(got.Cycles[i][k]-want.Cycles[i][k]) > 1e-9*math.Abs(want.Cycles[i][k]) || got.Crossings[i][k] != want.Crossings[i][k] {
				t.Errorf("node %d kind %d: %v cycles %v crossings after retiring, want %v %v", i, k, got.Cycles[i][k], got.Crossings[i][k], want.Cycles[i][k], want.Crossings[i][k])
			}
		}
	}
	if !reflect.DeepEqual(got.Busy, want.Busy) {
		t.Errorf("busy %v, want %v", got.Busy, want.Busy)
	}
	if s.got != 1000 {
		t.Errorf("delivered %d", s.got)
	}
	if err := n.Conservation(); err != nil {
		t.Error(err)
	}
}
