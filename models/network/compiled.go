package network

import (
	"slices"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/sim"
)

// maxCompiled bounds the compiled-path cache: a workload that makes a new
// path per connection (kube-proxy iptables, whose first packet's walk
// depends on the Service picked) compiles past it as before.
const maxCompiled = 256

// pathKey identifies a path by its steps' backing array (a workload hands
// the same path value to route after route), verified against a copy of
// the steps on every hit. The nodes are not part of it: a route binds its
// own (bind), so one compiled path serves a cluster's every node pair
// (a Poisson flow workload on 1,000 nodes opened nearly every route
// between a pair never seen before, and compiled it again).
type pathKey struct {
	steps     *datapath.CostedStep
	n         int
	inter, df bool
	encap     int
	gsoCut    int
	groFrom   int
	noGRO     bool
	frags     bool
	groExtra  float64
	gsoExtra  float64
	rps       bool
}

// compiledPath is a path's segments with everything NewRoute derives from
// them and the configuration (cores picked, fixed service times),
// counters zero, between placeholder nodes: routes over the path copy it,
// bind their nodes and share its read-only step lists. Compiling was most
// of a connection's set-up cost in a TCP_CRR run.
type compiledPath struct {
	steps     []datapath.CostedStep // a copy: the caller may reuse its array
	segs      []segment
	recv      segment
	lookahead sim.Time // send-side lookahead of the segments (before jitter and offloads)
}

// compiled returns the compiled form of spec's path, from the cache when
// the same steps were compiled before (between any nodes: NewRoute binds
// the route's own).
func (n *Network) compiled(spec RouteSpec) (*compiledPath, error) {
	p := spec.Path
	k := pathKey{n: len(p.Steps), inter: p.InterHost, df: p.OuterDF, encap: p.EncapBytes, gsoCut: p.GSOCut, groFrom: p.GROFrom, noGRO: p.NoGRO, frags: p.Fragments, groExtra: p.GROFrameExtra, gsoExtra: p.GSOSegmentExtra,
		rps: n.steered(p)}
	if len(p.Steps) > 0 {
		k.steps = &p.Steps[0]
	}
	if c, ok := n.compiledPaths[k]; ok && slices.Equal(c.steps, p.Steps) {
		return c, nil
	}
	src, dst := 0, 0 // placeholders (bind): distinct for an inter-host path
	if p.InterHost {
		dst = 1
	}
	segs, recv, err := compile(p, src, dst, n.cfg.GHz, k.rps)
	if err != nil {
		return nil, err
	}
	// a device without GSO cuts super-packets at its step; else the NIC
	// may have to (NICOffloads)
	split := n.cfg.CutsSegments(p)
	// a device merging after its own step leaves the receiving steps
	// before it per packet
	lateGRO := n.cfg.Offloads && p.GROFrom > 0 && !p.NoGRO
	wire, gsoCut := false, false
	var fragged [2]bool // a segment on that side (src, dst) charges the fragmentation's own cost
	for i := range segs {
		sg := &segs[i]
		wire = wire || sg.wire
		sg.psFrag = sg.psOuter
		side := 0
		if sg.onDst {
			side = 1
		}
		if !sg.wire && !fragged[side] && slices.Contains(sg.outer, true) {
			// IP output fragments the outer packet before its first
			// outer step; IP receive joins it before the decapsulation
			fragged[side] = true
			sg.fragCycles = [2]float64{n.cfg.FragmentCycles, n.cfg.ReassembleCycles}[side]
			sg.fragKind = fragKinds[side]
			sg.psFrag += sg.fragCycles * 1000 / n.cfg.GHz
		}
		sg.split = (split && !wire || lateGRO && wire && !sg.wire) && (sg.psOuter != 0 || sg.psCut != 0)
		if sg.split && !wire && !gsoCut && n.cfg.GSOSegmentCycles > 0 {
			// software GSO cuts each super-packet once, where the cut
			// is first reached: each of its segments costs its
			// skb_segment work there (the head's charged with the
			// first behind it: serviceSlow)
			gsoCut, sg.gsoCut = true, true
			n.slowService = true // the segment's heads go through serviceSlow too
			sg.frameCycles = n.cfg.GSOSegmentCycles
			if p.GSOCut == 0 {
				// the NIC's segmentation done in software: of the
				// tunnel's encapsulated super-packet, if any
				sg.frameCycles += p.GSOSegmentExtra
			}
			sg.psFrame = sg.frameCycles * 1000 / n.cfg.GHz
		}
		sg.noGRO = n.cfg.NICOffloads.NoGRO || p.NoGRO || p.Fragments
		sg.fixed = sim.Time(sg.psPkt + sg.psOuter + 0.5)
		switch {
		case sg.ctx == datapath.Send:
			sg.pick = pickSend
		case sg.ctx == datapath.Daemon:
			sg.pick = pickDaemon
		case sg.firstDst && p.InterHost:
			sg.pick, sg.fromRx = pickRSS, true
		case sg.afterRPS:
			sg.pick = pickRPS
		}
		if sg.fromRx && n.cfg.MergesFrames(p) && n.cfg.GROFrameCycles > 0 {
			// the driver hands GRO every frame: a merged one costs its
			// per-frame work here (more for a tunnel's headers), its
			// super-packet's stages once
			sg.frameCycles = n.cfg.GROFrameCycles + p.GROFrameExtra
			sg.psFrame = sg.frameCycles * 1000 / n.cfg.GHz
		}
	}
	c := &compiledPath{segs: segs, recv: recv, lookahead: sendLookahead(segs)}
	if n.compiledPaths == nil {
		n.compiledPaths = make(map[pathKey]*compiledPath)
	}
	if _, ok := n.compiledPaths[k]; ok || len(n.compiledPaths) < maxCompiled {
		c.steps = slices.Clone(p.Steps)
		n.compiledPaths[k] = c
	}
	return c, nil
}

// bind puts a route's segments, copied from a compiled path, on its
// nodes: the source's or the destination's, as each segment's side says.
func (n *Network) bind(segs []segment, recv *segment, src, dst int) {
	for i := range segs {
		sg := &segs[i]
		sg.node = src
		if sg.onDst {
			sg.node = dst
		}
		sg.nd = &n.Nodes[sg.node]
	}
	recv.node = dst
}

// steered reports whether RPS (Config.RPS) moves path p's receiving stack
// off its RSS core: where RSS sees only the two nodes (RSSByNodes) and
// the kernel's flow dissector reaches the inner flow (RSSInner: IP-in-IP,
// GRE), unless the NICs already hash that (Config.RSSInner).
func (n *Network) steered(p datapath.CostedPath) bool {
	return n.cfg.RPS && !n.cfg.RSSInner && p.InterHost && p.RSSByNodes && p.RSSInner
}
