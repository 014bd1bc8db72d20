package catalog

import (
	"fmt"

	"github.com/cnisim/cnisim/experiments/report"
	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/plots"
)

var whatifFabric = &Experiment{
	Name: "whatif-fabric",
	Title: "What-if: a 32-node leaf-spine at 1:1 and 3:1 oversubscription, VXLAN vs direct routing, offloads off and on: " +
		"cores per node and flow completion times",
	About: "32 nodes of 25 GbE on 4 leaves behind 2 spines, 8 pods per node, web-search flows (DCTCP's " +
		"distribution) between random pods arriving at 30% of each node's link rate, through Flannel VXLAN " +
		"or host-gw. Oversubscription 3:1 gives each leaf's 200 Gbit/s of node ports two 33 Gbit/s uplinks, " +
		"so the spines' links carry the random traffic at a higher utilisation and queue; the overlay's extra " +
		"stages cost cores on every node. Each runs with the paper's per-packet costs (offloads off) and with " +
		"GSO/TSO and GRO as a current kernel runs them (cluster.offloads: super-packets pay the per-packet " +
		"stages once), which moves the bottleneck from the receiving cores to the uplinks. Read the busiest " +
		"node's cores (the CNI's CPU bill), the flow " +
		"completion time (FCT) p99, the uplinks' utilisation and drops, and the drops at the receiving " +
		"cores' RX rings (where a CPU-bound receiver loses packets). The last two columns say whether a row's FCTs are " +
		"a steady state's: the share of the offered load carried, and the open flows at mid-window and at the end " +
		"(growing by half and beyond a Poisson fluctuation: no steady state; the web-search tail ramps up for tens of ms). " +
		"The FCT p99 counts the flows that finished: the next two columns say how many of the measured flows were still " +
		"open at the end (flows_censored, the slowest: the largest, and those waiting on a retransmission timeout or a " +
		"lost SYN's 1 s) and the least the p99 can be counting each at its age then (fct_us_p99_floor); past 1% open, " +
		"the p99 is a lower bound and the floor the better one.",
	Scenarios: []string{"fabric.toml"},
	Quick: []Setting{{"replications", int64(2)}, {"duration", "20ms"}, {"warmup", "5ms"}, {"workload.measure_until", "15ms"},
		{"cluster.nodes", int64(16)}, {"workload.pods_per_node", int64(4)}},
	// Random traffic loads the nodes unevenly from one replication to the
	// next: 3 replications leave the busiest node's cores +-25%.
	Precision: &Precision{Metric: "cpu_cores_used_busiest", RelHalfWidth: 0.10, MaxReps: 12},
	Needs:     []string{"tcp_stream"},
	Analyse:   analyseFabric,
}

func analyseFabric(d *Data) (*Output, error) {
	sr := d.Runs[0]
	desc := runDesc(sr)
	overs := axisValues(sr, "fabric.oversubscription")
	modes := axisValues(sr, "cni.mode")
	offloads := axisValues(sr, "cluster.offloads")
	t := report.Table{Caption: fmt.Sprintf("Cores and flow completion times (mean ± 95%% CI; FCT quantiles pooled, %s):", desc),
		Header: []string{"oversubscription", "mode", "offloads", "busiest node (cores)", "mean node (cores)", "FCT p50 (ms)", "FCT p99 (ms)", "slowdown p99",
			"FCT p99 floor (ms)", "measured flows open at the end",
			"uplink utilisation (mean)", "switch drops", "RX-ring drops (whole run)", "carried / offered", "open flows (mid-window, end)"}}
	cores := plots.Bars{Title: fmt.Sprintf("Busiest node's cores (simulated, %s)", desc), YLabel: "cores"}
	fct := plots.Bars{Title: "Flow completion time p99", YLabel: "FCT p99 (ms)"}
	for _, o := range overs {
		cores.Categories = append(cores.Categories, fmt.Sprintf("%v:1", o))
		fct.Categories = append(fct.Categories, fmt.Sprintf("%v:1", o))
	}
	// busy[offloads][mode]: the busiest node's cores per oversubscription
	busy := map[bool]map[string][]results.Stat{}
	for _, off := range offloads {
		on, _ := off.(bool)
		busy[on] = map[string][]results.Stat{}
		for _, m := range modes {
			key := fmt.Sprint(m)
			name := key
			if on {
				name += ", offloads"
			}
			cs := plots.Series{Name: name}
			fs := plots.Series{Name: name}
			for _, o := range overs {
				r, err := sr.Find("fabric.oversubscription", o, "cni.mode", m, "cluster.offloads", off)
				if err != nil {
					return nil, err
				}
				c, _ := r.Stat(results.CPUCoresUsedBusiest)
				mean, _ := r.Stat(results.CPUCoresUsedMean)
				f, _ := r.Stat(results.FCTMicros)
				sl, _ := r.Stat(results.FCTSlowdown)
				up, _ := r.Member(results.PortUtilisation, "to_spine_mean")
				dr, _ := r.Member(results.PortDrops, "all")
				rx, _ := r.Member(results.DropsByPlace, "rx_ring")
				st := steadiness(r)
				floor, cens := censoring(r)
				busy[on][key] = append(busy[on][key], c)
				cs.Mean, cs.CI95 = append(cs.Mean, c.Mean), append(cs.CI95, c.CI95)
				fs.Mean = append(fs.Mean, f.P99/1000)
				t.Rows = append(t.Rows, []string{fmt.Sprintf("%v:1", o), key, onOff(on), pm(c, 1), num(mean.Mean), num(f.P50 / 1000), num(f.P99 / 1000),
					num(sl.P99), floor, cens, num(up.Mean), num(dr.Mean), num(rx.Mean), st[0], st[1]})
			}
			cores.Series = append(cores.Series, cs)
			fct.Series = append(fct.Series, fs)
		}
	}
	fig, err := panels("fabric", "The busiest node's cores (top, mean ± 95% CI) and the flow completion time p99 (bottom) "+
		"per oversubscription, Flannel mode and offloads.", cores, fct)
	if err != nil {
		return nil, err
	}
	out := &Output{Figures: []Figure{fig}, Tables: []report.Table{t}}
	for _, on := range []bool{false, true} {
		vx, hg := busy[on]["vxlan"], busy[on]["host-gw"]
		if len(vx) == 0 || len(vx) != len(hg) {
			continue
		}
		claim, src := "offloads off: the overlay costs the busiest node more cores than direct routing at every oversubscription",
			paperSrc("III.C, summary")
		if on {
			claim, src = "offloads on: the overlay costs the busiest node more cores than direct routing at every oversubscription",
				"model assumption, not a seed document: VXLAN's extra stages run per super-packet"
		}
		out.Checks = append(out.Checks, ordering(claim, src, "a native routing datapath is cheaper than an overlay",
			fmt.Sprintf("%s vs %s cores", pm(vx[0], 1), pm(hg[0], 1)), lessAll(hg, vx), apart(vx, hg)))
	}
	for _, m := range modes {
		off, on := busy[false][fmt.Sprint(m)], busy[true][fmt.Sprint(m)]
		if len(off) == 0 || len(off) != len(on) {
			continue
		}
		out.Checks = append(out.Checks, ordering(
			fmt.Sprintf("%v: offloads cut the busiest node's cores at every oversubscription", m),
			"model assumption, not a seed document: GSO/GRO super-packets pay the per-packet stages once",
			"fewer cores with offloads", fmt.Sprintf("%s -> %s cores", pm(off[0], 1), pm(on[0], 1)),
			lessAll(on, off), apartEach(off, on)))
	}
	return out, nil
}

// onOff is a boolean table cell.
func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// steadiness is a cluster row's two cells that say whether its FCTs are
// a steady state's: the share of the offered load carried
// (throughput_mbps / offered_mbps), and the open flows at mid-window and
// at the end, flagged as results.Unsteady flags them.
func steadiness(r Row) [2]string {
	carried, _ := r.Stat(results.ThroughputMbps)
	offered, _ := r.Stat(results.OfferedMbps)
	mid, _ := r.Stat(results.FlowsOpenMidway)
	end, _ := r.Stat(results.FlowsUnfinished)
	share := "-"
	if offered.Mean > 0 {
		share = num(carried.Mean / offered.Mean)
	}
	open := fmt.Sprintf("%s, %s", num(mid.Mean), num(end.Mean))
	if results.Growing(mid.Mean, end.Mean) {
		open += " (growing: no steady state)"
	}
	return [2]string{share, open}
}

// censoring is a cluster row's two cells that say how far its FCT p99
// reads low: the least the measured flows' p99 can be (ms,
// fct_us_p99_floor) and how many of them were open at the end
// (flows_censored, and its share of flows_measured).
func censoring(r Row) (floor, open string) {
	f, _ := r.Stat(results.FCTp99Floor)
	measured, _ := r.Stat(results.FlowsMeasured)
	censored, _ := r.Stat(results.FlowsCensored)
	open = num(censored.Mean)
	if measured.Mean > 0 {
		open += fmt.Sprintf(" (%.1f%%)", 100*censored.Mean/measured.Mean)
	}
	return num(f.Mean / 1000), open
}

// lessAll: a[i] < b[i] at every index, by the means.
func lessAll(a, b []results.Stat) bool {
	for i := range a {
		if !(a[i].Mean < b[i].Mean) {
			return false
		}
	}
	return true
}
