package network

import (
	"math"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/sim"
)

// fqHarness drives an fqCodel directly: packets by flow queue, the
// drops and marks it makes.
type fqHarness struct {
	q       *fqCodel
	flow    map[int32]int // packet id -> flow queue
	ecn     map[int32]bool
	dropped []int32
	marked  []int32
	next    int32
}

func newFQHarness() *fqHarness {
	return &fqHarness{q: newFQCodel(1500, DefaultFQCoDel(), 7), flow: map[int32]int{}, ecn: map[int32]bool{}}
}

func (h *fqHarness) add(flow int, bytes int32, at sim.Time, ecn bool) bool {
	return h.addSeg(flow, nil, false, bytes, at, ecn)
}

// addSeg adds a packet of route r, batched behind r's super-packet head.
func (h *fqHarness) addSeg(flow int, r *Route, batched bool, bytes int32, at sim.Time, ecn bool) bool {
	id := h.next
	h.next++
	h.flow[id], h.ecn[id] = flow, ecn
	return h.q.enqueue(flow, fqEntry{id: id, bytes: bytes, at: at}, r, batched, h.drop)
}

func (h *fqHarness) drop(id int32) { h.dropped = append(h.dropped, id) }

func (h *fqHarness) mark(id int32) bool {
	if h.ecn[id] {
		h.marked = append(h.marked, id)
	}
	return h.ecn[id]
}

func (h *fqHarness) take(now sim.Time) (fqEntry, bool) { return h.q.dequeue(now, h.drop, h.mark) }

// TestFQCodelNewFlowFirst: a flow that becomes active is served before
// the backlogged ones, once, and then takes its turn with them.
func TestFQCodelNewFlowFirst(t *testing.T) {
	h := newFQHarness()
	for i := 0; i < 20; i++ {
		h.add(1, 1514, 0, false)
		h.add(2, 1514, 0, false)
	}
	for i := 0; i < 6; i++ {
		h.take(0)
	}
	h.add(3, 66, 0, false) // a request of a sparse flow
	if e, _ := h.take(0); h.flow[e.id] != 3 {
		t.Fatalf("after the sparse flow's packet arrived, flow %d's was sent first", h.flow[e.id])
	}
}

// TestFQCodelByteFair: two backlogged flows of 1,514- and 300-byte
// packets are given equal bytes, within a quantum (deficit round robin).
func TestFQCodelByteFair(t *testing.T) {
	h := newFQHarness()
	for i := 0; i < 400; i++ {
		h.add(1, 1514, 0, false)
		h.add(2, 300, 0, false)
		h.add(2, 300, 0, false)
		h.add(2, 300, 0, false)
		h.add(2, 300, 0, false)
		h.add(2, 300, 0, false)
	}
	sent := map[int]int64{}
	for i := 0; i < 1000; i++ {
		e, ok := h.take(0)
		if !ok {
			t.Fatal("ran dry")
		}
		sent[h.flow[e.id]] += int64(e.bytes)
	}
	if d := sent[1] - sent[2]; d > 1514 || d < -1514 {
		t.Errorf("bytes sent %v: differ by %d, more than a quantum", sent, d)
	}
	if h.q.backlog != 400*1514+2000*300-sent[1]-sent[2] || len(h.dropped) != 0 {
		t.Errorf("backlog %d after sending %v: not conserved (drops %d)", h.q.backlog, sent, len(h.dropped))
	}
}

// TestCodelControlLaw: CoDel's drops come interval * x apart, x Linux's
// running Newton estimate of 1/sqrt(count) (codel_Newton_step: one step
// per drop, from 1 at count 1, so 1/2 at count 2): the fixed-point steps
// follow the real-valued recurrence within 0.1%, and it follows
// 1/sqrt(count) within 1% from count 10 on.
func TestCodelControlLaw(t *testing.T) {
	f := fqFlow{count: 1, recInvSqrt: ^uint16(0)}
	x := 1.0
	for f.count < 1000 {
		f.count++
		f.newtonStep()
		x = x * (3 - float64(f.count)*x*x) / 2
		got := float64(controlLaw(0, codelTime(100*sim.Millisecond), f.recInvSqrt))
		if want := float64(codelTime(100*sim.Millisecond)) * x; math.Abs(got/want-1) > 0.001 {
			t.Fatalf("count %d: next drop after %.0f codel units, the recurrence %.0f", f.count, got, want)
		}
		if want := float64(codelTime(100*sim.Millisecond)) / math.Sqrt(float64(f.count)); f.count >= 10 && math.Abs(got/want-1) > 0.01 {
			t.Fatalf("count %d: next drop after %.0f codel units, interval/sqrt(count) %.0f", f.count, got, want)
		}
	}
}

// TestCodelStandingQueue: one flow fed faster than the NIC drains it.
// Nothing is dropped until packets have waited target (5 ms) for a whole
// interval (100 ms); then the first drop, and the next ones at the control
// law's spacing.
func TestCodelStandingQueue(t *testing.T) {
	h := newFQHarness()
	const svc = 120 * sim.Microsecond // 1,514 bytes at 100 Mbit/s
	const gap = 100 * sim.Microsecond // arrivals: 20% over the rate
	arrive := sim.Time(0)
	var drops []sim.Time
	var aboveSince sim.Time = -1
	for now := sim.Time(0); now < 2*sim.Second; now += svc {
		for ; arrive <= now; arrive += gap {
			h.add(1, 1514, arrive, false)
		}
		before := len(h.dropped)
		e, ok := h.take(now)
		if !ok {
			continue
		}
		if len(h.dropped) > before {
			drops = append(drops, now)
		}
		if now-e.at >= 5*sim.Millisecond && aboveSince < 0 {
			aboveSince = now
		}
	}
	if len(drops) < 3 || aboveSince < 0 {
		t.Fatalf("%d drops, sojourn above target from %v", len(drops), aboveSince)
	}
	first := drops[0] - aboveSince
	if first < 100*sim.Millisecond || first > 100*sim.Millisecond+2*svc {
		t.Errorf("first drop %v after the sojourn passed target, want just over the 100 ms interval", first)
	}
	if gap1 := drops[1] - drops[0]; gap1 < 95*sim.Millisecond || gap1 > 101*sim.Millisecond {
		t.Errorf("second drop %v after the first, want interval/sqrt(1)", gap1)
	}
	if gap2 := drops[2] - drops[1]; gap2 < 49*sim.Millisecond || gap2 > 51*sim.Millisecond {
		t.Errorf("third drop %v after the second, want interval/2 (count 2, one Newton step from 1)", gap2)
	}
	t.Logf("%d drops in 2 s; first %v after the sojourn passed target", len(drops), first)
}

// TestCodelMarksECT: an ECN-capable flow is marked where it would be
// dropped, and nothing is dropped.
func TestCodelMarksECT(t *testing.T) {
	h := newFQHarness()
	arrive := sim.Time(0)
	for now := sim.Time(0); now < sim.Second; now += 120 * sim.Microsecond {
		for ; arrive <= now; arrive += 100 * sim.Microsecond {
			h.add(1, 1514, arrive, true)
		}
		h.take(now)
	}
	if len(h.marked) == 0 || len(h.dropped) != 0 {
		t.Errorf("marked %d, dropped %d: want marks and no drops", len(h.marked), len(h.dropped))
	}
}

// TestFQCodelLimit: the 10,241st packet drops a batch of 64 from the head
// of the fattest flow (fq_codel_drop), and only from it.
func TestFQCodelLimit(t *testing.T) {
	h := newFQHarness()
	for i := 0; i < 10; i++ {
		h.add(2, 1514, 0, false)
	}
	for i := 0; i < h.q.limit-10; i++ {
		if h.add(1, 1514, 0, false) {
			t.Fatalf("dropped at %d packets", i+11)
		}
	}
	if !h.add(2, 1514, 0, false) {
		t.Fatal("the packet past the limit dropped nothing")
	}
	if len(h.dropped) != fqDropBatch || h.q.qlen != h.q.limit+1-fqDropBatch {
		t.Fatalf("dropped %d, %d left; want %d dropped", len(h.dropped), h.q.qlen, fqDropBatch)
	}
	for i, id := range h.dropped {
		if h.flow[id] != 1 || id != int32(10+i) {
			t.Fatalf("drop %d: packet %d of flow %d, want flow 1's head", i, id, h.flow[id])
		}
	}
}

// TestFQCodelSuperPackets: with offloads a GSO super-packet is one skb:
// its segments go out together, count once against the limit, and a
// drop or a mark takes all of them; a route's segments behind another
// route's packet start an skb of their own.
func TestFQCodelSuperPackets(t *testing.T) {
	h := newFQHarness()
	a, b := &Route{}, &Route{}
	h.addSeg(1, a, false, 1514, 0, false)
	for i := 0; i < 3; i++ {
		h.addSeg(1, a, true, 1514, 0, false)
	}
	h.addSeg(1, b, false, 100, 0, false)
	h.addSeg(1, a, true, 1514, 0, false) // behind b's packet: an skb of its own
	if h.q.qlen != 3 || h.q.backlog != 5*1514+100 {
		t.Fatalf("qlen %d, backlog %d: want 3 skbs of 5*1514+100 bytes", h.q.qlen, h.q.backlog)
	}
	e, ok := h.take(0)
	if !ok || e.bytes != 4*1514 || len(h.q.group) != 4 || h.q.group[0] != 0 || h.q.group[3] != 3 {
		t.Fatalf("first skb: %+v, packets %v: want packets 0-3, 4*1514 bytes", e, h.q.group)
	}
	if e, _ := h.take(0); len(h.q.group) != 1 || e.bytes != 100 {
		t.Fatalf("second skb: %+v, packets %v: want b's one packet", e, h.q.group)
	}

	// CoDel drops a whole super-packet: 44 segments of an ECN-blind flow
	// fed faster than they leave
	h = newFQHarness()
	arrive := sim.Time(0)
	for now := sim.Time(0); now < sim.Second && len(h.dropped) == 0; now += 44 * 120 * sim.Microsecond {
		for ; arrive <= now; arrive += 44 * 100 * sim.Microsecond {
			h.addSeg(1, a, false, 1514, arrive, false)
			for i := 1; i < 44; i++ {
				h.addSeg(1, a, true, 1514, arrive, false)
			}
		}
		h.take(now)
	}
	if len(h.dropped) != 44 {
		t.Fatalf("CoDel's first drop took %d packets, want a super-packet's 44", len(h.dropped))
	}
	for i, id := range h.dropped[1:] {
		if id != h.dropped[0]+int32(i+1) {
			t.Fatalf("dropped %v: not one super-packet's segments", h.dropped)
		}
	}
}

// TestSkbHash: the qdisc tells a pod's flows apart by their sockets' hash,
// over any kernel tunnel (IP-in-IP too, whose outer header ECMP sees as
// the node pair's), but not behind a user-space tunnel's one socket.
func TestSkbHash(t *testing.T) {
	S, D := datapath.Src, datapath.Dst
	path := func(tunnel datapath.Kind) datapath.CostedPath {
		return datapath.CostedPath{InterHost: true, Steps: []datapath.CostedStep{
			step(datapath.TCP, S, datapath.Send, 240, 0), step(tunnel, S, datapath.Send, 480, 0),
			step(datapath.NIC, S, datapath.Send, 120, 0), step(datapath.TCP, D, datapath.Softirq, 240, 0)}}
	}
	for _, c := range []struct {
		tunnel datapath.Kind
		apart  bool
	}{{datapath.VXLAN, true}, {datapath.IPIP, true}, {datapath.GRE, true}, {datapath.Userspace, false}} {
		p := path(c.tunnel)
		a, b := skbHash(p, 0, 1, 10), skbHash(p, 0, 1, 12)
		if (a != b) != c.apart {
			t.Errorf("%v: two flows' hashes %x and %x, want apart %v", c.tunnel, a, b, c.apart)
		}
		if c.tunnel == datapath.IPIP && ecmpHash(p, 0, 1, 10) != ecmpHash(p, 0, 1, 12) {
			t.Errorf("IP-in-IP: ECMP tells the flows apart; its outer header cannot")
		}
	}
}

// TestFQCodelParameters: ecn off drops an ECN-capable flow where it would
// be marked; ce_threshold marks every ECN-capable packet that waited
// longer, from the first, before CoDel would act; a shorter target and
// interval act sooner.
func TestFQCodelParameters(t *testing.T) {
	run := func(p FQCoDel, ecn bool) (h *fqHarness, first sim.Time) {
		h = &fqHarness{q: newFQCodel(1500, p, 7), flow: map[int32]int{}, ecn: map[int32]bool{}}
		first = -1
		arrive := sim.Time(0)
		for now := sim.Time(0); now < sim.Second; now += 120 * sim.Microsecond {
			for ; arrive <= now; arrive += 100 * sim.Microsecond {
				h.add(1, 1514, arrive, ecn)
			}
			h.take(now)
			if first < 0 && len(h.dropped)+len(h.marked) > 0 {
				first = now
			}
		}
		return h, first
	}
	noECN := DefaultFQCoDel()
	noECN.ECN = false
	if h, _ := run(noECN, true); len(h.marked) != 0 || len(h.dropped) == 0 {
		t.Errorf("ecn off: %d marked, %d dropped; want drops only", len(h.marked), len(h.dropped))
	}
	ce := DefaultFQCoDel()
	ce.CEThreshold = sim.Millisecond
	h, first := run(ce, true)
	// the sojourn grows by 20 us a packet (arrivals 100 us apart, 120 us
	// sends): past 1 ms after 50 packets, 6 ms in
	if len(h.dropped) != 0 || first > 7*sim.Millisecond || first < 5*sim.Millisecond {
		t.Errorf("ce_threshold 1 ms: first mark at %v, %d dropped; want about 6 ms in, no drop", first, len(h.dropped))
	}
	fast := DefaultFQCoDel()
	fast.Target, fast.Interval = 500*sim.Microsecond, 10*sim.Millisecond
	_, df := run(DefaultFQCoDel(), false)
	_, ff := run(fast, false)
	if !(ff > 0 && ff < 15*sim.Millisecond && df > 100*sim.Millisecond) {
		t.Errorf("first drop at %v with target 0.5 ms and interval 10 ms, at %v with the defaults", ff, df)
	}
}
