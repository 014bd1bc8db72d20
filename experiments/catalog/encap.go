package catalog

import (
	"fmt"

	"github.com/cnisim/cnisim/experiments/report"
	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/models/cni"
	"github.com/cnisim/cnisim/plots"
)

var whatifEncapVsDirect = &Experiment{
	Name:  "whatif-encap-vs-direct",
	Title: "What-if: every plugin's overlay vs native mode at 10, 25 and 100 Gbit/s: throughput and cores per Gbit/s",
	About: "Four TCP streams between pods on two nodes (MTU 1500) for each plugin's encapsulation and direct " +
		"routing modes as the link speeds up. At 10 Gbit/s the link limits and the modes differ by their " +
		"header bytes; at 100 Gbit/s the per-packet CPU work limits and the overlay's extra stages (VXLAN, " +
		"IP-in-IP, a second pass through the host stack) cost throughput and cores. Cores per Gbit/s is the " +
		"receiving node's busy cores divided by the goodput.",
	Scenarios: perPlugin("encap-", cni.PodNetworks()),
	Quick:     []Setting{{"replications", int64(2)}, {"duration", "50ms"}, {"warmup", "10ms"}},
	// 2 replications gave 95% intervals of +-53..107 Gbit/s (Student-t
	// with one degree of freedom), wider than the modes' differences.
	Precision: &Precision{Metric: "throughput_mbps", RelHalfWidth: 0.05, MaxReps: 8},
	Needs:     []string{"tcp_stream"},
	Analyse:   analyseEncap,
}

func analyseEncap(d *Data) (*Output, error) {
	desc := runDesc(d.Runs[0])
	tput := plots.Lines{Title: fmt.Sprintf("Overlay vs native, 4 TCP streams, MTU 1500 (simulated, %s)", desc),
		XLabel: "link rate (Gbit/s)", YLabel: "throughput (Gbit/s)", LogX: true}
	cost := plots.Lines{Title: "CPU cost of the goodput, receiving node", XLabel: "link rate (Gbit/s)", YLabel: "cores per Gbit/s", LogX: true}
	t := report.Table{Caption: fmt.Sprintf("Throughput and receiver CPU (mean ± 95%% CI, %s):", desc),
		Header: []string{"plugin", "mode", "link (Gbit/s)", "throughput (Gbit/s)", "receiver cores", "cores per Gbit/s", "CPP total"}}
	out := &Output{}
	for _, m := range encapModes() {
		run, err := d.Run("encap-" + m.plugin + ".toml")
		if err != nil {
			return nil, err
		}
		links := axisValues(run, "cluster.link_gbps")
		last := map[string]float64{}
		lastS := map[string]results.Stat{}
		for _, mode := range []string{m.encap, m.direct} {
			if mode == "" {
				continue
			}
			kind := "overlay"
			if mode == m.direct {
				kind = "native"
			}
			ts := plots.LineSeries{Name: displayName(m.plugin) + " " + mode}
			cs := plots.LineSeries{Name: ts.Name}
			for _, l := range links {
				r, err := run.Find("cni.mode", mode, "cluster.link_gbps", l)
				if err != nil {
					return nil, err
				}
				st, _ := r.Stat(results.ThroughputMbps)
				c, _ := r.Stat(results.CPUCoresUsed)
				cpp, _ := r.Stat(results.CPPTotal)
				per := c.Mean / (st.Mean / 1000)
				x := toFloat(l)
				ts.X, ts.Y, ts.CI95 = append(ts.X, x), append(ts.Y, st.Mean/1000), append(ts.CI95, st.CI95/1000)
				ts.Max = append(ts.Max, gbpsBound(r))
				addPoint(&cs, x, per, 0)
				t.Rows = append(t.Rows, []string{displayName(m.plugin), mode + " (" + kind + ")", num(x), pm(st, 1e-3), pm(c, 1), num(per), pm(cpp, 1)})
				last[kind] = per
				lastS[kind] = perRepRatio(r, results.CPUCoresUsed, results.ThroughputMbps, 1e-3)
			}
			tput.Series, cost.Series = append(tput.Series, ts), append(cost.Series, nonEmpty(cs))
		}
		if m.direct != "" {
			out.Checks = append(out.Checks, ordering(displayName(m.plugin)+": native cheaper than overlay in cores per Gbit/s at the fastest link",
				paperSrc("III.C, summary"), "a native routing datapath is cheaper than an overlay",
				fmt.Sprintf("%s vs %s", num(last["native"]), num(last["overlay"])), last["native"] < last["overlay"],
				apart(one(lastS["overlay"]), one(lastS["native"]))))
		}
	}
	f1, err := d.figure("encap-throughput", "Throughput against link rate for each plugin's overlay and native modes (log x axis).", tput)
	if err != nil {
		return nil, err
	}
	f2, err := d.figure("encap-cores-per-gbps", "Receiver CPU cores per Gbit/s of goodput against link rate: the overlay's extra per-packet work.", cost)
	if err != nil {
		return nil, err
	}
	out.Figures, out.Tables = []Figure{f1, f2}, []report.Table{t}
	return out, nil
}
