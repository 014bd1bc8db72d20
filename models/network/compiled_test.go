package network

import (
	"reflect"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
)

// TestCompiledShared: routes over one path value between the same nodes
// share the compiled step lists and get their own counters, equal to a
// fresh compile; a path whose steps changed in place, or the same steps
// between other nodes, is compiled anew.
func TestCompiledShared(t *testing.T) {
	t.Parallel()
	path := overlay()
	_, n, r1, s := setup(t, path)
	r2, err := n.NewRoute(RouteSpec{Path: path, Src: 0, Dst: 1, FlowKey: 8, RecvCore: 2, To: s})
	if err != nil {
		t.Fatal(err)
	}
	if &r1.segs[0].steps[0] != &r2.segs[0].steps[0] {
		t.Error("two routes over one path: step lists not shared")
	}
	if &r1.segs[0] == &r2.segs[0] {
		t.Error("two routes share their segments (their counters)")
	}
	fresh, recv, err := compile(path, 0, 1, n.cfg.GHz, false)
	if err != nil {
		t.Fatal(err)
	}
	for i := range fresh {
		a, b := r2.segs[i], fresh[i]
		if a.psPkt != b.psPkt || a.psByte != b.psByte || a.psOuter != b.psOuter || a.wire != b.wire || !reflect.DeepEqual(a.steps, b.steps) {
			t.Errorf("segment %d differs from a fresh compile", i)
		}
	}
	if r2.recv.psByte != recv.psByte {
		t.Error("recv segment differs from a fresh compile")
	}
	path.Steps[0].Cycles *= 2 // in place: the same array
	r3, err := n.NewRoute(RouteSpec{Path: path, Src: 0, Dst: 1, FlowKey: 9, RecvCore: 2, To: s})
	if err != nil {
		t.Fatal(err)
	}
	fresh, _, err = compile(path, 0, 1, n.cfg.GHz, false)
	if err != nil {
		t.Fatal(err)
	}
	if r3.segs[0].psPkt != fresh[0].psPkt || r3.segs[0].psPkt == r1.segs[0].psPkt {
		t.Errorf("steps changed in place: psPkt %v, want %v (a stale compile: %v)", r3.segs[0].psPkt, fresh[0].psPkt, r1.segs[0].psPkt)
	}
	back, err := n.NewRoute(RouteSpec{Path: path, Src: 1, Dst: 0, FlowKey: 9, RecvCore: 2, To: s})
	if err != nil {
		t.Fatal(err)
	}
	if back.segs[0].node != 1 || back.segs[0].nd != &n.Nodes[1] {
		t.Errorf("reverse placement: first segment on node %d", back.segs[0].node)
	}
}

// TestRouteReuse: a folded route's object carries the next new route,
// cleared (counters, hooks, endpoint) with Folds counting the fold, and
// delivers to its new endpoint only.
func TestRouteReuse(t *testing.T) {
	t.Parallel()
	e, n, r, s := setup(t, overlay())
	r.DropNth(5)
	p := n.Alloc()
	p.IPBytes = 1000
	n.Send(r, p, 0, e.Now())
	e.Run()
	n.Retire(r)
	n.sweep()
	if r.Folds() != 1 {
		t.Fatalf("Folds %d after the sweep, want 1", r.Folds())
	}
	s2 := &sink{n: n}
	r2, err := n.NewRoute(RouteSpec{Path: overlay(), Src: 0, Dst: 1, FlowKey: 3, RecvCore: 2, To: s2})
	if err != nil {
		t.Fatal(err)
	}
	if r2 != r {
		t.Fatal("the folded route's object was not reused")
	}
	if sent, del, drop := r2.Counts(); sent+del+drop != 0 || r2.hooked || len(r2.dropNth) != 0 || r2.segs[0].pkts != 0 {
		t.Errorf("reused route not cleared: counts %d %d %d, hooked %v, dropNth %v, pkts %d", sent, del, drop, r2.hooked, r2.dropNth, r2.segs[0].pkts)
	}
	p = n.Alloc()
	p.IPBytes = 1000
	n.Send(r2, p, 0, e.Now())
	e.Run()
	if s.got != 1 || s2.got != 1 {
		t.Errorf("delivered %d to the old endpoint, %d to the new: want 1 and 1", s.got, s2.got)
	}
	if err := n.Conservation(); err != nil {
		t.Error(err)
	}
}

// TestCompiledAcrossNodes: one compiled path serves every node pair, each
// route's segments on its own source or destination as their steps' side
// says; a packet over each route charges the nodes it crosses and no
// other.
func TestCompiledAcrossNodes(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	cfg.Nodes = 4
	path := overlay()
	e, n, _, s := setupWith(t, cfg, path) // a route 0 -> 1, not used
	pairs := [][2]int{{2, 3}, {3, 1}, {1, 2}}
	var routes []*Route
	for i, pr := range pairs {
		r, err := n.NewRoute(RouteSpec{Path: path, Src: pr[0], Dst: pr[1], FlowKey: uint64(10 + i), RecvCore: 1, To: s})
		if err != nil {
			t.Fatal(err)
		}
		routes = append(routes, r)
	}
	if len(n.compiledPaths) != 1 {
		t.Errorf("%d compiled paths for one path over %d node pairs, want 1", len(n.compiledPaths), len(pairs)+1)
	}
	for i, r := range routes {
		src, dst := pairs[i][0], pairs[i][1]
		for j, sg := range r.segs {
			want := src
			if !sg.wire && sg.steps[0].Side == datapath.Dst {
				want = dst
			}
			if sg.node != want || sg.nd != &n.Nodes[want] {
				t.Errorf("route %d -> %d, segment %d: on node %d, want %d", src, dst, j, sg.node, want)
			}
		}
		if r.recv.node != dst {
			t.Errorf("route %d -> %d: recv segment on node %d", src, dst, r.recv.node)
		}
	}
	for _, r := range routes {
		p := n.Alloc()
		p.IPBytes = 1500
		n.Send(r, p, 0, e.Now())
	}
	e.Run()
	acc := n.Accounting()
	for node := range cfg.Nodes {
		if got, want := acc.NodeCycles(node) > 0, node != 0; got != want {
			t.Errorf("node %d: %v cycles, want some: %v", node, acc.NodeCycles(node), want)
		}
	}
	if s.got != len(pairs) {
		t.Errorf("delivered %d of %d", s.got, len(pairs))
	}
}
