package catalog

import (
	"fmt"
	"sync"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/experiments/report"
	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/plots"
)

// offloadPlugins are the plugins of whatif-offloads: one of each network
// model family with an overlay and a native mode.
var offloadPlugins = []string{"flannel", "cilium", "calico"}

// offloadModes are offloadPlugins with their overlay and native modes,
// read from the models once (encapModes).
var offloadModes = sync.OnceValue(func() []pluginModes { return modesOf(offloadPlugins) })

var whatifOffloads = &Experiment{
	Name:  "whatif-offloads",
	Title: "What-if: GSO/TSO and GRO offloads off and on, overlay and native modes, one TCP stream at 25 and 100 Gbit/s",
	About: "One TCP stream between pods on two nodes (MTU 1500) for three plugins' overlay and native modes, " +
		"with cluster.offloads off (the paper's per-packet costs) and on (super-packets of up to 64 KiB pay the " +
		"per-packet stage cycles once; GRO merges what waits in a busy receive ring). Without offloads a single " +
		"stream is held at its busiest core's per-packet rate; with them the per-byte costs (the socket copies) " +
		"and the link set the limit. Cycles per packet are the receiving node's, per data packet. Held out: " +
		"eight GRE streams at 100 Gbit/s on one receive queue or spread over eight, against the measurement of " +
		"Linux commit 7b3722fa9ef6, where one core's GRO per-frame work is the limit.",
	Scenarios: append(perPlugin("offloads-", offloadPlugins), greRSSFile),
	// the quick form keeps a warm-up past slow start's overshoot: without
	// offloads the receive core's ring overflows once and the repair
	// takes an RTO (200 ms)
	Quick:   []Setting{{"replications", int64(1)}, {"duration", "400ms"}, {"warmup", "300ms"}},
	Needs:   []string{"tcp_stream"},
	Analyse: analyseOffloads,
}

func analyseOffloads(d *Data) (*Output, error) {
	desc := runDesc(d.Runs[0])
	tput := plots.Lines{Title: fmt.Sprintf("Offloads off and on, 1 TCP stream, MTU 1500 (simulated, %s)", desc),
		XLabel: "link rate (Gbit/s)", YLabel: "throughput (Gbit/s)", LogX: true}
	cpp := plots.Lines{Title: "Receiving node's cycles per data packet", XLabel: "link rate (Gbit/s)", YLabel: "CPU cycles per packet", LogX: true}
	t := report.Table{Caption: fmt.Sprintf("Throughput and receiver CPU without and with offloads (mean ± 95%% CI, %s):", desc),
		Header: []string{"plugin", "mode", "link (Gbit/s)", "offloads", "throughput (Gbit/s)", "receiver cores", "CPP total"}}
	out := &Output{}
	for _, m := range offloadModes() {
		run, err := d.Run("offloads-" + m.plugin + ".toml")
		if err != nil {
			return nil, err
		}
		links := axisValues(run, "cluster.link_gbps")
		for _, mode := range []string{m.encap, m.direct} {
			// at the fastest link: offloads must not cost throughput, and
			// must cut the cycles per packet of a CPU-bound stream
			var fastT, fastC [2]float64
			var fastTS, fastCS [2]results.Stat
			for i, on := range []bool{false, true} {
				name := displayName(m.plugin) + " " + mode
				if on {
					name += ", offloads"
				}
				ts, cs := plots.LineSeries{Name: name}, plots.LineSeries{Name: name}
				for _, l := range links {
					r, err := run.Find("cni.mode", mode, "cluster.offloads", on, "cluster.link_gbps", l)
					if err != nil {
						return nil, err
					}
					st, _ := r.Stat(results.ThroughputMbps)
					c, _ := r.Stat(results.CPUCoresUsed)
					cp, _ := r.Stat(results.CPPTotal)
					x := toFloat(l)
					ts.X, ts.Y, ts.CI95 = append(ts.X, x), append(ts.Y, st.Mean/1000), append(ts.CI95, st.CI95/1000)
					ts.Max = append(ts.Max, gbpsBound(r))
					addPoint(&cs, x, cp.Mean, cp.CI95)
					t.Rows = append(t.Rows, []string{displayName(m.plugin), mode, num(x), onOff(on), pm(st, 1e-3), pm(c, 1), pm(cp, 1)})
					fastT[i], fastC[i] = st.Mean, cp.Mean
					fastTS[i], fastCS[i] = st, cp
				}
				tput.Series, cpp.Series = append(tput.Series, ts), append(cpp.Series, nonEmpty(cs))
			}
			out.Checks = append(out.Checks, ordering(
				fmt.Sprintf("%s %s: offloads raise the stream's throughput and cut its cycles per packet at the fastest link", displayName(m.plugin), mode),
				"model assumption, not a seed document: GSO/GRO super-packets pay the per-packet stages once", "more Gbit/s, fewer cycles per packet",
				fmt.Sprintf("%s -> %s Gbit/s, %s -> %s cycles", num(fastT[0]/1000), num(fastT[1]/1000), num(fastC[0]), num(fastC[1])),
				fastT[1] > fastT[0] && fastC[1] < fastC[0],
				all(apart(one(fastTS[1]), one(fastTS[0])), apart(one(fastCS[0]), one(fastCS[1])))))
		}
	}
	f1, err := d.figure("offloads-throughput", "One stream's throughput against link rate, offloads off and on (log x axis).", tput)
	if err != nil {
		return nil, err
	}
	f2, err := d.figure("offloads-cpp", "The receiving node's cycles per data packet, offloads off and on: super-packets pay the per-packet stages once.", cpp)
	if err != nil {
		return nil, err
	}
	held, checks, err := greRSS(d)
	if err != nil {
		return nil, err
	}
	out.Checks = append(out.Checks, checks...)
	out.Figures, out.Tables = []Figure{f1, f2}, []report.Table{t, held}
	out.Notes = append(out.Notes, "The paper measured with per-packet costs; offloads are off in every other experiment but whatif-fabric.")
	return out, nil
}

// greRSSFile is whatif-offloads' held-out case (greRSS).
const greRSSFile = "offloads-gre-rss.toml"

// greRSSSource is the measurement greRSS compares with: Linux commit
// 7b3722fa9ef6's eight TCP streams over GRE on a 100 GbE ConnectX-5 Ex
// (Xeon E5-2680 v3), before (one receive queue) and after (RSS on the
// inner header, eight queues) the patch.
const greRSSSource = "Linux commit 7b3722fa9ef6 (net/mlx5e: Support RSS for GRE tunneled packets), ConnectX-5 Ex, Xeon E5-2680 v3"

// greRSS is the held-out GRE case: its table and its two magnitude checks
// (nothing in the model was fitted to them). On one receive queue one
// core's per-frame GRO work bounds the eight streams; spread, the link.
// The table also shows the run with GRO's per-frame cost measured on
// another host (the layer gro-vm-6.18); the checks compare the built-in
// cost.
func greRSS(d *Data) (report.Table, []report.Check, error) {
	t := report.Table{Caption: "Held out: eight TCP streams over GRE at 100 Gbit/s with offloads, on one receive queue or spread by inner-header RSS, with GRO's per-frame cost measured on two hosts of this project's VM kind (mean ± 95% CI):",
		Header: []string{"receive queues", "GRO per frame", "throughput (Gbit/s)", "measured (Gbit/s)", "receiver cores", "CPP total"}}
	run, err := d.Run(greRSSFile)
	if err != nil {
		return t, nil, err
	}
	layer, err := calibration.Builtin("gro-vm-6.18")
	if err != nil {
		return t, nil, err
	}
	layerFrame, _ := layer.GROFrameCycles("")
	var checks []report.Check
	for _, c := range []struct {
		inner         bool
		queues, claim string
		measured      float64 // Gbit/s
	}{
		{false, "one (outer header: the node pair)", "on one receive queue", 21.3},
		{true, "eight (cluster.rss_inner)", "spread over eight receive queues", 90.5},
	} {
		for _, p := range []struct{ profile, label string }{
			{"paper", fmt.Sprintf("built-in (%.0f cycles)", float64(network.DefaultGROFrameCycles))},
			{"paper,gro-vm-6.18", fmt.Sprintf("gro-vm-6.18 (%.0f cycles)", layerFrame)},
		} {
			r, err := run.Find("cluster.rss_inner", c.inner, "calibration.profile", p.profile)
			if err != nil {
				return t, nil, err
			}
			st, _ := r.Stat(results.ThroughputMbps)
			cores, _ := r.Stat(results.CPUCoresUsed)
			cpp, _ := r.Stat(results.CPPTotal)
			t.Rows = append(t.Rows, []string{c.queues, p.label, pm(st, 1e-3), num(c.measured), pm(cores, 1), pm(cpp, 1)})
			if p.profile == "paper" {
				checks = append(checks, number("held out: eight GRE streams at 100 Gbit/s "+c.claim, greRSSSource, c.measured, " Gbit/s", st.Mean/1000))
			}
		}
	}
	return t, checks, nil
}
