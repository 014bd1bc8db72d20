package network

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/cnisim/cnisim/sim"
)

// Failed links (Fabric.Failed): a leaf-spine with links down for the
// whole run, for the planner's N-1 question (a spine out for maintenance,
// a bad optic). Routes are hashed over the spines both leaves still
// reach (liveSpine); the failed links' ports carry nothing.

// FabricLink is one link between a leaf and a spine.
type FabricLink struct{ Leaf, Spine int }

func (l FabricLink) String() string { return fmt.Sprintf("leaf%d.spine%d", l.Leaf, l.Spine) }

// MaxFailedLinks bounds the links ParseFabricLinks reads (assumed: a
// planner names a few; whole spines go down by number). The
// reachability check is quadratic in the distinct sets of live spines
// the leaves are left with, at most this many plus one.
const MaxFailedLinks = 4096

// CheckFailed checks Failed against a leaf-spine's size: links in range,
// none twice, and every two leaves still sharing a spine they both reach
// (else the fabric is partitioned and some routes have no path).
func (f Fabric) CheckFailed() error {
	if err := f.checkLinks(f.Failed, "failed", "down"); err != nil || len(f.Failed) == 0 {
		return err
	}
	down := make(map[FabricLink]bool, len(f.Failed))
	for _, l := range f.Failed {
		down[l] = true
	}
	if f.Leaves < 2 {
		return nil
	}
	// Leaves with the same live spines form a group; the leaves that lost
	// no link are one group. Two leaves are connected when their groups'
	// live spines intersect.
	words := (f.Spines + 63) / 64
	live := func(leaf int) []uint64 {
		b := make([]uint64, words)
		for s := 0; s < f.Spines; s++ {
			if !down[FabricLink{leaf, s}] {
				b[s/64] |= 1 << (s % 64)
			}
		}
		return b
	}
	type group struct {
		leaf int // the group's first leaf
		live []uint64
	}
	var groups []group
	index := map[string]int{}
	hit := map[int]bool{}
	for l := range down {
		hit[l.Leaf] = true
	}
	add := func(leaf int) {
		b := live(leaf)
		key := fmt.Sprint(b)
		if i, ok := index[key]; ok {
			groups[i].leaf = min(groups[i].leaf, leaf)
			return
		}
		index[key] = len(groups)
		groups = append(groups, group{leaf, b})
	}
	intact := false // one leaf stands for all that lost no link
	for leaf := 0; leaf < f.Leaves; leaf++ {
		if hit[leaf] || !intact {
			add(leaf)
			intact = intact || !hit[leaf]
		}
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i].leaf < groups[j].leaf })
	meet := func(a, b []uint64) bool {
		for w := range a {
			if a[w]&b[w] != 0 {
				return true
			}
		}
		return false
	}
	for _, g := range groups {
		if !meet(g.live, g.live) {
			return fmt.Errorf("leaf %d has no live link to any spine: the fabric is partitioned", g.leaf)
		}
	}
	for i := range groups {
		for j := i + 1; j < len(groups); j++ {
			if !meet(groups[i].live, groups[j].live) {
				return fmt.Errorf("leaf %d and leaf %d share no spine both reach by live links: the fabric is partitioned", groups[i].leaf, groups[j].leaf)
			}
		}
	}
	return nil
}

// SlowLink is a leaf-spine link running at Gbps (Fabric.Slow).
type SlowLink struct {
	FabricLink
	Gbps float64
}

func (l SlowLink) String() string {
	return l.FabricLink.String() + "=" + strconv.FormatFloat(l.Gbps, 'g', -1, 64)
}

// LossyLink is a leaf-spine link losing each frame with probability Loss
// (Fabric.Lossy).
type LossyLink struct {
	FabricLink
	Loss float64
}

func (l LossyLink) String() string {
	return l.FabricLink.String() + "=" + strconv.FormatFloat(l.Loss, 'g', -1, 64)
}

// CheckLossy checks Lossy against a leaf-spine: links in range, none
// twice or also failed, probabilities in (0, 1).
func (f Fabric) CheckLossy() error {
	links := make([]FabricLink, len(f.Lossy))
	for i, l := range f.Lossy {
		if !(l.Loss > 0 && l.Loss < 1) {
			return fmt.Errorf("%v: the loss must be in (0, 1)", l)
		}
		links[i] = l.FabricLink
	}
	return f.checkLinks(links, "lossy", "lossy")
}

// CheckSlow checks Slow against a leaf-spine: links in range, none twice
// or also failed, rates > 0 and finite.
func (f Fabric) CheckSlow() error {
	links := make([]FabricLink, len(f.Slow))
	for i, l := range f.Slow {
		if !(l.Gbps > 0) || math.IsInf(l.Gbps, 0) {
			return fmt.Errorf("%v: the rate must be > 0 Gbit/s", l)
		}
		links[i] = l.FabricLink
	}
	return f.checkLinks(links, "slow", "slow")
}

// checkLinks checks the links of the list of kind what (failed, slow,
// lossy): a leaf-spine's, in range, none twice ("is <twice> twice"), and
// for the slow and lossy ones none failed.
func (f Fabric) checkLinks(links []FabricLink, what, twice string) error {
	if len(links) == 0 {
		return nil
	}
	if f.Kind != FabricLeafSpine {
		return fmt.Errorf("%s links need a leaf-spine fabric", what)
	}
	failed := map[FabricLink]bool{}
	if what != "failed" {
		for _, l := range f.Failed {
			failed[l] = true
		}
	}
	seen := map[FabricLink]bool{}
	for _, l := range links {
		switch {
		case l.Leaf < 0 || l.Leaf >= f.Leaves:
			return fmt.Errorf("%v: no leaf %d (leaves 0..%d)", l, l.Leaf, f.Leaves-1)
		case l.Spine < 0 || l.Spine >= f.Spines:
			return fmt.Errorf("%v: no spine %d (spines 0..%d)", l, l.Spine, f.Spines-1)
		case seen[l]:
			return fmt.Errorf("%v is %s twice", l, twice)
		case failed[l]:
			return fmt.Errorf("%v is failed too", l)
		}
		seen[l] = true
	}
	return nil
}

// ParseSlowLinks reads links with their rates in Gbit/s, "leaf0.spine1=10",
// separated by commas or white space; "" is none.
func ParseSlowLinks(s string) ([]SlowLink, error) {
	var out []SlowLink
	err := parseLinkValues(s, "its rate in Gbit/s", "leaf0.spine1=10", "a number of Gbit/s > 0",
		func(g float64) bool { return g > 0 && !math.IsInf(g, 0) },
		func(l FabricLink, v float64) { out = append(out, SlowLink{l, v}) })
	return out, err
}

// ParseLossyLinks reads links with the probability that each frame on
// them is lost, "leaf0.spine1=0.001", separated by commas or white space;
// "" is none.
func ParseLossyLinks(s string) ([]LossyLink, error) {
	var out []LossyLink
	err := parseLinkValues(s, "its loss probability", "leaf0.spine1=0.001", "a probability in (0, 1)",
		func(p float64) bool { return p > 0 && p < 1 },
		func(l FabricLink, v float64) { out = append(out, LossyLink{l, v}) })
	return out, err
}

// parseLinkValues reads "LINK=VALUE" entries, handing each on to add.
func parseLinkValues(s, what, example, allowed string, ok func(float64) bool, add func(FabricLink, float64)) error {
	entries, err := splitLinks(s)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name, text, found := strings.Cut(e, "=")
		if !found {
			return fmt.Errorf("%q: want a link and %s, such as %s", e, what, example)
		}
		l, err := parseFabricLink(name)
		if err != nil {
			return err
		}
		v, err := strconv.ParseFloat(text, 64)
		if err != nil || !ok(v) {
			return fmt.Errorf("%q: %q must be %s", e, text, allowed)
		}
		add(l, v)
	}
	return nil
}

// splitLinks cuts a list of links at commas and white space, at most
// MaxFailedLinks of them.
func splitLinks(s string) ([]string, error) {
	names := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
	if len(names) > MaxFailedLinks {
		return nil, fmt.Errorf("%d links: at most %d", len(names), MaxFailedLinks)
	}
	return names, nil
}

// ParseFabricLinks reads leaf-spine links named as the port statistics
// name their ports, "leaf0.spine1" or "spine1.leaf0" (the same link),
// separated by commas or white space; "" is none.
func ParseFabricLinks(s string) ([]FabricLink, error) {
	names, err := splitLinks(s)
	if err != nil {
		return nil, err
	}
	var out []FabricLink
	for _, name := range names {
		l, err := parseFabricLink(name)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

func parseFabricLink(name string) (FabricLink, error) {
	bad := fmt.Errorf("link %q: want leafL.spineS or spineS.leafL, such as leaf0.spine1", name)
	a, b, ok := strings.Cut(name, ".")
	if !ok {
		return FabricLink{}, bad
	}
	num := func(s, prefix string) (int, bool) {
		d, ok := strings.CutPrefix(s, prefix)
		if !ok || d == "" || len(d) > 9 || (len(d) > 1 && d[0] == '0') {
			return 0, false
		}
		v, err := strconv.Atoi(d)
		return v, err == nil && v >= 0
	}
	if l, ok1 := num(a, "leaf"); ok1 {
		if s, ok2 := num(b, "spine"); ok2 {
			return FabricLink{l, s}, nil
		}
	}
	if s, ok1 := num(a, "spine"); ok1 {
		if l, ok2 := num(b, "leaf"); ok2 {
			return FabricLink{l, s}, nil
		}
	}
	return FabricLink{}, bad
}

// liveSpine is the spine the hash h picks among those that leaves ls and
// ld both reach by live links (with viewLocal: those ls reaches), in
// spine order (CheckFailed made sure there is one).
//
// With Resilient hashing a flow whose spine is live keeps it, and only
// the flows of the failed paths are hashed again (by another draw of the
// hash) over the live ones: resilient (consistent) ECMP, as switch ASICs
// offer it so that a member's failure moves no other flow.
func (fb *fabric) liveSpine(ls, ld int, h uint64) int {
	S := fb.cfg.Spines
	live := func(s int) bool { return !fb.down[ls*S+s] && (fb.view == viewLocal || !fb.down[ld*S+s]) }
	if fb.cfg.Resilient {
		if s := int(h % uint64(S)); live(s) {
			return s
		}
		h = mix(h ^ resilientSalt)
	}
	n := 0
	for s := 0; s < S; s++ {
		if live(s) {
			n++
		}
	}
	k := int(h % uint64(n))
	for s := 0; s < S; s++ {
		if live(s) {
			if k == 0 {
				return s
			}
			k--
		}
	}
	panic("network: no live spine between two leaves (Fabric.CheckFailed)")
}

// resilientSalt separates a moved flow's second draw from its first.
const resilientSalt = 0x3c6ef372fe94f82b

// fabricEvent is the Network as the handler of a timed failure: arg
// failNow takes the links down, converge ends the convergence, recoverNow
// brings them up again and reconverge puts them back in the routes. With
// Fabric.FlapEvery each failure and each recovery schedules the next one.
type fabricEvent Network

const (
	failNow = iota
	converge
	recoverNow
	reconverge
)

func (h *fabricEvent) Handle(e *sim.Engine, arg uint64) {
	n := (*Network)(h)
	fb := n.fab
	switch arg {
	case failNow:
		fb.fail(true)
		fb.failedSince = e.Now()
		if p := fb.cfg.FlapEvery; p > 0 {
			e.Schedule(e.Now()+p, h, failNow)
		}
		fb.view = viewLocal
		if c := fb.cfg.Convergence; c > 0 {
			e.Schedule(e.Now()+c, h, converge)
			break
		}
		fb.view = viewAll
	case converge:
		fb.view = viewAll
	case recoverNow:
		// the links carry again at once; no route uses them until the
		// sessions over them are up and their routes advertised
		fb.fail(false)
		if p := fb.cfg.FlapEvery; p > 0 {
			e.Schedule(e.Now()+p, h, recoverNow)
		}
		if c := fb.cfg.Convergence; c > 0 {
			e.Schedule(e.Now()+c, h, reconverge)
			return
		}
		fb.view = viewNone
	case reconverge:
		fb.view = viewNone
	}
	// every route hashes again over what its leaf now knows; packets
	// already past their first hop go on where they were sent
	for _, r := range n.routes {
		if r.hops != nil {
			r.hops = fb.hops(r.src, r.dst, r.ecmp)
		}
	}
}

// drainFaulty is drain for a failed or lossy port's link pt: a failed
// link loses the frames arriving at its far end (sent, or queued to be,
// before it failed); a lossy one each frame with its probability, drawn
// as the frame arrives (it took the link's time: the far end's checksum
// finds it corrupt).
func (n *Network) drainFaulty(pt *port, e *sim.Engine, h sim.Handler, arg uint64) {
	w := &pt.wire
	fb := n.fab
	for {
		f := w.pop(e.Now())
		switch {
		case pt.failed:
			n.dropLink++
			n.dropFrame(f.id)
		case fb.lossRNG.Float64() < pt.loss:
			n.dropCorrupt++
			pt.corrupted++
			n.dropFrame(f.id)
		case f.port >= 0:
			n.admit(f)
		default:
			n.advance(n.rxWire(n.pool.at(f.id), f.at), f.at, true)
		}
		if w.size == 0 {
			w.armed = false
			return
		}
		if next := w.next(); !e.Continue(next) {
			e.Schedule(next, h, arg)
			return
		}
	}
}

// dropFrame frees the packet of pool index id, lost in the fabric.
func (n *Network) dropFrame(id int32) {
	p := n.pool.at(id)
	n.discard(p.route, p)
}

// discard frees p, dropped on route r after Send took it in.
func (n *Network) discard(r *Route, p *Packet) {
	r.dropped++
	if n.tsqFabric && r.wired {
		r.release(int64(p.IPBytes))
	}
	n.pool.put(p)
}
