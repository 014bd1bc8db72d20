package workload

import (
	"math/rand/v2"

	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/sim"
)

// Partition-aggregate queries (workload.query_rate): the query traffic of
// the DCTCP paper's benchmark (Alizadeh et al., SIGCOMM 2010, section 4.3)
// beside the background flows. Queries arrive as a Poisson process over
// the cluster; each picks an aggregator pod on a random node and
// QueryFanIn distinct other nodes as its workers, and every worker
// answers at the query's arrival, all at once, with QueryBytes from a
// random pod of its node to the aggregator's pod: a synchronised incast
// into the aggregator's link. A response is a new TCP connection, closed
// once read whole, like a background flow (the request's leg to the
// workers is not modelled: the responses start when the query arrives).
// The query completes when the aggregator has read its last response:
// query completion time (QCT) is that time minus the arrival.
//
// Queries draw from their own random stream ("queries"), so adding them
// leaves the background flows' arrivals, sizes and endpoints as they were.

// QueryFanIn is the responses per query: workload.query_fanin, or with
// 0 every node but the aggregator (at least 1).
func QueryFanIn(fanIn, nodes int) int {
	if fanIn > 0 {
		return fanIn
	}
	return max(nodes-1, 1)
}

// queryGen is the queries' state within a flowGen.
type queryGen struct {
	rng   *rand.Rand
	rate  float64 // queries per second over the cluster
	fanIn int
	bytes int64
	// nodes is a permutation of the node indices and pos its inverse:
	// each query samples its workers by a partial Fisher-Yates shuffle
	// of nodes, after moving the aggregator out of the sampled range.
	nodes []int32
	pos   []int32
	live  []liveQuery
	free  []int32

	started, completed uint64
	measured           uint64    // queries started in the measured window (flowGen.inWindow)
	qct                []float64 // seconds: the measured queries completed by the end
}

// liveQuery is a query whose responses are not all read.
type liveQuery struct {
	t0      sim.Time
	pending int32 // responses not yet read whole
}

func newQueryGen(m *meter) *queryGen {
	w, nodes := &m.cfg.Workload, m.cfg.Cluster.Nodes
	q := &queryGen{
		rng:   sim.Streams{Seed: m.cfg.Seed, Replication: m.cfg.Replication}.Stream("queries"),
		rate:  w.QueryRate,
		fanIn: QueryFanIn(w.QueryFanIn, nodes),
		bytes: w.QueryBytes,
		nodes: make([]int32, nodes),
		pos:   make([]int32, nodes),
	}
	for i := range q.nodes {
		q.nodes[i], q.pos[i] = int32(i), int32(i)
	}
	return q
}

// armQuery schedules the next query, an exponential gap from now or the
// queries' window's start, unless it falls after the window or the run.
func (g *flowGen) armQuery() {
	w := &g.m.cfg.Workload
	end := g.m.cfg.Duration
	if w.QueryUntil != 0 {
		end = min(end, w.QueryUntil)
	}
	if from := max(g.m.e.Now(), w.QueryFrom); from < end {
		g.armPoissonIn(g.q.rng, g.q.rate, queryArg, from, end)
	}
}

// query starts a query now: its workers' responses to a random
// aggregator pod.
func (g *flowGen) query() {
	q, m := g.q, g.m
	pods := m.cfg.Workload.PodsPerNode
	agg := q.rng.IntN(len(q.nodes))
	ss := tcp.Side{Node: agg, Core: m.podCore(q.rng.IntN(pods))}
	workers := q.workers(agg)
	id := takeSlot(&q.live, &q.free)
	q.live[id] = liveQuery{t0: m.e.Now(), pending: int32(q.fanIn)}
	q.started++
	if g.inWindow(m.e.Now()) {
		q.measured++
	}
	for _, w := range workers {
		cs := tcp.Side{Node: int(w), Core: m.podCore(q.rng.IntN(pods))}
		g.openFlow(q.rng, cs, ss, q.bytes, id+1)
	}
}

// workers draws a query's fanIn distinct worker nodes, uniformly among
// the nodes other than agg: a partial Fisher-Yates shuffle of nodes
// after moving agg to the end, out of the sampled range. The slice is
// nodes' own prefix, valid until the next call.
func (q *queryGen) workers(agg int) []int32 {
	n := len(q.nodes)
	q.swap(int(q.pos[agg]), n-1)
	for i := range q.fanIn {
		q.swap(i, i+q.rng.IntN(n-1-i))
	}
	return q.nodes[:q.fanIn]
}

// swap exchanges nodes[i] and nodes[j], keeping pos their inverse.
func (q *queryGen) swap(i, j int) {
	a, b := q.nodes[i], q.nodes[j]
	q.nodes[i], q.nodes[j] = b, a
	q.pos[a], q.pos[b] = int32(j), int32(i)
}

// answered records that one of query id's responses was read whole at
// at; the query's completion time is measured if it started in the
// window (flowGen.inWindow) and completed by end.
func (q *queryGen) answered(id int32, at sim.Time, inWindow func(t0 sim.Time) bool, end sim.Time) {
	lq := &q.live[id]
	if lq.pending--; lq.pending > 0 {
		return
	}
	q.completed++
	if inWindow(lq.t0) && at <= end {
		q.qct = append(q.qct, (at - lq.t0).Seconds())
	}
	q.free = append(q.free, id)
}
