package workload

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// queryConfig is queries alone (pattern none) on a single switch of nodes
// nodes at 10 Gbit/s with link delay D and the given shared buffer.
func queryConfig(t testing.TB, nodes int, rate float64, fanIn int, bytes int64, buffer int64, d sim.Time) Config {
	cfg := flowConfig(t, PatternNone, nodes, nil, 0, d)
	cfg.Cluster.Fabric = network.Fabric{Kind: network.FabricSwitch, BufferBytes: buffer}
	cfg.Workload.QueryRate, cfg.Workload.QueryFanIn, cfg.Workload.QueryBytes = rate, fanIn, bytes
	return cfg
}

// A query's workers are fanIn distinct nodes other than the aggregator,
// every set equally likely: over 6000 queries on 5 nodes with fan-in 2
// and aggregator 0, each of the C(4,2) = 6 sets appears 1/6 of the time
// (chi-square, 5 dof, 0.1% critical value 20.5).
func TestQueryWorkers(t *testing.T) {
	q := &queryGen{rng: rand.New(rand.NewPCG(5, 6)), fanIn: 2, nodes: make([]int32, 5), pos: make([]int32, 5)}
	for i := range q.nodes {
		q.nodes[i], q.pos[i] = int32(i), int32(i)
	}
	counts := map[string]int{}
	const draws = 6000
	for k := range draws {
		agg := 0
		if k%2 == 1 { // other aggregators between, to scramble the permutation
			agg = q.rng.IntN(5)
		}
		ws := slices.Clone(q.workers(agg))
		for i, p := range q.pos {
			if q.nodes[p] != int32(i) {
				t.Fatalf("pos is not nodes' inverse: %v %v", q.nodes, q.pos)
			}
		}
		if len(ws) != 2 || ws[0] == ws[1] || int(ws[0]) == agg || int(ws[1]) == agg {
			t.Fatalf("aggregator %d: workers %v", agg, ws)
		}
		if agg == 0 {
			slices.Sort(ws)
			counts[fmt.Sprint(ws)]++
		}
	}
	if len(counts) != 6 {
		t.Fatalf("%d distinct worker sets, want 6: %v", len(counts), counts)
	}
	var chi float64
	var n int
	for _, c := range counts {
		n += c
	}
	e := float64(n) / 6
	for _, c := range counts {
		chi += (float64(c) - e) * (float64(c) - e) / e
	}
	if chi > 20.5 {
		t.Errorf("chi-square %.1f > 20.5: not uniform (%v)", chi, counts)
	}
}

// Queries arrive as a Poisson process at query_rate over the cluster:
// the count per run within 4 standard deviations of rate x duration, the
// pooled count within 3; every query is completed or unfinished.
func TestQueryPoissonRate(t *testing.T) {
	const rate = 2000.0
	d := 100 * sim.Millisecond
	mean := rate * d.Seconds()
	var total float64
	const seeds = 5
	for seed := uint64(1); seed <= seeds; seed++ {
		cfg := queryConfig(t, 6, rate, 2, 1000, 10_000_000, d)
		cfg.Seed = seed
		r, err := Run(cfg)
		if err != nil {
			t.Fatal(err)
		}
		k := float64(r.QueriesCompleted + r.QueriesUnfinished)
		total += k
		if math.Abs(k-mean) > 4*math.Sqrt(mean) {
			t.Errorf("seed %d: %g queries, want %g ± %.0f", seed, k, mean, 4*math.Sqrt(mean))
		}
		if len(r.QCTus) != int(r.QueriesCompleted) || r.QueriesUnfinished > 5 {
			t.Errorf("seed %d: %d recorded, %d completed, %d unfinished", seed, len(r.QCTus), r.QueriesCompleted, r.QueriesUnfinished)
		}
		if slices.Contains(r.Applies, "rtt_us") || slices.Contains(r.Applies, "fct_us") || !slices.Contains(r.Applies, "query_completion_us") {
			t.Errorf("seed %d: queries alone report %v", seed, r.Applies)
		}
		if r.FlowsStarted != 0 || len(r.FCTus) != 0 {
			t.Errorf("seed %d: responses counted as background flows (%d, %d FCTs)", seed, r.FlowsStarted, len(r.FCTus))
		}
	}
	if m := mean * seeds; math.Abs(total-m) > 3*math.Sqrt(m) {
		t.Errorf("pooled: %g queries, want %g ± %.0f", total, m, 3*math.Sqrt(m))
	}
}

// A window (QueryFrom, QueryUntil) keeps the queries inside it: a run
// ending at the window's start has none, and a window of 10 ms in a run of
// 30 or 100 ms has the window's Poisson count, not the run's (4 standard
// deviations); without one the draws are the whole run's, as before.
func TestQueryWindow(t *testing.T) {
	const rate = 20_000.0
	ms := sim.Millisecond
	count := func(d, from, until sim.Time) float64 {
		cfg := queryConfig(t, 6, rate, 2, 1000, 10_000_000, d)
		cfg.Workload.QueryFrom, cfg.Workload.QueryUntil = from, until
		r, err := Run(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return float64(r.QueriesCompleted + r.QueriesUnfinished)
	}
	if k := count(10*ms, 10*ms, 0); k != 0 {
		t.Errorf("%g queries in a run ending as the window starts", k)
	}
	for _, w := range []struct{ d, from, until sim.Time }{{30 * ms, 10 * ms, 20 * ms}, {100 * ms, 0, 10 * ms}, {30 * ms, 20 * ms, 0}} {
		end := w.until
		if end == 0 {
			end = w.d
		}
		want := rate * (end - w.from).Seconds()
		if k := count(w.d, w.from, w.until); math.Abs(k-want) > 4*math.Sqrt(want) {
			t.Errorf("window %v-%v of %v: %g queries, want %.0f ± %.0f", w.from, w.until, w.d, k, want, 4*math.Sqrt(want))
		}
	}
	if a, b := count(20*ms, 0, 0), count(20*ms, 0, 20*ms); a != b {
		t.Errorf("a window of the whole run: %g queries, without one %g", b, a)
	}
}

// The incast a query makes: on an idle switch whose buffer holds every
// worker's first window, nothing is lost and the query completes within a
// few round trips of the aggregator's link carrying all the responses
// (bounded below by the handshake's round trip, one one-way delay and the
// responses' wire time, above by that plus three round trips); when the
// buffer holds less than the workers' first windows (fan-in x 10 initial
// segments), the burst drops packets, some response waits for the 200 ms
// minimum RTO, and the query with it: the incast collapse; with a 5 ms
// minimum RTO the timeouts cost 5 ms.
func TestQueryIncast(t *testing.T) {
	const fanIn, bytes = 8, 20_000
	D := 5 * sim.Microsecond // network.DefaultConfig's link delay
	rtt := 4 * D             // two links each way through the switch
	mss := int64(1448)
	pkts := (bytes + mss - 1) / mss
	wire := float64(fanIn) * float64(bytes+pkts*(52+38)) * 8000 / 10 // ps on the aggregator's link
	lo := sim.Time(float64(rtt) + float64(2*D) + wire)
	hi := lo + 3*rtt
	firstWindows := int64(fanIn * 10 * (1500 + 38))

	deep := queryConfig(t, fanIn+1, 100, fanIn, bytes, 4*firstWindows, 200*sim.Millisecond)
	r, err := Run(deep)
	if err != nil {
		t.Fatal(err)
	}
	if r.Drops != 0 || r.Retransmissions != 0 || len(r.QCTus) < 10 {
		t.Fatalf("deep buffer: %d drops, %d retransmissions, %d queries", r.Drops, r.Retransmissions, len(r.QCTus))
	}
	for _, q := range r.QCTus {
		if got := sim.Time(q * 1e6); got < lo || got > hi {
			t.Errorf("deep buffer: QCT %.1f us outside [%.1f, %.1f]", q, lo.Seconds()*1e6, hi.Seconds()*1e6)
			break
		}
	}
	idle := slices.Max(r.QCTus)

	shallow := queryConfig(t, fanIn+1, 100, fanIn, bytes, firstWindows/2, 500*sim.Millisecond)
	r, err = Run(shallow)
	if err != nil {
		t.Fatal(err)
	}
	if r.Drops == 0 || r.RTOs == 0 || len(r.QCTus) < 10 {
		t.Fatalf("shallow buffer: %d drops, %d RTOs, %d queries", r.Drops, r.RTOs, len(r.QCTus))
	}
	st := summarise(r.QCTus)
	t.Logf("fan-in %d x %d B: idle QCT up to %.0f us; with half the first windows' buffer: p50 %.0f us, p99 %.0f us, %d drops, %d RTOs",
		fanIn, bytes, idle, st.P50, st.P99, r.Drops, r.RTOs)
	if st.P99 < 200_000 || st.P50 <= idle {
		t.Errorf("shallow buffer: QCT p50 %.0f us, p99 %.0f us: want slower than idle (%.0f) and a p99 past the 200 ms RTO", st.P50, st.P99, idle)
	}

	// the classic remedy (Vasudevan et al., SIGCOMM 2009): a 5 ms minimum
	// RTO, and the timeouts cost 5 ms instead of 200
	shallow.TCP.MinRTO = 5 * sim.Millisecond
	r, err = Run(shallow)
	if err != nil {
		t.Fatal(err)
	}
	fast := summarise(r.QCTus)
	t.Logf("with a 5 ms minimum RTO: p50 %.0f us, p99 %.0f us, %d RTOs", fast.P50, fast.P99, r.RTOs)
	if r.RTOs == 0 || fast.P99 < 5_000 || fast.P99 > 20_000 {
		t.Errorf("min RTO 5 ms: QCT p99 %.0f us with %d RTOs: want timeouts of 5 ms, not 200", fast.P99, r.RTOs)
	}
}

// Queries draw from their own random stream: with them, the background
// flows arrive at the same times with the same sizes and endpoints (the
// flows started are the same), and the run is deterministic.
func TestQueriesLeaveBackgroundDraws(t *testing.T) {
	web, _ := LoadFlowSizes(FlowSizesWebSearch)
	base := flowConfig(t, PatternRandom, 6, web, 0.3, 50*sim.Millisecond)
	without, err := Run(base)
	if err != nil {
		t.Fatal(err)
	}
	with := base
	with.Workload.QueryRate, with.Workload.QueryFanIn, with.Workload.QueryBytes = 500, 0, 2000
	a, err := Run(with)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Run(with)
	if !reflect.DeepEqual(a, b) {
		t.Error("two runs with queries differ")
	}
	if a.FlowsStarted != without.FlowsStarted || a.QueriesCompleted == 0 {
		t.Errorf("background flows started %d with queries, %d without; %d queries completed", a.FlowsStarted, without.FlowsStarted, a.QueriesCompleted)
	}
	if a.FlowsStarted != a.FlowsCompleted+a.FlowsUnfinished {
		t.Errorf("started %d != completed %d + unfinished %d", a.FlowsStarted, a.FlowsCompleted, a.FlowsUnfinished)
	}
}

// Bad query keys are refused with the field named.
func TestQueryValidation(t *testing.T) {
	for _, tc := range []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.Workload.QueryRate = -1 }, "QueryRate"},
		{func(c *Config) { c.Workload.QueryFanIn = 6 }, "QueryFanIn"},
		{func(c *Config) { c.Workload.QueryBytes = 0 }, "QueryBytes"},
		{func(c *Config) { c.Workload.QueryRate = 0 }, "none runs only queries"},
		{func(c *Config) { c.Workload.Kind = TCPRR }, "QueryRate"},
		{func(c *Config) { c.Workload.QueryFrom = -1 }, "QueryFrom"},
		{func(c *Config) { c.Workload.QueryFrom, c.Workload.QueryUntil = 5*sim.Millisecond, 5*sim.Millisecond }, "QueryUntil"},
	} {
		cfg := queryConfig(t, 6, 100, 2, 1000, 1_000_000, 10*sim.Millisecond)
		tc.edit(&cfg)
		err := cfg.Check()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want an error naming %s", err, tc.want)
		}
	}
}

// The queue a synchronised incast builds, bounded in closed form: the N
// first windows of 10 frames arrive N times faster than the aggregator's
// port drains them, so it peaks at no less than (N - 1) x 10 frames, and
// at no more than every frame of the N responses (with short links the
// second round's frames join before the first windows have drained).
func TestQueryIncastQueueBounds(t *testing.T) {
	const fanIn, bytes, frame = 8, 20_000, 1500 + 38
	lo := int64((fanIn - 1) * 10 * frame)
	hi := int64(fanIn * ((bytes + 1447) / 1448) * frame)
	for _, d := range []sim.Time{5 * sim.Microsecond, 50 * sim.Microsecond} {
		cfg := queryConfig(t, fanIn+1, 4, fanIn, bytes, 10_000_000, 500*sim.Millisecond)
		cfg.Cluster.LinkDelay = d
		r, err := Run(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var peak int64
		for _, p := range r.Packets.Ports {
			peak = max(peak, p.MaxQueueBytes)
		}
		t.Logf("link delay %v: %d queries, deepest queue %d bytes (%.1f frames), bounds [%d, %d]", d, r.QueriesCompleted, peak, float64(peak)/frame, lo, hi)
		if r.QueriesCompleted == 0 || r.Drops != 0 || peak < lo || peak > hi {
			t.Errorf("link delay %v: deepest queue %d bytes over %d queries (%d drops), want within [%d, %d]", d, peak, r.QueriesCompleted, r.Drops, lo, hi)
		}
	}
}

// The measured queries: without a warm-up or a window every query is
// measured, so those left out of the QCTs are exactly the unfinished
// ones; with a window ending halfway, its queries (a Poisson count at the
// rate over it) are the QCTs and the censored, a subset of the
// unfinished, and no more of them are open at the end than without it.
func TestQueriesCensored(t *testing.T) {
	const rate = 20_000.0
	run := func(until sim.Time) Result {
		cfg := queryConfig(t, 6, rate, 3, 100_000, 200_000, 30*sim.Millisecond)
		cfg.Workload.MeasureUntil = until
		r, err := Run(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	all := run(0)
	if all.QueriesCensored != all.QueriesUnfinished || all.QueriesCensored == 0 || uint64(len(all.QCTus))+all.QueriesCensored != all.QueriesCompleted+all.QueriesUnfinished {
		t.Errorf("no window: %d QCTs, %d censored; %d completed, %d unfinished", len(all.QCTus), all.QueriesCensored, all.QueriesCompleted, all.QueriesUnfinished)
	}
	half := run(15 * sim.Millisecond)
	measured := float64(uint64(len(half.QCTus)) + half.QueriesCensored)
	if want := rate * 0.015; math.Abs(measured-want) > 4*math.Sqrt(want) || half.QueriesCensored > half.QueriesUnfinished || half.QueriesCensored > all.QueriesCensored {
		t.Errorf("window to 15 ms: %g measured (want %.0f ± %.0f), %d censored of %d unfinished (%d without the window)",
			measured, want, 4*math.Sqrt(want), half.QueriesCensored, half.QueriesUnfinished, all.QueriesCensored)
	}
	t.Logf("no window: %d QCTs, %d censored; to 15 ms: %g measured, %d censored", len(all.QCTus), all.QueriesCensored, measured, half.QueriesCensored)
}

// The flow log has a row per query response, numbered by its query: each
// query's rows are its fan-in responses, the largest FCT among them is
// the query's completion time, and the rows' timeouts and loss probes
// are the run's (queries alone, no warm-up).
func TestQueryFlowLog(t *testing.T) {
	const fanIn, bytes = 8, 20_000
	cfg := queryConfig(t, fanIn+1, 100, fanIn, bytes, fanIn*10*(1500+38)/2, 500*sim.Millisecond)
	cfg.FlowLog = true
	r, err := Run(cfg)
	if err != nil {
		t.Fatal(err)
	}
	log := r.FlowLog
	rows := map[float64][]float64{} // query -> its responses' FCTs (-1: open)
	var rtos, tlps float64
	for i, q := range log["query"] {
		if q < 0 || log["bytes"][i] != bytes {
			t.Fatalf("row %d: query %g, %g bytes: want a response of %d bytes", i, q, log["bytes"][i], bytes)
		}
		rows[q] = append(rows[q], log["fct_us"][i])
		rtos += log["timeouts"][i]
		tlps += log["loss_probes"][i]
	}
	if uint64(len(rows)) != r.QueriesCompleted+r.QueriesUnfinished {
		t.Fatalf("%d queries in the log, %d started", len(rows), r.QueriesCompleted+r.QueriesUnfinished)
	}
	var qcts []float64
	for q, fcts := range rows {
		if len(fcts) != fanIn {
			t.Errorf("query %g: %d rows, want %d", q, len(fcts), fanIn)
		}
		if !slices.Contains(fcts, -1) {
			qcts = append(qcts, slices.Max(fcts))
		}
	}
	slices.Sort(qcts)
	want := slices.Sorted(slices.Values(r.QCTus))
	if len(qcts) != len(want) {
		t.Fatalf("%d queries finished in the log, %d QCTs", len(qcts), len(want))
	}
	for i := range want {
		if math.Abs(qcts[i]-want[i]) > 1e-6*want[i] {
			t.Errorf("QCT %g us, the log's largest response %g us", want[i], qcts[i])
			break
		}
	}
	if rtos != float64(r.RTOs) || tlps != float64(r.TLPs) || rtos == 0 {
		t.Errorf("the log's timeouts %g and probes %g, the run's %d and %d: want equal, and timeouts", rtos, tlps, r.RTOs, r.TLPs)
	}
}
