package catalog

import (
	"fmt"

	"github.com/cnisim/cnisim/experiments/report"
	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/plots"
)

var whatifQueries = &Experiment{
	Name: "whatif-queries",
	Title: "What-if: partition-aggregate queries beside background traffic in a rack, CUBIC over drop-tail vs DCTCP, " +
		"VXLAN and direct routing: query completion times",
	About: "16 nodes of 10 GbE behind one ToR switch (12 MB shared buffer), web-search flows between random pods at 30% " +
		"load and 500 queries a second, each answered at once by every other node with 20 kB (a synchronised incast " +
		"into the aggregator's port), Flannel VXLAN or host-gw, CUBIC or DCTCP with ports marking ECN above 100 kB. " +
		"Read the query completion time (the slowest of its 15 responses), the node-facing queues the background " +
		"leaves for the bursts, and where packets are lost.",
	Scenarios: []string{"queries.toml"},
	Quick: []Setting{{"replications", int64(2)}, {"duration", "40ms"}, {"warmup", "5ms"},
		{"cluster.nodes", int64(8)}, {"workload.pods_per_node", int64(4)}},
	Needs:   []string{"tcp_stream"},
	Analyse: analyseQueries,
}

// queriesSrc is the source of the orderings: the DCTCP paper's abstract.
const queriesSrc = "Alizadeh et al., Data Center TCP (DCTCP), SIGCOMM 2010, abstract (\"bandwidth hungry 'background' flows " +
	"build up queues at the switches, and thus impact the performance of latency sensitive 'foreground' traffic\"; " +
	"DCTCP \"provides high burst tolerance and low latency for short flows\")"

func analyseQueries(d *Data) (*Output, error) {
	sr := d.Runs[0]
	desc := runDesc(sr)
	modes := axisValues(sr, "cni.mode")
	ccs := axisValues(sr, "tcp.congestion")
	t := report.Table{Caption: fmt.Sprintf("Query completion, queues and losses in the rack (mean ± 95%% CI; QCT quantiles pooled, %s):", desc),
		Header: []string{"mode", "congestion control", "QCT mean (ms)", "QCT p50 (ms)", "QCT p99 (ms)", "queries unfinished",
			"flows < 100 kB: FCT mean (ms)", "node-facing queue, mean (kB)", "deepest (kB)", "switch drops", "RX-ring drops", "ECN marks", "carried / offered", "open flows (mid-window, end)"}}
	qct := plots.Bars{Title: fmt.Sprintf("Query completion time, mean (simulated, %s)", desc), YLabel: "QCT (ms)"}
	queue := plots.Bars{Title: "Node-facing switch queues, time average", YLabel: "kB"}
	for _, m := range modes {
		qct.Categories = append(qct.Categories, fmt.Sprint(m))
		queue.Categories = append(queue.Categories, fmt.Sprint(m))
	}
	qctBy := map[string][]results.Stat{}
	queueBy := map[string][]results.Stat{}
	rows := map[string][]string{}
	for _, cc := range ccs {
		qs := plots.Series{Name: fmt.Sprint(cc)}
		ws := plots.Series{Name: fmt.Sprint(cc)}
		for _, m := range modes {
			r, err := sr.Find("cni.mode", m, "tcp.congestion", cc)
			if err != nil {
				return nil, err
			}
			q, _ := r.Stat(results.QueryCompletionMicros)
			un, _ := r.Stat(results.QueriesUnfinished)
			sm, _ := r.Member(results.FCTMicrosBySize, "0-100KB_mean")
			w, _ := r.Member(results.PortQueueBytes, "to_node_mean")
			wmax, _ := r.Member(results.PortQueueBytes, "to_node_max")
			sw, _ := r.Member(results.DropsByPlace, "switch")
			rx, _ := r.Member(results.DropsByPlace, "rx_ring")
			mk, _ := r.Member(results.PortECNMarks, "all")
			key := fmt.Sprint(cc)
			qctBy[key] = append(qctBy[key], q)
			queueBy[key] = append(queueBy[key], w)
			qs.Mean, qs.CI95 = append(qs.Mean, q.Mean/1000), append(qs.CI95, q.CI95/1000)
			ws.Mean, ws.CI95 = append(ws.Mean, w.Mean/1000), append(ws.CI95, w.CI95/1000)
			st := steadiness(r)
			rows[fmt.Sprint(m, "/", cc)] = []string{fmt.Sprint(m), key, pm(scaled(q, 1e-3), 1), num(q.P50 / 1000), num(q.P99 / 1000),
				num(un.Mean), pm(scaled(sm, 1e-3), 1), pm(scaled(w, 1e-3), 1), num(wmax.Mean / 1000), num(sw.Mean), num(rx.Mean), num(mk.Mean), st[0], st[1]}
		}
		qct.Series = append(qct.Series, qs)
		queue.Series = append(queue.Series, ws)
	}
	for _, m := range modes {
		for _, cc := range ccs {
			t.Rows = append(t.Rows, rows[fmt.Sprint(m, "/", cc)])
		}
	}
	fig, err := panels("queries", "The node-facing ports' time-average queue (top) and the mean query completion time "+
		"(bottom, mean ± 95% CI) per Flannel mode and congestion control.", queue, qct)
	if err != nil {
		return nil, err
	}
	out := &Output{Figures: []Figure{fig}, Tables: []report.Table{t}}
	if cu, dc := queueBy["cubic"], queueBy["dctcp"]; len(cu) > 0 && len(cu) == len(dc) {
		out.Checks = append(out.Checks, ordering("DCTCP leaves shorter queues at the node-facing ports than CUBIC in both modes",
			queriesSrc, "background flows build up queues", fmt.Sprintf("%s vs %s kB (VXLAN)", pm(scaled(dc[0], 1e-3), 1), pm(scaled(cu[0], 1e-3), 1)),
			lessAll(dc, cu), apartEach(cu, dc)))
	}
	if cu, dc := qctBy["cubic"], qctBy["dctcp"]; len(cu) > 0 && len(cu) == len(dc) {
		out.Checks = append(out.Checks, ordering("DCTCP completes queries sooner than CUBIC in both modes",
			queriesSrc, "queues impact foreground traffic", fmt.Sprintf("%s vs %s ms (VXLAN)", pm(scaled(dc[0], 1e-3), 1), pm(scaled(cu[0], 1e-3), 1)),
			lessAll(dc, cu), apartEach(cu, dc)))
	}
	return out, nil
}
