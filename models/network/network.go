package network

import (
	"fmt"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/sim"
)

// Endpoint receives the packets of a route once their non-Recv segments
// have run. Deliver is called during an event at now <= at; at is the time
// the last segment finished. The endpoint owns p and must Free it.
type Endpoint interface {
	Deliver(p *Packet, at sim.Time)
}

// Prefetcher is an Endpoint that can ask the CPU for the state Deliver
// will read about p (internal/prefetch), called when p reaches its node,
// before the receiving side's stages run: at a fabric's scale that state
// is out of the cache, and its misses then overlap with the stages'.
type Prefetcher interface {
	Prefetch(p *Packet)
}

// Node is one host: its cores, its NIC transmit queue and link, counters.
type Node struct {
	Cores     []sim.Processor
	rx        []timeRing // per core: softirq completion times of packets from the wire
	gro       []groTable // per core, with offloads: the open super-packets from the wire
	tso       timeRing   // with offloads: completion times of the super-packets in the NIC queue
	NIC       sim.Server // transmit queue + serialiser; Limit = qdisc length
	TxFrames  uint64     // frames put on the wire (two for a fragmented packet)
	TxBytes   uint64     // wire bytes, framing included
	RxPackets uint64     // packets that reached this node's receiving side
	RxDrops   uint64     // packets its cores' RX rings had no room for (whole run)

	// packets waiting to enter the NIC queue in arrival order (nic.go)
	index     int
	pending   offerQueue // (nic.go)
	offers    uint32     // packets offered to pending so far (wrapping)
	deferred  bool
	wake      sim.Timer
	lookahead sim.Time // least send-side time from an event to this NIC
	wire      pipe     // packets on the link, in arrival order (wire.go)
	// per core, with Config.RxUsecs: when its pending receive interrupt
	// fires (last: the fields above keep their cache lines)
	irqAt []sim.Time
	// with Config.TBFBurstFrames: when the last frame left its tbf (tbfStart)
	tbfLast sim.Time
	// with Config.Qdisc = QdiscFQCoDel: the NIC's qdisc (fqcodel.go)
	fq *fqCodel
}

// Network is a cluster executing routes. It is the sim.Handler of every
// packet event; arg is the packet's pool index.
type Network struct {
	cfg        Config
	eng        *sim.Engine
	Nodes      []Node
	pool       pool
	routes     []*Route
	psPerByte  float64
	tbfBucket  int64 // Config.TBFBurstFrames' bucket in bytes (0: store-and-forward links)
	daemonCore int16
	tsqFabric  bool // Config.TSQThroughFabric, beside the fields a packet's hops read
	jit        jitter
	// slowService: every job goes through serviceSlow (jitter on, or a
	// route whose segment software GSO cuts at, which must see the
	// super-packets' heads)
	slowService bool

	sent, delivered, dropQdisc, dropRx, dropDF, dropHook, dropPort, dropLink, dropCorrupt uint64

	// fab is the switched fabric (nil for FabricNone: links end at the
	// destination node); firstHop the time from a node's NIC to the next
	// hop's ready time (propagation, plus the first switch's latency).
	fab      *fabric
	firstHop sim.Time

	// retired: the folded accounting of routes handed back by Retire;
	// retiring: those waiting for their packets in flight (retire.go)
	retired  Accounting
	retiring []*Route

	// compiledPaths: paths compiled once per (steps, src, dst) and shared
	// by the routes over them (compiled.go)
	compiledPaths map[pathKey]*compiledPath
	// scaled: enough routes that their state is out of the cache, so the
	// hops prefetch it (internal/prefetch); with a few flows everything
	// stays cached and the prefetches would only cost
	scaled bool
	// wireTap: some route has an OnWire observer (a capture), which the
	// wire then looks for; beside scaled, read at the same hops
	wireTap bool
	// fqOn: the NICs' qdisc is fq_codel (Config.Qdisc), which transmit
	// hands its packets to (fqcodel.go)
	fqOn bool
	// pairCores: the receive core of each ordered node pair whose paths
	// RSS spreads by the nodes alone (RSSByNodes), from its first route
	pairCores map[[2]int32]int16
	// freeRoutes: folded routes' objects for reuse; done: sweep's scratch
	freeRoutes []*Route
	done       map[*Route]bool
}

// New builds the cluster on engine e.
func New(e *sim.Engine, cfg Config) (*Network, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n := &Network{cfg: cfg, eng: e, pool: newPool(), psPerByte: 8000 / cfg.LinkGbps,
		tbfBucket: int64(cfg.TBFBurstFrames) * int64(cfg.MTU+cfg.FrameOverhead), tsqFabric: cfg.TSQThroughFabric}
	n.Nodes = make([]Node, cfg.Nodes)
	for i := range n.Nodes {
		n.Nodes[i].Cores = make([]sim.Processor, cfg.CoresPerNode)
		n.Nodes[i].rx = make([]timeRing, cfg.CoresPerNode)
		if cfg.RxUsecs > 0 {
			n.Nodes[i].irqAt = make([]sim.Time, cfg.CoresPerNode)
		}
		if cfg.Offloads {
			n.Nodes[i].gro = make([]groTable, cfg.CoresPerNode)
		}
		n.Nodes[i].NIC.Limit = cfg.QdiscLen
		n.Nodes[i].index = i
		n.Nodes[i].lookahead = sim.Never
		n.Nodes[i].wake.Init(e, (*nicFlusher)(n), uint64(i))
	}
	if n.fqOn = cfg.Qdisc == QdiscFQCoDel; n.fqOn {
		perturb := cfg.Streams.Source("fq_codel") // each node's qdisc draws its own
		for i := range n.Nodes {
			n.Nodes[i].fq = newFQCodel(cfg.MTU, cfg.FQCoDel, perturb.Uint64())
		}
	}
	n.jit = newJitter(cfg.CPUJitter, cfg.Streams, cfg.Nodes)
	n.slowService = n.jit.on
	n.firstHop = cfg.LinkDelay
	if cfg.Fabric.Kind != FabricNone {
		n.fab = buildFabric(cfg)
		n.firstHop += cfg.Fabric.PerHop
		if f := cfg.Fabric; len(f.Failed) > 0 && f.FailAt > 0 {
			e.Schedule(f.FailAt, (*fabricEvent)(n), failNow)
		}
		if f := cfg.Fabric; len(f.Failed) > 0 && f.RecoverAt > 0 {
			e.Schedule(f.RecoverAt, (*fabricEvent)(n), recoverNow)
		}
	}
	n.daemonCore = int16(cfg.DaemonCore)
	if cfg.DaemonCore < 0 {
		n.daemonCore = int16(cfg.CoresPerNode - 1)
	}
	return n, nil
}

// Engine returns the engine the network runs on.
func (n *Network) Engine() *sim.Engine { return n.eng }

// Config returns the cluster configuration.
func (n *Network) Config() Config { return n.cfg }

// Core returns core c of node i, for application work (a server's
// per-request cost) outside any route.
func (n *Network) Core(node, c int) *sim.Processor { return &n.Nodes[node].Cores[c] }

// RouteSpec places one direction of a flow.
type RouteSpec struct {
	Path     datapath.CostedPath
	Src, Dst int    // nodes (equal for an intra-host path)
	FlowKey  uint64 // hashed to pick the receiving node's RSS core
	RecvCore int    // the receiving application's core (Recv context)
	// SenderShares says the sending application runs on RecvCore of the
	// same node (one core for both ends of an intra-host flow): its reader,
	// woken by the softirq the sender's own packets run there, waits for
	// the sender's time slice to end (Config.TimeSlice).
	SenderShares bool
	To           Endpoint
	// Via, when set, relays the route through a third node (relay.go):
	// NewRoute returns the first leg.
	Via *Via
}

// NewRoute compiles a path between two nodes.
func (n *Network) NewRoute(spec RouteSpec) (*Route, error) {
	if spec.Src < 0 || spec.Src >= len(n.Nodes) || spec.Dst < 0 || spec.Dst >= len(n.Nodes) {
		return nil, fmt.Errorf("route nodes %d -> %d: must be in [0, %d]", spec.Src, spec.Dst, len(n.Nodes)-1)
	}
	if spec.Path.InterHost == (spec.Src == spec.Dst) {
		return nil, fmt.Errorf("route nodes %d -> %d: path inter_host = %v does not match the placement", spec.Src, spec.Dst, spec.Path.InterHost)
	}
	if spec.RecvCore < 0 || spec.RecvCore >= n.cfg.CoresPerNode {
		return nil, fmt.Errorf("route recv core %d: must be in [0, %d]", spec.RecvCore, n.cfg.CoresPerNode-1)
	}
	if spec.To == nil {
		return nil, fmt.Errorf("route %d -> %d: no receiving endpoint", spec.Src, spec.Dst)
	}
	if spec.Via != nil {
		return n.newRelayed(spec)
	}
	c, err := n.compiled(spec)
	if err != nil {
		return nil, fmt.Errorf("route %d -> %d: %w", spec.Src, spec.Dst, err)
	}
	r := n.reuse(len(c.segs))
	segs := r.segs
	copy(segs, c.segs) // the route's own counters; the step lists are shared
	r.net, r.src, r.dst, r.recv = n, spec.Src, spec.Dst, c.recv
	n.bind(segs, &r.recv, spec.Src, spec.Dst)
	r.encap = int16(spec.Path.EncapBytes) // datapath.Encap's overheads: tens of bytes
	r.tunnel, r.encryption = spec.Path.Encap, spec.Path.Encryption
	r.rssCore = n.rssCore(spec)
	r.rpsCore = n.flowCore(spec.FlowKey) // the inner flow's hash
	r.recvCore, r.recvProc = int16(spec.RecvCore), &n.Nodes[spec.Dst].Cores[spec.RecvCore]
	r.sharesCore = spec.SenderShares && spec.Src == spec.Dst
	r.to, r.target = spec.To, -1
	r.pf, _ = spec.To.(Prefetcher)
	if (n.fab != nil || n.fqOn) && spec.Src != spec.Dst {
		// whether the wire's header carries the ECN field a fabric's
		// switches and fq_codel mark
		r.ecnOpaque = !ECNTransparent(spec.Path)
	}
	if n.fab != nil && spec.Src != spec.Dst {
		r.ecmp = ecmpHash(spec.Path, spec.Src, spec.Dst, spec.FlowKey)
		r.hops = n.fab.hops(spec.Src, spec.Dst, r.ecmp)
	}
	if n.fqOn {
		r.skbHash = skbHash(spec.Path, spec.Src, spec.Dst, spec.FlowKey)
	}
	for i := range segs {
		r.wired = r.wired || segs[i].wire
	}
	if r.wired && n.cfg.TSQOrphan && orphansSkb(spec.Path) {
		r.orphan = 1 // the NIC queue's entries carry no bytes
	}
	if r.wired {
		// A route created mid-run with a cheaper send side than the node's
		// others may hand the NIC a packet before ones already queued
		// (by at most the difference): routes of one plugin share costs.
		src := &n.Nodes[spec.Src]
		// Jitter can make a job faster than its cycles, down to the
		// least factor.
		la := c.lookahead
		if n.jit.on {
			la = sim.Time(float64(la) * n.jit.floor)
		}
		if n.cfg.Offloads || n.fqOn {
			// a batched packet pays no fixed cost; fq_codel's dequeue
			// must not see a packet from after its time
			la = 0
		}
		src.lookahead = min(src.lookahead, la)
	}
	n.routes = append(n.routes, r)
	n.scaled = n.scaled || len(n.routes) >= prefetchRoutes
	return r, nil
}

// prefetchRoutes is the number of routes from which the network
// prefetches: bench/bulk.toml's single flow took 12-28% more CPU with the
// prefetches (its state stays cached), a 1,024-flow leaf-spine 15-25% less.
const prefetchRoutes = 64

// Alloc returns a zeroed packet from the pool.
func (n *Network) Alloc() *Packet { return n.pool.get() }

// Free returns a delivered (or never sent) packet to the pool.
func (n *Network) Free(p *Packet) { n.pool.put(p) }

// Send starts p (IPBytes and Header set by the caller) along r at time
// at >= now, its Send-context segments on core sendCore of the source node.
// The network owns p until it is delivered or dropped.
func (n *Network) Send(r *Route, p *Packet, sendCore int, at sim.Time) {
	n.sent++
	r.sent++
	p.route = r
	p.SendCore = int16(sendCore)
	p.core = int16(sendCore)
	p.seg = 0
	if (r.hooked || r.DropIf != nil) && r.hookDrops(p, at) {
		n.dropHook++
		r.dropped++
		n.pool.put(p)
		return
	}
	// an outer packet over the underlay MTU fragments, or with DF set is
	// dropped where it would leave the node (after the send-side stages)
	p.frag = int(p.IPBytes)+int(r.encap) > n.cfg.MTU
	if n.cfg.Offloads {
		r.gso(p, at)
	}
	if r.wired {
		r.preNic += int64(p.IPBytes)
		if n.tsqFabric {
			r.netB += int64(p.IPBytes)
		}
	}
	p.inNet = true
	n.advance(p, at, false)
}

// Handle runs a packet event: the packet reaches a contention point.
func (n *Network) Handle(e *sim.Engine, arg uint64) {
	p := n.pool.at(int32(arg))
	n.advance(p, e.Now(), true)
}

// advance runs p's segments from p.seg at time t. Without atEvent, reaching
// a contention point schedules an event there and returns.
func (n *Network) advance(p *Packet, t sim.Time, atEvent bool) {
	r := p.route
	segs := r.segs
	for i := int(p.seg); i < len(segs); i++ {
		s := &segs[i]
		if s.wire {
			p.seg = int16(i)
			n.offerNIC(r, p, t) // in arrival order: nic.go
			return
		}
		core := p.core
		switch s.pick {
		case pickSend:
			core = p.SendCore
		case pickDaemon:
			core = n.daemonCore
		case pickRSS, pickRPS: // one case: default.pgo knows the hot calls below by line
			core = r.rxCore(s.pick)
		}
		if !atEvent && (core != p.core || s.firstDst) {
			p.seg = int16(i)
			p.core = core
			n.eng.Schedule(t, n, uint64(p.id))
			return
		}
		atEvent = false
		nd := s.nd
		groSlot := -1 // p's flow's GRO slot, or groJoined
		if s.fromRx {
			// the ring's length is at most its size: retire the finished
			// jobs only when the size alone would drop the packet
			if rx := &nd.rx[core]; rx.size >= n.cfg.RxRing && rx.len(t) >= n.cfg.RxRing {
				n.dropRx++
				nd.RxDrops++
				n.discard(r, p)
				return
			} else if rx.size == len(rx.t) {
				// full below the bound: retire before the push grows it, so
				// that the buffer follows the backlog, not the bound (a
				// 1,000-node cluster's 16,000 rings all grew to it)
				rx.len(t)
			}
			nd.RxPackets++
			if nd.gro != nil {
				groSlot = nd.gro[core].arrive(p, t, !s.noGRO)
			}
		}
		var svc sim.Time
		if s.psRule == 0 && !n.slowService && !p.batched {
			svc = s.service(p, false)
		} else {
			svc = n.serviceSlow(s, p)
		}
		if n.cfg.RxUsecs != 0 && s.fromRx { // after the hot calls above: default.pgo knows them by line
			t = nd.interrupt(core, t, n.cfg.RxUsecs) // p's job waits for the receive interrupt
		}
		c := &nd.Cores[core]
		start, done, ok := c.BookInOrder(n.eng.Now(), t, svc)
		if !ok {
			start, done = c.Book(n.eng.Now(), t, svc) // a gap to fill or leave
		}
		if s.fromRx {
			nd.rx[core].push(done)
			if nd.gro != nil {
				nd.gro[core].took(p, groSlot, t, start)
			}
		}
		t = done
		s.pkts++
		s.bytes += uint64(p.IPBytes)
		s.countCalls(p)
		if p.batched {
			s.batched++
			if s.split {
				s.splitPkts++
				if p.frag {
					s.splitFrags++
				}
			}
		} else if p.frag {
			s.frags++
		}
		p.core = core
	}
	p.seg = int16(len(segs))
	p.inNet = false
	n.delivered++
	r.delivered++
	if n.tsqFabric && r.wired {
		r.release(int64(p.IPBytes)) // delivered at t >= now: the skb's last free, near enough
	}
	r.to.Deliver(p, t)
}

// transmit offers p to the source node's NIC queue at its arrival time
// now (>= the engine's Now: see offerNIC); false if p was dropped.
func (n *Network) transmit(r *Route, p *Packet, now sim.Time) bool {
	node := &n.Nodes[r.src]
	bytes, frames := n.wireBytes(r, p)
	r.preNic -= int64(p.IPBytes)
	if p.frag && n.cfg.DropOversize || n.fqOn {
		// dropped (DF), or into a flow queue of fq_codel: out of line,
		// on as many lines as the drop took here, so that the hot
		// calls below keep the lines default.pgo knows them by
		return n.beforeNIC(node, r, p, now)
	}
	var done sim.Time
	var ok bool
	svc := sim.Time(float64(bytes)*n.psPerByte + 0.5)
	if n.cfg.Offloads {
		done, ok = n.offerTSO(node, r, p, now, svc)
	} else {
		done, ok = node.NIC.Offer(now, svc)
	}
	if !ok {
		n.dropQdisc++
		n.discard(r, p)
		r.txProgress(true)
		return false
	}
	node.TxFrames += frames
	node.TxBytes += uint64(bytes)
	p.batched = false                 // TSO: the NIC cuts super-packets into frames
	r.retire(n.eng.Now())             // not now: TxQueued may still be asked about earlier times
	r.txPush(done, n.heldBytes(r, p)) // nothing counted past an orphaning stack
	r.txProgress(false)
	p.seg++
	port := int32(-1)
	if r.hops != nil {
		port = r.hops[0]
	}
	leaves := done
	if b := n.tbfBucket; b > 0 { // the NIC's FIFO server started it at done - svc
		node.tbfLast = tbfStart(now, done-svc, node.tbfLast, b, bytes, n.psPerByte)
		leaves = node.tbfLast
	}
	n.toWire(node, n.txWire(p, done-svc), leaves+n.firstHop, port, int32(r.dst), int32(bytes))
	return true
}

// tbfStart is when a frame of bytes leaves a tbf link (Config.
// TBFBurstFrames) that a store-and-forward link would start sending it at
// start (its arrival now, or the link's busy-until before it): as soon as
// the bucket holds its bytes. The bucket fills at the link rate and is
// emptied by what it passes, so it is full exactly when a
// store-and-forward link would be idle, and short of full by the bytes
// that link still has to send; a frame needs only its own bytes, so it
// leaves up to the bucket's room beyond it earlier than start, never
// before it arrives nor before the frame ahead of it (last).
func tbfStart(now, start, last sim.Time, bucket, bytes int64, psPerByte float64) sim.Time {
	room := sim.Time(float64(max(bucket-bytes, 0))*psPerByte + 0.5)
	return max(now, start-room, last)
}

// wireBytes are p's bytes on the wire, framing included, and its frames.
func (n *Network) wireBytes(r *Route, p *Packet) (bytes int64, frames uint64) {
	bytes = int64(p.IPBytes) + int64(r.encap) + int64(n.cfg.FrameOverhead)
	frames = 1
	if p.frag {
		// the second fragment carries its own outer IP header and framing
		bytes += 20 + int64(n.cfg.FrameOverhead)
		frames = 2
	}
	return bytes, frames
}

// Stats are the network's packet counters.
type Stats struct {
	Sent, Delivered, InFlight uint64
	// drops at the NIC transmit queue, the receive ring, for DF, by hooks,
	// at switch ports (a fabric's buffers)
	// on or at a failed fabric link (Fabric.Failed, FailAt), and on a
	// lossy one (Fabric.Lossy)
	DropQdisc, DropRx, DropOversize, DropHook, DropPort, DropLink, DropCorrupt, Drops uint64
	// QdiscMarks are the skbs fq_codel marked CE (Config.Qdisc), the whole run
	QdiscMarks uint64
	// Ports are the fabric's switch ports, in port order (nil without a
	// fabric): their statistics over the window from Fabric.StatsFrom.
	Ports []PortStats
}

// Stats returns the packet counters.
func (n *Network) Stats() Stats {
	s := Stats{Sent: n.sent, Delivered: n.delivered, InFlight: n.inFlight(),
		DropQdisc: n.dropQdisc, DropRx: n.dropRx, DropOversize: n.dropDF, DropHook: n.dropHook, DropPort: n.dropPort, DropLink: n.dropLink, DropCorrupt: n.dropCorrupt}
	s.Drops = s.DropQdisc + s.DropRx + s.DropOversize + s.DropHook + s.DropPort + s.DropLink + s.DropCorrupt
	for i := range n.Nodes {
		if q := n.Nodes[i].fq; q != nil {
			s.QdiscMarks += q.marks
		}
	}
	if n.fab != nil {
		s.Ports = n.portStats(n.eng.Now())
	}
	return s
}

// DropCount is Stats().Drops without the port statistics: cheap enough
// to read every time-series bin.
func (n *Network) DropCount() uint64 {
	return n.dropQdisc + n.dropRx + n.dropDF + n.dropHook + n.dropPort + n.dropLink + n.dropCorrupt
}

// DropsWhere are three places of DropCount: switch buffers, receive
// rings, and failed or lossy fabric links.
func (n *Network) DropsWhere() (switchBuffers, rxRings, links uint64) {
	return n.dropPort, n.dropRx, n.dropLink + n.dropCorrupt
}

// FabricQueueBytes is the bytes held in every switch's buffer at now (the
// frames not yet sent, the one being sent included; 0 without a fabric).
// Retiring the frames sent by now changes no admission: an exact count
// only ever admits what the lazy one would after its own retirement.
func (n *Network) FabricQueueBytes(now sim.Time) int64 {
	if n.fab == nil {
		return 0
	}
	var b int64
	for i := range n.fab.ports {
		pt := &n.fab.ports[i]
		pt.retire(now, &n.fab.switches[pt.sw])
		b += pt.held
	}
	return b
}

// CoresBusy is the time every core of every node has been busy by now
// (work accepted for later not counted), summed.
func (n *Network) CoresBusy(now sim.Time) sim.Time {
	var b sim.Time
	for i := range n.Nodes {
		for c := range n.Nodes[i].Cores {
			p := &n.Nodes[i].Cores[c]
			b += p.BusyBy(now)
		}
	}
	return b
}

// Conservation checks sent = delivered + dropped + in flight, counting the
// packets in flight by scanning the pool (independently of the counters).
func (n *Network) Conservation() error {
	s := n.Stats()
	if s.Sent != s.Delivered+s.Drops+s.InFlight {
		return fmt.Errorf("network: packets not conserved: sent %d != delivered %d + dropped %d + in flight %d",
			s.Sent, s.Delivered, s.Drops, s.InFlight)
	}
	if n.fab != nil {
		return n.portConservation()
	}
	return nil
}

func (n *Network) inFlight() uint64 {
	var k uint64
	for i := int32(0); i < n.pool.n; i++ {
		if n.pool.at(i).inNet {
			k++
		}
	}
	return k
}

// rssCore is the receiving node's core that RSS gives a new route: its
// flow key's hash, or, where RSS sees only the two nodes (RSSByNodes,
// unless the NICs hash the inner header: Config.RSSInner), the core the
// node pair's first such route got, so that every flow
// between them meets there (which core a pair hashes to is arbitrary;
// taking the first flow's keeps a pair with one flow where it was).
func (n *Network) rssCore(spec RouteSpec) int16 {
	core := n.flowCore(spec.FlowKey)
	if !spec.Path.RSSByNodes || n.cfg.RSSInner && spec.Path.RSSInner {
		return core
	}
	pair := [2]int32{int32(spec.Src), int32(spec.Dst)}
	if c, ok := n.pairCores[pair]; ok {
		return c
	}
	if n.pairCores == nil {
		n.pairCores = make(map[[2]int32]int16)
	}
	n.pairCores[pair] = core
	return core
}

// flowCore is the receiving core a flow key hashes to (RSS by flow, or
// RPS by the inner flow).
func (n *Network) flowCore(key uint64) int16 { return int16(mix(key) % uint64(n.cfg.CoresPerNode)) }

// mix is SplitMix64's finaliser: the RSS hash (Toeplitz in hardware; any
// fixed, well-spread hash keeps the flow-to-core mapping deterministic).
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
