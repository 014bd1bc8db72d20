package catalog

import (
	"fmt"
	"math"

	"github.com/cnisim/cnisim/experiments/report"
	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/plots"
)

var whatifDCTCP = &Experiment{
	Name: "whatif-dctcp",
	Title: "What-if: DCTCP with ECN-marking switches vs CUBIC over drop-tail on a 3:1 leaf-spine, " +
		"VXLAN and direct routing: queues and flow completion times",
	About: "whatif-fabric's cluster at 3:1 (32 nodes of 25 GbE, web-search flows between random pods at 30% load), " +
		"Flannel VXLAN or host-gw, with every switch port marking ECN above 100 kB and the flows' congestion control " +
		"CUBIC (not ECN-capable: drop-tail as before) or DCTCP. Read the uplinks' queues (what DCTCP is for), the " +
		"short flows' completion times (what the queues cost them), and where packets are lost: at the switches " +
		"or at the receiving cores' RX rings, which ECN cannot help. FCTs are of the flows started from 10 to 40 ms, " +
		"the traffic going on to 60 ms so that they finish; the p99 counts those that did, and the next two columns " +
		"say how many did not and the least the p99 can be counting each at its age at the end (as in whatif-fabric).",
	Scenarios: []string{"dctcp.toml"},
	Quick: []Setting{{"replications", int64(2)}, {"duration", "20ms"}, {"warmup", "5ms"}, {"workload.measure_until", "15ms"},
		{"cluster.nodes", int64(16)}, {"workload.pods_per_node", int64(4)}},
	Needs:   []string{"tcp_stream"},
	Analyse: analyseDCTCP,
}

// dctcpSrc is the source of the orderings: RFC 8257's abstract and the
// Linux Kconfig help of TCP_CONG_DCTCP.
const dctcpSrc = "RFC 8257 abstract (\"high burst tolerance, low latency, and high throughput with shallow-buffered " +
	"switches\"); Linux net/ipv4/Kconfig, TCP_CONG_DCTCP (\"Low latency (short flows, queries)\")"

func analyseDCTCP(d *Data) (*Output, error) {
	sr := d.Runs[0]
	desc := runDesc(sr)
	modes := axisValues(sr, "cni.mode")
	ccs := axisValues(sr, "tcp.congestion")
	t := report.Table{Caption: fmt.Sprintf("Queues, losses and flow completion times at 3:1 (mean ± 95%% CI; FCT quantiles pooled, %s):", desc),
		Header: []string{"mode", "congestion control", "uplink queue, mean (kB)", "uplink queue, deepest (kB)", "flows < 100 kB: FCT mean (ms)",
			"FCT p50 (ms)", "FCT p99 (ms)", "FCT p99 floor (ms)", "measured flows open at the end", "switch drops", "RX-ring drops", "ECN marks", "busiest node (cores)", "carried / offered", "open flows (mid-window, end)"}}
	small := plots.Bars{Title: fmt.Sprintf("Flows under 100 kB: mean FCT (simulated, %s)", desc), YLabel: "FCT (ms)"}
	queue := plots.Bars{Title: "Uplink queue, time average", YLabel: "kB"}
	for _, m := range modes {
		small.Categories = append(small.Categories, fmt.Sprint(m))
		queue.Categories = append(queue.Categories, fmt.Sprint(m))
	}
	smallBy := map[string][]results.Stat{}
	queueBy := map[string][]results.Stat{}
	rows := map[string][]string{} // by mode and congestion control, listed mode by mode
	for _, cc := range ccs {
		ss := plots.Series{Name: fmt.Sprint(cc)}
		qs := plots.Series{Name: fmt.Sprint(cc)}
		for _, m := range modes {
			r, err := sr.Find("cni.mode", m, "tcp.congestion", cc)
			if err != nil {
				return nil, err
			}
			q, _ := r.Member(results.PortQueueBytes, "to_spine_mean")
			qmax, _ := r.Member(results.PortQueueBytes, "to_spine_max")
			sm, _ := r.Member(results.FCTMicrosBySize, "0-100KB_mean")
			f, _ := r.Stat(results.FCTMicros)
			sw, _ := r.Member(results.DropsByPlace, "switch")
			rx, _ := r.Member(results.DropsByPlace, "rx_ring")
			mk, _ := r.Member(results.PortECNMarks, "all")
			c, _ := r.Stat(results.CPUCoresUsedBusiest)
			key := fmt.Sprint(cc)
			smallBy[key] = append(smallBy[key], sm)
			queueBy[key] = append(queueBy[key], q)
			ss.Mean, ss.CI95 = append(ss.Mean, sm.Mean/1000), append(ss.CI95, sm.CI95/1000)
			qs.Mean, qs.CI95 = append(qs.Mean, q.Mean/1000), append(qs.CI95, q.CI95/1000)
			st := steadiness(r)
			floor, cens := censoring(r)
			rows[fmt.Sprint(m, "/", cc)] = ([]string{fmt.Sprint(m), key, pm(scaled(q, 1e-3), 1), num(qmax.Mean / 1000), pm(scaled(sm, 1e-3), 1),
				num(f.P50 / 1000), num(f.P99 / 1000), floor, cens, num(sw.Mean), num(rx.Mean), num(mk.Mean), pm(c, 1), st[0], st[1]})
		}
		small.Series = append(small.Series, ss)
		queue.Series = append(queue.Series, qs)
	}
	for _, m := range modes {
		for _, cc := range ccs {
			t.Rows = append(t.Rows, rows[fmt.Sprint(m, "/", cc)])
		}
	}
	fig, err := panels("dctcp", "The uplinks' time-average queue (top) and the mean completion time of flows under 100 kB "+
		"(bottom, mean ± 95% CI) per Flannel mode and congestion control.", queue, small)
	if err != nil {
		return nil, err
	}
	out := &Output{Figures: []Figure{fig}, Tables: []report.Table{t}}
	if cu, dc := queueBy["cubic"], queueBy["dctcp"]; len(cu) > 0 && len(cu) == len(dc) {
		out.Checks = append(out.Checks, ordering("DCTCP keeps the uplinks' queues shorter than CUBIC in both modes",
			dctcpSrc, "shallow-buffered switches suffice", fmt.Sprintf("%s vs %s kB (VXLAN)", pm(scaled(dc[0], 1e-3), 1), pm(scaled(cu[0], 1e-3), 1)),
			lessAll(dc, cu), apartEach(cu, dc)))
	}
	if cu, dc := smallBy["cubic"], smallBy["dctcp"]; len(cu) > 0 && len(cu) == len(dc) {
		out.Checks = append(out.Checks, ordering("DCTCP completes flows under 100 kB sooner than CUBIC in both modes",
			dctcpSrc, "low latency for short flows", fmt.Sprintf("%s vs %s ms (VXLAN)", pm(scaled(dc[0], 1e-3), 1), pm(scaled(cu[0], 1e-3), 1)),
			lessAll(dc, cu), apartEach(cu, dc)))
	}
	return out, nil
}

// apartEach: hi[i] lies above lo[i] at every index, intervals included
// (apart pairwise: the modes differ more than the congestion controls,
// so pooling them would never separate).
func apartEach(hi, lo []results.Stat) separation {
	s := separation{resolved: len(hi) > 0 && len(hi) == len(lo), n: math.MaxInt}
	for i := range min(len(hi), len(lo)) {
		p := apart(hi[i:i+1], lo[i:i+1])
		s.resolved = s.resolved && p.resolved
		s.n = min(s.n, p.n)
	}
	if s.n == math.MaxInt {
		s.n = 0
	}
	return s
}
