package workload

import (
	"math/rand/v2"
	"slices"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/sim"
)

// Cluster traffic: pods on every node and the flows between them
// (workload.pattern other than pairs, or finite flows with
// workload.flow_sizes). Long-lived flows are placed once
// (longLivedFlows); finite flows arrive as a Poisson process per sending
// node at workload.load of its link rate (with a traffic matrix, at the
// sum of its pairs' rates: matrix.go), each a new TCP connection that
// writes its size, is read whole by the server pod and is then closed
// (its endpoints and routes handed back, as tcp_crr does).

// clustered reports whether the run places cluster traffic instead of the
// two-pod workload.
func (c *Config) clustered() bool {
	return c.Workload.Pattern != PatternPairs || c.Workload.FlowSizes != nil || c.Workload.queries()
}

// queries reports whether partition-aggregate queries run (query.go).
func (w *Workload) queries() bool { return w.QueryRate > 0 }

// podCore is the core of pod j's application: pods are spread over a
// node's cores round-robin.
func (m *meter) podCore(j int) int { return j % m.cfg.Cluster.CoresPerNode }

// buildCluster sets up the run's cluster traffic.
func (m *meter) buildCluster(rng *rand.Rand) error {
	w := &m.cfg.Workload
	if w.FlowSizes != nil || w.queries() {
		m.gen = newFlowGen(m, rng)
	}
	if w.FlowSizes != nil {
		return nil
	}
	switch w.Pattern {
	case PatternNone: // queries alone
		return nil
	case PatternPairs: // queries beside the two-pod streams
		return m.buildTCPStream(rng)
	}
	fs := longLivedFlows(w.Pattern, m.cfg.Cluster.Nodes, m.cfg.Cluster.CoresPerNode, w.PodsPerNode, w.Streams, w.IncastSenders, rng,
		func(src int) int { return m.randomPeer(src, rng) })
	for i, f := range fs {
		cs := tcp.Side{Node: int(f.src), Core: int(f.srcCore)}
		ss := tcp.Side{Node: int(f.dst), Core: int(f.dstCore)}
		if err := m.bulkStream(rng, cs, ss, i, m.cfg.TCP); err != nil {
			return err
		}
	}
	return nil
}

// flowGen generates finite flows: per sending node a Poisson process of
// mean gap 1/rate, each arrival a flow of a size drawn from the
// distribution to a destination the pattern picks (with flow sizes), and
// the queries' responses (query.go). Flows in progress live in one slice,
// reused through a free list, so their state stays compact and their
// events carry an index (no closure per event).
type flowGen struct {
	m       *meter
	rng     *rand.Rand
	sizes   *FlowSizes // nil: no background flows, queries only
	senders []int
	rate    float64        // flows per second per sending node
	perm    []int          // permutation: each node's destination
	next    []int          // all-to-all: each node's next destination, round-robin
	matrix  *matrixSources // matrix: each sender's rate and destinations
	phase   []int          // matrix: the phase of each sender's next arrival

	flows []liveFlow
	free  []int32

	// the background flows (not the queries' responses) started and
	// completed in the run, and of them those started in the measured
	// window [Warmup, measureEnd] (those of them completed by the end are
	// fct's)
	started, completed uint64
	measured           uint64
	measureEnd         sim.Time // Workload.MeasureUntil, or the run's end
	// the stability probe (Result.OfferedMbps, FlowsOpenMidway): bytes
	// of the flows that arrived in the window, the window's midpoint and
	// the background flows open then (-1 until sampled, at the first
	// arrival or close from the midpoint on: no event of its own, so a
	// run's events are what they were)
	offered int64
	mid     sim.Time
	openMid int64
	fct     flowRecords
	// per timeline bin: the background flows started in it, and the
	// completion times (s) of those completed by the run's end
	binStarted []float64
	binFCT     [][]float64
	log        *flowLog  // nil: no flow log (Config.FlowLog)
	q          *queryGen // nil without queries
}

// liveFlow is a flow in progress.
type liveFlow struct {
	c        *tcp.Conn
	t0       sim.Time // connect()
	size     int64
	src, dst int32
	query    int32 // a query's response: its index + 1; 0: a background flow
	class    int16 // a matrix flow's traffic class (Matrix.Classes)
	done     bool  // the server has read it whole; its close is scheduled
	counted  bool  // its FCT is measured (fct): started in the window, done by the end
	logRow   int32 // its row of the flow log, or -1
}

// Event args of a flowGen: arrivals carry the sender's index, closes
// closeArg | the flow's index, query arrivals queryArg.
const (
	closeArg uint64 = 1 << 40
	queryArg uint64 = 1 << 41
)

func newFlowGen(m *meter, rng *rand.Rand) *flowGen {
	w := &m.cfg.Workload
	cl := &m.cfg.Cluster
	g := &flowGen{m: m, rng: rng, sizes: w.FlowSizes, openMid: -1}
	g.mid = m.cfg.Warmup + (m.cfg.Duration-m.cfg.Warmup)/2
	g.measureEnd = m.cfg.Duration
	if u := w.MeasureUntil; u != 0 {
		g.measureEnd = u
	}
	if w.queries() {
		g.q = newQueryGen(m)
	}
	if m.cfg.FlowLog && (w.FlowSizes != nil || g.q != nil) {
		g.log = &flowLog{} // the finite flows' and the queries' responses
	}
	if w.FlowSizes == nil {
		return g
	}
	g.binStarted, g.binFCT = make([]float64, len(m.bins)), make([][]float64, len(m.bins))
	if w.Pattern == PatternMatrix {
		scale := w.MatrixScale
		if scale == 0 {
			scale = 1
		}
		g.matrix = w.Matrix.sources(w.FlowSizes.Mean(), scale)
		g.senders = g.matrix.nodes
		g.phase = make([]int, len(g.senders))
		return g
	}
	g.senders = senders(w.Pattern, cl.Nodes, w.IncastSenders)
	// load is a fraction of the sending node's line rate in flow bytes
	// (as HPCC's traffic_gen.py: rate = bandwidth x load / 8 / mean size)
	g.rate = w.Load * cl.LinkGbps * 1e9 / 8 / w.FlowSizes.Mean()
	switch w.Pattern {
	case PatternPermutation:
		g.perm = derangement(cl.Nodes, rng)
	case PatternAllToAll:
		g.next = make([]int, cl.Nodes)
		for s := range g.next {
			g.next[s] = (s + 1) % cl.Nodes
		}
	}
	return g
}

// start schedules each sender's first arrival and the first query.
func (g *flowGen) start() {
	for i := range g.senders {
		g.arm(uint64(i))
	}
	if g.q != nil {
		g.armQuery()
	}
}

// arm schedules sender i's next arrival, an exponential gap from now
// (with a matrix, at the rate of each phase it crosses), unless it falls
// after the run.
func (g *flowGen) arm(i uint64) {
	if g.matrix == nil {
		g.armPoisson(g.rng, g.rate, i)
		return
	}
	at, phase, ok := g.matrix.next(int(i), g.m.e.Now(), g.m.cfg.Duration, g.rng)
	if ok {
		g.phase[i] = phase
		g.m.e.Schedule(at, g, i)
	}
}

// armPoisson schedules the event arg after an exponential gap of mean
// 1/rate seconds drawn from rng, unless it falls after the run.
func (g *flowGen) armPoisson(rng *rand.Rand, rate float64, arg uint64) {
	g.armPoissonIn(rng, rate, arg, g.m.e.Now(), g.m.cfg.Duration)
}

// armPoissonIn schedules the event arg an exponential gap after from
// (now or later), unless it falls after end.
func (g *flowGen) armPoissonIn(rng *rand.Rand, rate float64, arg uint64, from, end sim.Time) {
	if at, ok := poissonArrival(rng, rate, from, end); ok {
		g.m.e.Schedule(at, g, arg)
	}
}

// poissonArrival draws an exponential gap of mean 1/rate seconds from rng
// and returns from plus it (end at most, where rounding reaches past it),
// or ok false when the gap passes end.
func poissonArrival(rng *rand.Rand, rate float64, from, end sim.Time) (at sim.Time, ok bool) {
	// in seconds first: a tiny rate's gap would overflow the clock
	gap := rng.ExpFloat64() / rate
	if gap > (end - from).Seconds() {
		return 0, false
	}
	return min(from+sim.Time(gap*1e12+0.5), end), true
}

func (g *flowGen) Handle(e *sim.Engine, arg uint64) {
	switch {
	case arg&closeArg != 0:
		g.close(int32(arg &^ closeArg))
	case arg == queryArg:
		g.query()
		g.armQuery()
	default:
		g.open(int(arg))
		g.arm(arg)
	}
}

// dest picks the destination node of a flow from sender i, node src
// (the matrix pattern's in open).
func (g *flowGen) dest(i, src int) int {
	cl := &g.m.cfg.Cluster
	switch g.m.cfg.Workload.Pattern {
	case PatternPairs:
		if g.m.cfg.Placement == datapath.Intra {
			return 0
		}
		return 1
	case PatternPermutation:
		return g.perm[src]
	case PatternIncast:
		return 0
	case PatternAllToAll:
		d := g.next[src]
		n := (d + 1) % cl.Nodes
		if n == src {
			n = (n + 1) % cl.Nodes
		}
		g.next[src] = n
		return d
	}
	return g.m.randomPeer(src, g.rng)
}

// randomPeer is the random pattern's destination from src, drawn from
// rng (workload.rack_local).
func (m *meter) randomPeer(src int, rng *rand.Rand) int {
	cl, local := &m.cfg.Cluster, -1.0
	if f := m.cfg.Workload.RackLocal; f != nil {
		local = *f
	}
	return randomPeer(src, cl.Nodes, cl.Fabric.NodesPerLeaf, local, rng)
}

// open starts a background flow from a random pod of sender i's node to
// a random pod of its destination.
func (g *flowGen) open(i int) {
	src := g.senders[i]
	var dst int
	var class int16
	if g.matrix != nil {
		dst, class = g.matrix.pick(g.phase[i], i, g.rng.Float64())
	} else {
		dst = g.dest(i, src)
	}
	pods := g.m.cfg.Workload.PodsPerNode
	cs := tcp.Side{Node: src, Core: g.m.podCore(g.rng.IntN(pods))}
	ss := tcp.Side{Node: dst, Core: g.m.podCore(g.rng.IntN(pods))}
	id := g.openFlow(g.rng, cs, ss, g.sizes.Sample(g.rng), 0)
	g.flows[id].class = class
}

// openFlow connects cs to ss now and writes size bytes, its paths and
// flow key drawn from rng; query is the response's query index + 1, or
// 0 for a background flow. It returns the flow's index.
func (g *flowGen) openFlow(rng *rand.Rand, cs, ss tcp.Side, size int64, query int32) int32 {
	m := g.m
	now := m.e.Now()
	g.probeMidway(now)
	if now >= m.cfg.Warmup {
		g.offered += size
	}
	fwd, rev := m.paths(rng)
	c, err := tcp.Dial(m.n, cs, ss, fwd, rev, m.cfg.PodMTU, flowKey(rng), m.cfg.TCP)
	if err != nil {
		panic("workload: cluster flow: " + err.Error() + " (paths checked at build)")
	}
	id := takeSlot(&g.flows, &g.free)
	g.flows[id] = liveFlow{c: c, t0: now, size: size, src: int32(cs.Node), dst: int32(ss.Node), query: query, logRow: -1}
	if query == 0 {
		g.started++
		if g.inWindow(now) {
			g.measured++
		}
		if b := int(now / m.cfg.Interval); b < len(g.binStarted) {
			g.binStarted[b]++
		}
	}
	if g.log != nil && now >= m.cfg.Warmup {
		number := int64(-1)
		if query > 0 {
			number = int64(g.q.started) - 1 // query() counts it before opening its responses
		}
		g.flows[id].logRow = g.log.open(int32(cs.Node), int32(ss.Node), size, now, c.Client.Route().Spine(), number)
	}
	c.Client.OnFail = func(sim.Time) { m.failures++ }
	var prev int64
	c.Server.OnRead = func(at sim.Time, total int64) {
		m.addBytes(at, total-prev)
		prev = total
		f := &g.flows[id]
		if total < f.size || f.done {
			return
		}
		f.done = true
		if f.query > 0 {
			g.q.answered(f.query-1, at, g.inWindow, m.cfg.Duration)
			if f.logRow >= 0 && at <= m.cfg.Duration {
				g.log.close(f.logRow, at-f.t0, m.idealFCT(f.size, f.c.Client.Route().Hops()))
			}
		} else {
			g.completed++
			if b := int(f.t0 / m.cfg.Interval); b < len(g.binFCT) && at <= m.cfg.Duration {
				g.binFCT[b] = append(g.binFCT[b], (at - f.t0).Seconds())
			}
			ideal := m.idealFCT(f.size, f.c.Client.Route().Hops())
			if f.logRow >= 0 && at <= m.cfg.Duration {
				g.log.close(f.logRow, at-f.t0, ideal)
			}
			if g.inWindow(f.t0) && at <= m.cfg.Duration {
				f.counted = true
				g.fct.add(f.size, at-f.t0, ideal)
				if s := g.matrix; s != nil && len(s.starts) > 1 {
					g.fct.phase = append(g.fct.phase, int32(s.phaseAt(f.t0)))
				}
				if g.matrix != nil && len(m.cfg.Workload.Matrix.Classes) > 0 {
					g.fct.class = append(g.fct.class, f.class)
				}
			}
		}
		// an event of its own: the read returns into the endpoint first
		m.e.Schedule(max(at, m.e.Now()), g, closeArg|uint64(id))
	}
	c.Client.Write(now, size)
	c.Connect(now)
	return id
}

// takeSlot returns the index of a free slot of items, reusing one from
// free (the indices of slots given back) before growing items.
func takeSlot[T any](items *[]T, free *[]int32) int32 {
	if k := len(*free); k > 0 {
		id := (*free)[k-1]
		*free = (*free)[:k-1]
		return id
	}
	var zero T
	*items = append(*items, zero)
	return int32(len(*items) - 1)
}

// close ends a completed flow and frees its slot.
func (g *flowGen) close(id int32) {
	g.probeMidway(g.m.e.Now())
	f := &g.flows[id]
	if f.logRow >= 0 {
		g.log.count(f.logRow, f.c)
	}
	g.m.closeConn(f.c, g.m.e.Now())
	*f = liveFlow{}
	g.free = append(g.free, id)
}

// live calls fn for each flow in progress.
func (g *flowGen) live(fn func(c *tcp.Conn)) {
	for i := range g.flows {
		if g.flows[i].c != nil {
			fn(g.flows[i].c)
		}
	}
}

// probeMidway records the background flows open, once, at the first
// arrival or close from the window's midpoint on.
func (g *flowGen) probeMidway(now sim.Time) {
	if g.openMid < 0 && now >= g.mid {
		g.openMid = int64(g.unfinished())
	}
}

// unfinished counts the flows whose last byte was not read by the end.
func (g *flowGen) unfinished() uint64 { return g.started - g.completed }

// binMedians returns each timeline bin's median FCT (µs) of the
// background flows started in it, or -1 where no flow started or where
// it is not known: a flow still open at the run's end takes longer than
// its age then, which is at least the time from the bin's end to the
// run's, so the median (nearest rank, ceil(n/2) of the n started) is
// known when that many completed and the one at that rank is within the
// bound. The median of the completed flows alone would read low in the
// last bins, where only the short flows started have finished.
func (g *flowGen) binMedians() []float64 {
	end, iv := g.m.cfg.Duration, g.m.cfg.Interval
	out := make([]float64, len(g.binStarted))
	for b := range out {
		out[b] = -1
		n, done := int(g.binStarted[b]), g.binFCT[b]
		k := (n + 1) / 2
		if n == 0 || len(done) < k {
			continue
		}
		slices.Sort(done)
		openAge := (end - min(sim.Time(b+1)*iv, end)).Seconds() // a lower bound of an open flow's FCT
		if v := done[k-1]; len(done) == n || v <= openAge {
			out[b] = v * 1e6
		}
	}
	return out
}

// p99Floor is the least the measured flows' 99th percentile FCT (s) can
// be: their nearest-rank p99 with each flow still open at the run's end
// counted at its age then (its FCT is longer). With none open it is the
// p99 of the FCTs measured; with more than 1% open it is at least the
// tail the run gave them.
func (g *flowGen) p99Floor() float64 {
	xs := slices.Clone(g.fct.fct)
	end := g.m.cfg.Duration
	g.eachOpen(func(f *liveFlow) { xs = append(xs, (end - f.t0).Seconds()) })
	if len(xs) == 0 {
		return 0
	}
	return summarise(xs).P99
}

// inWindow reports whether a flow or query started at t0 is measured:
// from the warm-up until Workload.MeasureUntil (the run's end without).
func (g *flowGen) inWindow(t0 sim.Time) bool { return t0 >= g.m.cfg.Warmup && t0 <= g.measureEnd }

// idealFCT is a flow's completion time on an idle network with free CPUs
// and no window limit: the handshake's round trip, then the flow's wire
// bytes serialised once at the link rate and one propagation delay:
// 1.5 x base RTT + wire bytes x 8 / link rate + one full frame's
// store-and-forward and the switch latency at each switch crossed, with
// base RTT = 2 x (links x link_delay + switches x fabric.per_hop): on the
// crossbar (one link) 3 x link_delay + wire bytes / rate. Wire bytes count
// every packet's TCP/IP headers (52), encapsulation and frame overhead;
// every link is taken at cluster.link_gbps (a slower uplink makes the
// ideal optimistic).
func (m *meter) idealFCT(size int64, links int) sim.Time {
	cl := &m.cfg.Cluster
	links = max(links, 1)
	switches := sim.Time(links - 1)
	mss := int64(m.cfg.PodMTU - datapath.TCPIPOverhead)
	pkts := (size + mss - 1) / mss
	perPkt := int64(datapath.TCPIPOverhead + m.cfg.Forward.EncapBytes + cl.FrameOverhead)
	wire := float64(size + pkts*perPkt)
	ser := wire * 8000 / cl.LinkGbps // picoseconds
	frame := float64(int64(m.cfg.PodMTU)+int64(m.cfg.Forward.EncapBytes)+int64(cl.FrameOverhead)) * 8000 / cl.LinkGbps
	base := 2 * (sim.Time(links)*cl.LinkDelay + switches*cl.Fabric.PerHop)
	return base*3/2 + sim.Time(ser+float64(switches)*frame+0.5)
}

// clusterResult adds the cluster traffic's measurements: closed flows'
// counters, and for finite flows the FCT and slowdown of the flows that
// started in the window and completed by its end, overall and per size
// bucket. A two-pod pairs run's CPP stays the receiving node's; with a
// cluster pattern no node is "the" receiver, so CPP and cycles per byte
// are not reported (cpu_cores_used is the busiest node's).
func (m *meter) clusterResult(r *Result) {
	r.Applies = append(r.Applies, "cpu_cores_used_busiest")
	if m.cfg.Workload.Pattern != PatternPairs {
		// nor cycles per byte: each node's cycles over all nodes' bytes
		r.Applies = slices.DeleteFunc(r.Applies, func(a string) bool {
			return a == "cpp_total" || a == "cpp_by_stage" || a == "cycles_per_byte"
		})
	}
	g := m.gen
	if g == nil {
		return
	}
	if q := g.q; q != nil {
		r.Applies = append(r.Applies, "query_completion_us", "queries_completed", "queries_unfinished", "queries_censored")
		r.QueriesCompleted, r.QueriesUnfinished = q.completed, q.started-q.completed
		r.QueriesCensored = q.measured - uint64(len(q.qct))
		r.QCTus = make([]float64, len(q.qct))
		for i, s := range q.qct {
			r.QCTus[i] = s * 1e6
		}
	}
	if g.log != nil {
		for i := range g.flows {
			if f := &g.flows[i]; f.c != nil && f.logRow >= 0 {
				g.log.count(f.logRow, f.c)
			}
		}
		r.FlowLog = g.log.columns()
	}
	if g.sizes == nil && m.cfg.Workload.Pattern != PatternNone {
		return // queries beside long-lived flows: theirs are the RTT and connect times, and no FCTs
	}
	r.Applies = slices.DeleteFunc(r.Applies, func(a string) bool { return a == "rtt_us" || a == "connect_s" })
	if g.sizes == nil {
		return // queries alone
	}
	r.Applies = append(r.Applies, "fct_us", "fct_slowdown", "fct_us_by_size", "fct_slowdown_by_size", "flows_completed", "flows_unfinished", "flows_measured", "flows_censored", "fct_us_p99_floor")
	r.FlowsStarted, r.FlowsCompleted, r.FlowsUnfinished = g.started, g.completed, g.unfinished()
	r.FlowsMeasured, r.FlowsCensored = g.measured, g.measured-uint64(len(g.fct.fct))
	r.FCTp99Floor = g.p99Floor() * 1e6
	r.Applies = append(r.Applies, "offered_mbps", "flows_open_midway")
	r.OfferedMbps = float64(g.offered) * 8 / (m.cfg.Duration - m.cfg.Warmup).Seconds() / 1e6
	r.FlowsOpenMidway = g.openMid
	r.FCTus = make([]float64, len(g.fct.fct))
	for i, s := range g.fct.fct {
		r.FCTus[i] = s * 1e6
	}
	r.FCTSlowdown = g.fct.slowdown
	r.FCTByBucket = g.fct.byBucket(r.FCTus)
	r.SlowdownByBucket = g.fct.byBucket(r.FCTSlowdown)
	if g.matrix != nil {
		g.matrixGroups(r)
	}
	g.countOpen(r)
}

// matrixGroups adds a traffic matrix's FCT groups: per phase of its
// windows, and per class of its lines (and per class within each phase).
func (g *flowGen) matrixGroups(r *Result) {
	phases, classes := g.matrix.phaseNames(), g.m.cfg.Workload.Matrix.Classes
	if len(phases) > 1 {
		r.Applies = append(r.Applies, "fct_us_by_phase")
		r.FCTByPhase, r.Phases = g.fct.byPhase(r.FCTus, len(phases)), phases
		if C := len(classes); C > 0 { // and each class within each phase: "100ms-160ms_app"
			r.FCTByPhase = append(r.FCTByPhase, splitSummarise(r.FCTus, len(phases)*C, func(i int) int { return int(g.fct.phase[i])*C + int(g.fct.class[i]) })...)
			for _, p := range phases {
				for _, c := range classes {
					r.Phases = append(r.Phases, p+"_"+c)
				}
			}
		}
	}
	if len(classes) > 0 {
		r.Applies = append(r.Applies, "fct_us_by_class")
		r.FCTByClass, r.Classes = g.fct.byClass(r.FCTus, len(classes)), classes
	}
}

// countOpen adds to each FCT group's parts (size bucket, phase, class)
// the measured flows of it still open at the run's end (FlowStats.Open):
// those its quantiles leave out.
func (g *flowGen) countOpen(r *Result) {
	C := len(r.FCTByClass)
	var phases int
	if s := g.matrix; s != nil && len(r.FCTByPhase) > 0 {
		phases = len(s.phaseNames())
	}
	g.eachOpen(func(f *liveFlow) {
		r.FCTByBucket[sizeBucket(f.size)].Open++
		if phases > 0 {
			p := g.matrix.phaseAt(f.t0)
			r.FCTByPhase[p].Open++
			if C > 0 {
				r.FCTByPhase[phases+p*C+int(f.class)].Open++
			}
		}
		if C > 0 {
			r.FCTByClass[f.class].Open++
		}
	})
}

// eachOpen calls fn for each measured background flow still open at the
// run's end (started in the window, not counted in the FCTs).
func (g *flowGen) eachOpen(fn func(f *liveFlow)) {
	for i := range g.flows {
		if f := &g.flows[i]; f.c != nil && f.query == 0 && !f.counted && g.inWindow(f.t0) {
			fn(f)
		}
	}
}
