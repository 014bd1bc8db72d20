package workload

import (
	"math"
	"slices"

	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/sim"
)

// SizeBuckets name the flow-size buckets of the per-size FCT metrics, in
// decimal units as the flow-size CDFs are (KB = 1000 bytes): the split
// pFabric and HPCC report (short flows, the bulk of the bytes, elephants).
var SizeBuckets = []string{"0-100KB", "100KB-1MB", "1MB-10MB", "10MB-"}

// sizeBucket returns the index in SizeBuckets of a flow of size bytes.
func sizeBucket(size int64) uint8 {
	switch {
	case size < 100_000:
		return 0
	case size < 1_000_000:
		return 1
	case size < 10_000_000:
		return 2
	}
	return 3
}

// flowRecords are the completed flows of the measured window: 17 bytes a
// flow.
type flowRecords struct {
	fct      []float64 // seconds
	slowdown []float64 // fct / ideal fct
	bucket   []uint8
	phase    []int32 // with a traffic matrix's phases: the one the flow started in
	class    []int16 // with a traffic matrix's classes: the flow's
}

func (r *flowRecords) add(size int64, fct, ideal sim.Time) {
	r.fct = append(r.fct, fct.Seconds())
	r.slowdown = append(r.slowdown, float64(fct)/float64(ideal))
	r.bucket = append(r.bucket, sizeBucket(size))
}

// FlowLogColumns are the columns of Result.FlowLog: the flow's sending
// and receiving nodes, its size in bytes, its start (connect()) in
// seconds, its completion time in µs and slowdown (-1: unfinished at
// the run's end), the spine its data crossed when it started and at its
// close or the run's end (-1: no leaf-spine, or both pods under one leaf;
// they differ when a failure, a repair or their convergence hashed it
// again), and the segments its two endpoints retransmitted and their
// retransmission timeouts, by its close or the run's end; then the SYNs
// its client sent again (the first after Linux's 1 s initial timeout,
// then doubling; a lost SYN-ACK too makes the client send its SYN again)
// and its connect time, connect() to the client's ESTABLISHED in µs (-1:
// not established by the run's end): a lost handshake shows as a flow
// whose FCT is over a second, or that is open at the end; then, for a
// query's response (workload.query_*), the query's number in the run
// (from 0; -1: a flow of the traffic pattern), so that a query's rows
// are its responses and its QCT their largest FCT, and the tail loss
// probes its two endpoints sent.
var FlowLogColumns = []string{"src_node", "dst_node", "bytes", "start_s", "fct_us", "slowdown", "spine", "spine_end", "retransmissions", "timeouts",
	"syn_retransmissions", "connect_us", "query", "loss_probes"}

// flowLog is Result.FlowLog being written: one row per flow started in
// the window.
type flowLog struct {
	src, dst, bytes, start, fct, slowdown, spine, spineEnd, retrans, rtos []float64
	synRetrans, connect, query, tlps                                      []float64
}

// open records a flow starting, unfinished (query: the query's number
// for a response, else -1); it returns its row.
func (l *flowLog) open(src, dst int32, size int64, t0 sim.Time, spine int, query int64) int32 {
	l.src = append(l.src, float64(src))
	l.dst = append(l.dst, float64(dst))
	l.bytes = append(l.bytes, float64(size))
	l.start = append(l.start, t0.Seconds())
	l.fct = append(l.fct, -1)
	l.slowdown = append(l.slowdown, -1)
	l.spine = append(l.spine, float64(spine))
	l.spineEnd = append(l.spineEnd, float64(spine))
	l.retrans = append(l.retrans, 0)
	l.rtos = append(l.rtos, 0)
	l.synRetrans = append(l.synRetrans, 0)
	l.connect = append(l.connect, -1)
	l.query = append(l.query, float64(query))
	l.tlps = append(l.tlps, 0)
	return int32(len(l.src) - 1)
}

// count records row i's spine, retransmissions and timeouts so far, its
// two endpoints' (at its close, and for flows still open at the run's
// end).
func (l *flowLog) count(i int32, c *tcp.Conn) {
	l.spineEnd[i] = float64(c.Client.Route().Spine())
	l.retrans[i] = float64(c.Client.Stats.Retrans + c.Server.Stats.Retrans)
	l.rtos[i] = float64(c.Client.Stats.RTOs + c.Server.Stats.RTOs)
	l.synRetrans[i] = float64(c.Client.Stats.SynRetrans)
	l.tlps[i] = float64(c.Client.Stats.TLPs + c.Server.Stats.TLPs)
	if est := c.Client.EstablishedAt; est >= 0 {
		l.connect[i] = (est.Seconds() - l.start[i]) * 1e6
	}
}

// close records row i's completion.
func (l *flowLog) close(i int32, fct, ideal sim.Time) {
	l.fct[i] = fct.Seconds() * 1e6
	l.slowdown[i] = float64(fct) / float64(ideal)
}

// columns returns the log by FlowLogColumns' names.
func (l *flowLog) columns() map[string][]float64 {
	cols := [][]float64{l.src, l.dst, l.bytes, l.start, l.fct, l.slowdown, l.spine, l.spineEnd, l.retrans, l.rtos, l.synRetrans, l.connect, l.query, l.tlps}
	out := make(map[string][]float64, len(cols))
	for i, name := range FlowLogColumns {
		out[name] = cols[i]
	}
	return out
}

// FlowStats summarise one set of flows: count, mean, p50, p99.
type FlowStats struct {
	N              int
	Mean, P50, P99 float64
	// Open counts the set's measured flows still open at the run's end,
	// left out of N and the quantiles (FCT groups only; 0 in slowdown's)
	Open int
}

// summarise returns the mean and the nearest-rank p50 and p99 of xs.
func summarise(xs []float64) FlowStats {
	if len(xs) == 0 {
		return FlowStats{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	var sum float64
	for _, x := range s {
		sum += x
	}
	q := func(p float64) float64 { return s[max(0, int(math.Ceil(p*float64(len(s))))-1)] }
	return FlowStats{N: len(s), Mean: sum / float64(len(s)), P50: q(0.5), P99: q(0.99)}
}

// byPhase splits xs by the phases of the traffic matrix the flows
// started in and summarises each of the n.
func (r *flowRecords) byPhase(xs []float64, n int) []FlowStats {
	return splitSummarise(xs, n, func(i int) int { return int(r.phase[i]) })
}

// byClass splits xs by the flows' traffic classes and summarises each of
// the n.
func (r *flowRecords) byClass(xs []float64, n int) []FlowStats {
	return splitSummarise(xs, n, func(i int) int { return int(r.class[i]) })
}

// splitSummarise summarises xs in n parts, x i in part of(i).
func splitSummarise(xs []float64, n int, of func(i int) int) []FlowStats {
	parts := make([][]float64, n)
	for i, x := range xs {
		parts[of(i)] = append(parts[of(i)], x)
	}
	out := make([]FlowStats, n)
	for k := range parts {
		out[k] = summarise(parts[k])
	}
	return out
}

// byBucket splits xs by the flows' size buckets and summarises each.
func (r *flowRecords) byBucket(xs []float64) []FlowStats {
	return splitSummarise(xs, len(SizeBuckets), func(i int) int { return int(r.bucket[i]) })
}
