package network

import (
	"math"
	"slices"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/sim"
)

// offloadPath: a per-packet send cost on the source, a per-packet softirq
// cost on the receiver, small per-byte costs on both.
func offloadPath(send, recv float64) datapath.CostedPath {
	S, D := datapath.Src, datapath.Dst
	return datapath.CostedPath{InterHost: true, Steps: []datapath.CostedStep{
		step(datapath.TCP, S, datapath.Send, send, 0.01),
		step(datapath.NIC, D, datapath.Softirq, recv, 0.01),
	}}
}

// tcpData is a data segment as the transport sends it.
func tcpData(n *Network, seq int64) *Packet {
	p := n.Alloc()
	p.Flags, p.Seq, p.Len, p.IPBytes = FlagACK, seq, 1448, 1500
	return p
}

func offloadNet(t *testing.T, offloads bool, path datapath.CostedPath) (*sim.Engine, *Network, *Route, *sink) {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Offloads = offloads
	return setupWith(t, cfg, path)
}

// TestGSOBatchesOneSend: 100 segments sent at once on one core cross the
// send-side stages as ceil(100 x 1500 / 65536) = 3 super-packets: per-packet
// cycles three times, per-byte cycles on every byte; without offloads, a
// hundred times. Pure ACKs and UDP datagrams are never batched.
func TestGSOBatchesOneSend(t *testing.T) {
	t.Parallel()
	const send, pb = 2400.0, 0.01
	for _, c := range []struct {
		offloads bool
		heads    float64
	}{{false, 100}, {true, 3}} {
		e, n, r, s := offloadNet(t, c.offloads, offloadPath(send, 0))
		for i := range 100 {
			n.Send(r, tcpData(n, int64(i)*1448), 0, 0)
		}
		e.Run()
		a := n.Accounting()
		if got := a.Crossings[0][datapath.TCP]; got != c.heads {
			t.Errorf("offloads %v: %v send-side crossings, want %v", c.offloads, got, c.heads)
		}
		want := c.heads*send + 100*1500*pb
		if got := a.Cycles[0][datapath.TCP]; got < want-1e-6 || got > want+1e-6 {
			t.Errorf("offloads %v: %v send-side cycles, want %v", c.offloads, got, want)
		}
		// each job's service rounded to the picosecond as the network does:
		// heads pay per-packet and per-byte cycles, batched packets per-byte only
		ps := 1000 / 2.4
		head := sim.Time(send*ps + pb*ps*1500 + 0.5)
		tail := sim.Time(pb*ps*1500 + 0.5)
		wantBusy := sim.Time(c.heads)*head + sim.Time(100-c.heads)*tail
		if busy := n.Nodes[0].Cores[0].BusyTime(); busy != wantBusy {
			t.Errorf("offloads %v: send core busy %v, want %v", c.offloads, busy, wantBusy)
		}
		if s.got != 100 {
			t.Errorf("offloads %v: %d of 100 delivered", c.offloads, s.got)
		}
		if err := n.Conservation(); err != nil {
			t.Error(err)
		}
	}
	// pure ACKs: one crossing each
	e, n, r, _ := offloadNet(t, true, offloadPath(send, 0))
	for range 10 {
		p := n.Alloc()
		p.Flags, p.IPBytes = FlagACK, 52
		n.Send(r, p, 0, 0)
	}
	e.Run()
	if got := n.Accounting().Crossings[0][datapath.TCP]; got != 10 {
		t.Errorf("pure ACKs: %v crossings, want 10", got)
	}
}

// dataAt sends one data segment when it runs.
type dataAt struct {
	n   *Network
	r   *Route
	seq int64
}

func (d *dataAt) Handle(e *sim.Engine, _ uint64) { d.n.Send(d.r, tcpData(d.n, d.seq), 0, e.Now()) }

// dataEvery schedules k full TCP segments on r, one send every gap from 0
// (1.2 us: 10 Gbit/s of 1500-byte packets).
func dataEvery(e *sim.Engine, n *Network, r *Route, k int, gap sim.Time) {
	for j := range k {
		e.Schedule(sim.Time(j)*gap, &dataAt{n: n, r: r, seq: int64(j) * 1448}, 0)
	}
}

// TestGROMergesWhatWaits: segments arriving every 1.2 us (10 Gbit/s) at a
// receive core that needs 5 us per packet. Without offloads the core
// falls behind by 3.8 us a packet; with GRO the packets that arrive while
// a super-packet waits join it (up to 64 KiB: 43 packets of 1500 bytes),
// so the core keeps up (about four packets per super-packet: those that
// arrive during the previous one's 5 us), pays its per-packet cycles once
// per super-packet and ends a few super-packets after the last arrival,
// where without GRO it ends 1.5 ms later.
func TestGROMergesWhatWaits(t *testing.T) {
	t.Parallel()
	const recv, k = 12000.0, 400 // 5 us at 2.4 GHz
	var heads [2]float64
	var end [2]sim.Time
	for i, offloads := range []bool{false, true} {
		e, n, r, s := offloadNet(t, offloads, offloadPath(0, recv))
		dataEvery(e, n, r, k, 1200*sim.Nanosecond) // one send per 1.2 us: no GSO batch spans two
		e.Run()
		if s.got != k {
			t.Fatalf("offloads %v: %d of %d delivered", offloads, s.got, k)
		}
		a := n.Accounting()
		heads[i] = a.Crossings[1][datapath.NIC]
		end[i] = s.last
		want := heads[i]*recv + k*1500*0.01
		if got := a.Cycles[1][datapath.NIC]; got < want-1e-6 || got > want+1e-6 {
			t.Errorf("offloads %v: %v receive cycles, want %v for %v crossings", offloads, got, want, heads[i])
		}
		if err := n.Conservation(); err != nil {
			t.Error(err)
		}
	}
	if heads[0] != k {
		t.Errorf("without offloads: %v receive crossings, want %d", heads[0], k)
	}
	// super-packets of at most 43 packets, so at least 400/43 of them
	if heads[1] < k/43 || heads[1] > k/4 {
		t.Errorf("with GRO: %v super-packets for %d packets, want between %d and %d", heads[1], k, k/43, k/4)
	}
	lastArrival := sim.Time(k-1)*1200*sim.Nanosecond + 1538*800 + DefaultConfig().LinkDelay
	if end[0] < lastArrival+300*sim.Microsecond {
		t.Errorf("without offloads the core should lag far behind: last delivery %v, last arrival %v", end[0], lastArrival)
	}
	if end[1] > lastArrival+10*5*sim.Microsecond {
		t.Errorf("with GRO the core should keep up: last delivery %v, last arrival %v", end[1], lastArrival)
	}
}

// TestTSOQdiscCountsSuperPackets: with offloads the transmit queue's
// limit counts super-packets (skbs), as a qdisc does: 300 segments sent at
// once (5 super-packets) all enter a queue of 10, where without offloads
// only 11 would (the queue's 10 and one that left it while the sender's
// per-byte work went on).
func TestTSOQdiscCountsSuperPackets(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		offloads bool
		dropped  uint64
	}{{false, 289}, {true, 0}} {
		e := sim.NewEngine()
		cfg := DefaultConfig()
		cfg.Offloads, cfg.QdiscLen = c.offloads, 10
		n, err := New(e, cfg)
		if err != nil {
			t.Fatal(err)
		}
		s := &sink{n: n}
		r, err := n.NewRoute(RouteSpec{Path: offloadPath(0, 0), Src: 0, Dst: 1, To: s})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 300 {
			n.Send(r, tcpData(n, int64(i)*1448), 0, 0)
		}
		e.Run()
		if st := n.Stats(); st.DropQdisc != c.dropped || s.got != 300-int(c.dropped) {
			t.Errorf("offloads %v: %d dropped, %d delivered; want %d dropped", c.offloads, st.DropQdisc, s.got, c.dropped)
		}
		if err := n.Conservation(); err != nil {
			t.Error(err)
		}
	}
}

// TestGROIdleCoreMergesNothing: segments that find their receive core
// idle (2 us apart, 1 us of softirq work each) are processed one by one,
// with or without offloads: GRO merges only what waits.
func TestGROIdleCoreMergesNothing(t *testing.T) {
	t.Parallel()
	const k = 200
	for _, offloads := range []bool{false, true} {
		e, n, r, s := offloadNet(t, offloads, offloadPath(0, 2400))
		dataEvery(e, n, r, k, 2*sim.Microsecond)
		e.Run()
		if got := n.Accounting().Crossings[1][datapath.NIC]; got != k || s.got != k {
			t.Errorf("offloads %v: %v receive crossings and %d delivered, want %d of each", offloads, got, s.got, k)
		}
	}
}

// TestOffloadAccountingWithJitter: with offloads and CPU jitter together,
// the accounted cycles of every node are the cycles its cores ran (busy
// time x frequency, within the 1 ps rounding of each job), whether a job
// carried per-packet costs (a head) or per-byte costs only (batched).
func TestOffloadAccountingWithJitter(t *testing.T) {
	t.Parallel()
	for _, nic := range []string{"all", "gro"} { // gro: no TSO, so software GSO cuts (its heads' cuts too)
		e := sim.NewEngine()
		cfg := DefaultConfig()
		cfg.Offloads, cfg.CPUJitter, cfg.Streams = true, 0.3, sim.Streams{Seed: 4}
		var err error
		if cfg.NICOffloads, err = ParseNICOffloads(nic); err != nil {
			t.Fatal(err)
		}
		n, err := New(e, cfg)
		if err != nil {
			t.Fatal(err)
		}
		s := &sink{n: n}
		path := offloadPath(3000, 6000)
		path.Steps = slices.Insert(path.Steps, 1, step(datapath.NIC, datapath.Src, datapath.Send, 600, 0)) // where the NIC's segmentation is done in software
		r, err := n.NewRoute(RouteSpec{Path: path, Src: 0, Dst: 1, FlowKey: 3, RecvCore: 2, To: s})
		if err != nil {
			t.Fatal(err)
		}
		jobs := 0
		for j := range 300 { // bursts of 10 every 20 us: GSO batches, GRO merges behind a busy core
			for k := range 10 {
				e.Schedule(sim.Time(j)*20*sim.Microsecond, &dataAt{n: n, r: r, seq: int64(10*j+k) * 1448}, 0)
				jobs += 2
			}
		}
		e.Run()
		if s.got != 3000 {
			t.Fatalf("%s: %d of 3000 delivered", nic, s.got)
		}
		a := n.Accounting()
		heads := a.Crossings[0][datapath.TCP] + a.Crossings[1][datapath.NIC]
		if heads >= 6000 || heads <= 600 {
			t.Errorf("%s: %v super-packets on the two sides for 3000 packets: want batching on both", nic, heads)
		}
		if cut := a.Cycles[0][datapath.Netdev]; (nic == "gro") != (cut > 0) {
			t.Errorf("%s: the sender's netdev cycles (software GSO) %v", nic, cut)
		}
		for node := range 2 {
			ran := a.Busy[node].Seconds() * cfg.GHz * 1e9
			if d := math.Abs(a.NodeCycles(node) - ran); d > 0.0024*float64(jobs) {
				t.Errorf("%s, node %d: accounted %.1f cycles, ran %.1f", nic, node, a.NodeCycles(node), ran)
			}
		}
	}
}

// TestGROTable: a receiving core keeps one open super-packet per flow, up
// to groFlows flows: interleaved flows each merge into their own, a
// packet joins only its flow's not-yet-started one with room, a new flow
// takes a free or started slot before the oldest open one, and a pure ACK
// changes nothing.
func TestGROTable(t *testing.T) {
	routes := make([]*Route, groFlows+1)
	for i := range routes {
		routes[i] = &Route{}
	}
	data := func(i int) *Packet {
		return &Packet{Header: Header{Flags: FlagACK, Len: 1448}, IPBytes: 1500, route: routes[i]}
	}
	us := sim.Microsecond
	type arrival struct {
		flow      int
		at, start sim.Time // arrival, and the softirq job's start
		ack       bool
		ecn       uint8 // the frame's ECN field
		wantJoin  bool
		wantAlone bool // ends its flow's super-packet and goes up alone
	}
	for _, tc := range []struct {
		name string
		in   []arrival
	}{
		{"interleaved flows each merge", []arrival{
			{flow: 0, at: 0, start: 10 * us},
			{flow: 1, at: 1 * us, start: 11 * us},
			{flow: 0, at: 2 * us, start: 12 * us, wantJoin: true},
			{flow: 1, at: 3 * us, start: 13 * us, wantJoin: true},
		}},
		{"a started super-packet takes no more", []arrival{
			{flow: 0, at: 0, start: 1 * us},
			{flow: 0, at: 2 * us, start: 5 * us}, // the first started at 1 us
			{flow: 0, at: 3 * us, start: 6 * us, wantJoin: true},
		}},
		{"a pure ACK leaves the super-packet open", []arrival{
			{flow: 0, at: 0, start: 10 * us},
			{flow: 1, at: 1 * us, start: 11 * us, ack: true},
			{flow: 0, at: 2 * us, start: 12 * us, wantJoin: true},
		}},
		{"a frame with another ECN field ends the super-packet and goes up alone", []arrival{
			{flow: 0, at: 0, start: 10 * us, ecn: ECNECT0},
			{flow: 0, at: 1 * us, start: 11 * us, ecn: ECNECT0, wantJoin: true},
			{flow: 0, at: 2 * us, start: 12 * us, ecn: ECNCE, wantAlone: true},
			{flow: 0, at: 3 * us, start: 13 * us, ecn: ECNCE}, // heads the next
			{flow: 0, at: 4 * us, start: 14 * us, ecn: ECNCE, wantJoin: true},
			{flow: 0, at: 5 * us, start: 15 * us, ecn: ECNECT0, wantAlone: true},
			{flow: 0, at: 6 * us, start: 16 * us, ecn: ECNECT0},
			{flow: 0, at: 7 * us, start: 17 * us, ecn: ECNECT0, wantJoin: true},
		}},
		{"a started super-packet is not ended by another ECN field", []arrival{
			{flow: 0, at: 0, start: 1 * us, ecn: ECNECT0},
			{flow: 0, at: 2 * us, start: 5 * us, ecn: ECNCE}, // the first started at 1 us: heads
			{flow: 0, at: 3 * us, start: 6 * us, ecn: ECNCE, wantJoin: true},
		}},
		{"a ninth flow replaces the oldest open one", []arrival{
			{flow: 0, at: 0, start: 10 * us}, {flow: 1, at: 0, start: 11 * us}, {flow: 2, at: 0, start: 12 * us},
			{flow: 3, at: 0, start: 13 * us}, {flow: 4, at: 0, start: 14 * us}, {flow: 5, at: 0, start: 15 * us},
			{flow: 6, at: 0, start: 16 * us}, {flow: 7, at: 0, start: 17 * us},
			{flow: 8, at: 1 * us, start: 18 * us},
			{flow: 0, at: 2 * us, start: 19 * us}, // flow 0's was the oldest: gone
			{flow: 2, at: 3 * us, start: 20 * us, wantJoin: true},
			{flow: 8, at: 4 * us, start: 21 * us, wantJoin: true},
		}},
		{"a started slot goes before the oldest open one", []arrival{
			{flow: 0, at: 0, start: 1 * us}, {flow: 1, at: 0, start: 11 * us}, {flow: 2, at: 0, start: 12 * us},
			{flow: 3, at: 0, start: 13 * us}, {flow: 4, at: 0, start: 14 * us}, {flow: 5, at: 0, start: 15 * us},
			{flow: 6, at: 0, start: 16 * us}, {flow: 7, at: 0, start: 17 * us},
			{flow: 8, at: 2 * us, start: 18 * us}, // flow 0's started at 1 us: its slot
			{flow: 1, at: 3 * us, start: 19 * us, wantJoin: true},
			{flow: 8, at: 4 * us, start: 20 * us, wantJoin: true},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var g groTable
			for i, a := range tc.in {
				p := data(a.flow)
				p.ECN = a.ecn
				if a.ack {
					p.Len = 0
				}
				slot := g.arrive(p, a.at, true)
				if p.batched != a.wantJoin || (slot == groAlone) != a.wantAlone {
					t.Fatalf("arrival %d (flow %d at %v): joined %v, alone %v; want %v, %v", i, a.flow, a.at, p.batched, slot == groAlone, a.wantJoin, a.wantAlone)
				}
				g.took(p, slot, a.at, a.start)
			}
		})
	}
	// room: a super-packet takes at most GSOMaxBytes
	var g groTable
	p := data(0)
	g.took(p, g.slot(p), 0, sim.Second)
	joined := 0
	for i := 1; i < 100; i++ {
		p := data(0)
		if !g.join(g.slot(p), p, sim.Time(i)) {
			break
		}
		joined++
	}
	if want := GSOMaxBytes/1500 - 1; joined != want {
		t.Errorf("%d packets joined a head of 1500 bytes, want %d (GSOMaxBytes %d)", joined, want, GSOMaxBytes)
	}
}

// TestGROMergesInterleavedFlows: TestGROMergesWhatWaits with two flows
// whose packets alternate on the same receiving core. Each merges into its
// own super-packet, as NAPI's per-flow GRO lists do; a core holding one
// flow's super-packet at a time would merge nothing, each packet breaking
// the other flow's, and pay the per-packet cycles 2 x 400 times.
func TestGROMergesInterleavedFlows(t *testing.T) {
	t.Parallel()
	const recv, k = 12000.0, 400 // 5 us at 2.4 GHz
	e, n, a, s := offloadNet(t, true, offloadPath(0, recv))
	b, err := n.NewRoute(RouteSpec{Path: offloadPath(0, recv), Src: 0, Dst: 1, FlowKey: 7, RecvCore: 3, To: s})
	if err != nil {
		t.Fatal(err)
	}
	if a.rssCore != b.rssCore {
		t.Fatalf("the flows' RSS cores differ: %d, %d", a.rssCore, b.rssCore)
	}
	for j := range k {
		at := sim.Time(j) * 1200 * sim.Nanosecond
		e.Schedule(at, &dataAt{n: n, r: a, seq: int64(j) * 1448}, 0)
		e.Schedule(at+600*sim.Nanosecond, &dataAt{n: n, r: b, seq: int64(j) * 1448}, 0)
	}
	e.Run()
	if s.got != 2*k {
		t.Fatalf("%d of %d delivered", s.got, 2*k)
	}
	heads := n.Accounting().Crossings[1][datapath.NIC]
	if heads > 2*k/4 {
		t.Errorf("%v super-packets for 2 x %d interleaved packets: GRO merged fewer than 4 a super-packet", heads, k)
	}
	t.Logf("%v super-packets for %d packets", heads, 2*k)
	if err := n.Conservation(); err != nil {
		t.Error(err)
	}
}

// TestRxUsecs: interrupt moderation (Config.RxUsecs). A lone packet into
// an idle receiver is delivered exactly rx-usecs later than without it;
// with GRO, the frames of a burst that reach the idle queue within
// rx-usecs of the first are polled, and merged, with it, where without
// moderation the fast receiving core takes each on its own; frames
// arriving while NAPI polls are not delayed again.
func TestRxUsecs(t *testing.T) {
	t.Parallel()
	S, D := datapath.Src, datapath.Dst
	path := datapath.CostedPath{InterHost: true, Steps: []datapath.CostedStep{
		step(datapath.TCP, S, datapath.Send, 0, 0),
		step(datapath.NIC, D, datapath.Softirq, 240, 0), // 100 ns: idle between frames 1.2 us apart
		step(datapath.TCP, D, datapath.Softirq, 240, 0),
	}}
	const usecs = 8 * sim.Microsecond
	lone := map[sim.Time]sim.Time{}
	merged := map[sim.Time]float64{}
	for _, rx := range []sim.Time{0, usecs} {
		// a lone packet
		cfg := DefaultConfig()
		cfg.RxUsecs, cfg.GROFrameCycles = rx, 0 // a merged frame free: polls of 200 ns
		e, n, r, s := setupWith(t, cfg, path)
		n.Send(r, tcpData(n, 0), 0, 0)
		e.Run()
		lone[rx] = s.last
		// a burst of 20 frames 1.2 us apart (10 Gbit/s), with GRO
		cfg.Offloads = true
		e, n, r, s = setupWith(t, cfg, path)
		const k = 20
		dataEvery(e, n, r, k, 1200*sim.Nanosecond)
		e.Run()
		if s.got != k {
			t.Fatalf("rx-usecs %v: %d of %d delivered", rx, s.got, k)
		}
		merged[rx] = k - n.Accounting().Crossings[1][datapath.TCP]
	}
	if d := lone[usecs] - lone[0]; d != usecs {
		t.Errorf("a lone packet delivered %v later with rx-usecs %v, want exactly that", d, usecs)
	}
	if merged[0] != 0 {
		t.Errorf("without moderation an idle core merged %v frames, want none", merged[0])
	}
	// the frame at 0 arms an interrupt at 8 us: the 6 arriving at 1.2 ..
	// 7.2 us join it, and its poll ends at 8.2 (the head's 200 ns), before
	// the frame at 8.4, which arms one at 16.4 that the 6 at 9.6 .. 15.6
	// join; the frame at 16.8 arms one at 24.8, joined by the last 5
	// (18.0 .. 22.8): 17 merged
	if merged[usecs] != 17 {
		t.Errorf("rx-usecs %v: GRO merged %v of 20 frames, want 17", usecs, merged[usecs])
	}
}
