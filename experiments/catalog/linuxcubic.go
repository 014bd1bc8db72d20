package catalog

import (
	"fmt"

	"github.com/cnisim/cnisim/experiments/report"
	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/plots"
)

var whatifLinuxCubic = &Experiment{
	Name: "whatif-linux-cubic",
	Title: "What-if: CUBIC as Linux runs it (HyStart) vs RFC 9438's slow start until a loss, on a 3:1 leaf-spine, " +
		"VXLAN and direct routing: losses, flow completion times, cores",
	About: "whatif-fabric's cluster at 3:1 (32 nodes of 25 GbE, web-search flows between random pods at 30% load), " +
		"Flannel VXLAN or host-gw, drop-tail switches, the flows' CUBIC either RFC 9438's (slow start until the first loss: " +
		"the model's default, every other experiment's) or Linux's tcp_cubic.c (tcp.linux_cubic: HyStart ends slow start when " +
		"a round's ACK train or RTT says the path is full, then at least 5% a round until a W_max). Read where packets are " +
		"lost (the receiving cores' RX rings, the switches), the completion times (the short flows wait behind the bursts " +
		"and repairs), and the busiest node's cores (which follow the bytes carried). FCTs are of the flows started from 10 " +
		"to 40 ms, the traffic going on to 60 ms so that they finish, as in whatif-fabric.",
	Scenarios: []string{"linux-cubic.toml"},
	Quick: []Setting{{"replications", int64(2)}, {"duration", "20ms"}, {"warmup", "5ms"}, {"workload.measure_until", "15ms"},
		{"cluster.nodes", int64(16)}, {"workload.pods_per_node", int64(4)}},
	Needs:   []string{"tcp_stream"},
	Analyse: analyseLinuxCubic,
}

// hystartSrc is the source of the orderings: RFC 9406's abstract and the
// comment heading Linux's tcp_cubic.c.
const hystartSrc = "RFC 9406 abstract (\"Slow start can overshoot the ideal send rate in many cases, causing high packet loss " +
	"and poor performance\"; a delay-based exit point avoids it); Linux net/ipv4/tcp_cubic.c (\"CUBIC integrates a new slow " +
	"start algorithm, called HyStart\")"

func analyseLinuxCubic(d *Data) (*Output, error) {
	sr := d.Runs[0]
	desc := runDesc(sr)
	modes := axisValues(sr, "cni.mode")
	variants := axisValues(sr, "tcp.linux_cubic")
	name := func(v any) string {
		if v == true {
			return "Linux (HyStart)"
		}
		return "RFC 9438"
	}
	t := report.Table{Caption: fmt.Sprintf("Losses, flow completion times and cores at 3:1 (mean ± 95%% CI; FCT quantiles pooled, %s):", desc),
		Header: []string{"mode", "CUBIC", "drops", "RX-ring drops", "switch drops", "retransmissions", "flows < 100 kB: FCT mean (ms)",
			"FCT p50 (ms)", "FCT p99 (ms)", "FCT p99 floor (ms)", "measured flows open at the end", "busiest node (cores)", "carried / offered", "open flows (mid-window, end)"}}
	dropsFig := plots.Bars{Title: fmt.Sprintf("Packets dropped per replication (simulated, %s)", desc), YLabel: "packets"}
	small := plots.Bars{Title: "Flows under 100 kB: mean FCT", YLabel: "FCT (ms)"}
	for _, m := range modes {
		dropsFig.Categories = append(dropsFig.Categories, fmt.Sprint(m))
		small.Categories = append(small.Categories, fmt.Sprint(m))
	}
	dropsBy := map[string][]results.Stat{}
	smallBy := map[string][]results.Stat{}
	rows := map[string][]string{}
	for _, v := range variants {
		key := name(v)
		ds := plots.Series{Name: key}
		ss := plots.Series{Name: key}
		for _, m := range modes {
			r, err := sr.Find("cni.mode", m, "tcp.linux_cubic", v)
			if err != nil {
				return nil, err
			}
			dr, _ := r.Stat(results.Drops)
			rx, _ := r.Member(results.DropsByPlace, "rx_ring")
			sw, _ := r.Member(results.DropsByPlace, "switch")
			rt, _ := r.Stat(results.Retransmissions)
			sm, _ := r.Member(results.FCTMicrosBySize, "0-100KB_mean")
			f, _ := r.Stat(results.FCTMicros)
			c, _ := r.Stat(results.CPUCoresUsedBusiest)
			dropsBy[key] = append(dropsBy[key], dr)
			smallBy[key] = append(smallBy[key], sm)
			ds.Mean, ds.CI95 = append(ds.Mean, dr.Mean), append(ds.CI95, dr.CI95)
			ss.Mean, ss.CI95 = append(ss.Mean, sm.Mean/1000), append(ss.CI95, sm.CI95/1000)
			st := steadiness(r)
			floor, cens := censoring(r)
			rows[fmt.Sprint(m, "/", key)] = []string{fmt.Sprint(m), key, pm(dr, 1), num(rx.Mean), num(sw.Mean), num(rt.Mean), pm(scaled(sm, 1e-3), 1),
				num(f.P50 / 1000), num(f.P99 / 1000), floor, cens, pm(c, 1), st[0], st[1]}
		}
		dropsFig.Series = append(dropsFig.Series, ds)
		small.Series = append(small.Series, ss)
	}
	for _, m := range modes {
		for _, v := range variants {
			t.Rows = append(t.Rows, rows[fmt.Sprint(m, "/", name(v))])
		}
	}
	fig, err := panels("linux-cubic", "Packets dropped per replication (top) and the mean completion time of flows under 100 kB "+
		"(bottom, mean ± 95% CI) per Flannel mode and CUBIC.", dropsFig, small)
	if err != nil {
		return nil, err
	}
	out := &Output{Figures: []Figure{fig}, Tables: []report.Table{t}}
	if rfc, lx := dropsBy["RFC 9438"], dropsBy["Linux (HyStart)"]; len(rfc) > 0 && len(rfc) == len(lx) {
		out.Checks = append(out.Checks, ordering("Linux's CUBIC (HyStart) loses fewer packets than RFC 9438's slow start in both modes",
			hystartSrc, "slow start's overshoot causes high packet loss", fmt.Sprintf("%s vs %s packets (VXLAN)", pm(lx[0], 1), pm(rfc[0], 1)),
			lessAll(lx, rfc), apartEach(rfc, lx)))
	}
	if rfc, lx := smallBy["RFC 9438"], smallBy["Linux (HyStart)"]; len(rfc) > 0 && len(rfc) == len(lx) {
		out.Checks = append(out.Checks, ordering("Linux's CUBIC completes flows under 100 kB sooner than RFC 9438's in both modes",
			hystartSrc, "overshoot causes poor performance", fmt.Sprintf("%s vs %s ms (VXLAN)", pm(scaled(lx[0], 1e-3), 1), pm(scaled(rfc[0], 1e-3), 1)),
			lessAll(lx, rfc), apartEach(rfc, lx)))
	}
	return out, nil
}
