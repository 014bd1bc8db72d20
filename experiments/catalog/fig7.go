package catalog

import (
	"fmt"
	"slices"

	"github.com/cnisim/cnisim/experiments/report"
	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/models/cni"
	"github.com/cnisim/cnisim/models/podlaunch"
	"github.com/cnisim/cnisim/plots"
)

var paperFig7 = &Experiment{
	Name:  "paper-fig7",
	Title: "Fig. 7: pod launch time per CNI (30 launches) and its breakdown by pipeline stage",
	About: "One pod launched per replication, 30 replications per CNI, through the simulated pipeline: API " +
		"server admission, scheduling, kubelet, sandbox, the CNI ADD call (IPAM, veth, routes, policy), " +
		"container start and the status write-back through the API server to etcd. (a) the mean launch " +
		"time with its 95% CI; (b) the mean time of each critical-path stage and queue, stacked, for every " +
		"CNI (the paper shows Weave's).",
	Scenarios: []string{"fig7-launch.toml"},
	Quick:     []Setting{{"replications", int64(5)}},
	// 30 launches leave +-0.14 s intervals around means 0.08 s apart: the
	// orderings are not resolved; launches are cheap to simulate.
	Precision: &Precision{Metric: "pod_launch_s", RelHalfWidth: 0.005, MaxReps: 960},
	Needs:     []string{"pod_launch"},
	Analyse:   analyseFig7,
}

// fig7Plugins are the plugins of Fig. 7: every built-in pod network, in
// the paper's order.
var fig7Plugins = cni.PodNetworks()

func analyseFig7(d *Data) (*Output, error) {
	run := d.Runs[0]
	desc := fmt.Sprintf("%d launches", run.Plan.Base.Replications)
	var cats []string
	var m, ci, share []float64
	rows := make([]Row, len(fig7Plugins))
	t := report.Table{Caption: fmt.Sprintf("Pod launch time (s, %s per CNI):", desc),
		Header: []string{"CNI", "mean ± 95% CI", "p50", "p90", "p99", "network set-up share"}}
	for i, p := range fig7Plugins {
		r, err := run.Find("cni.plugin", p)
		if err != nil {
			return nil, err
		}
		rows[i] = r
		st, _ := r.Stat(results.PodLaunchSeconds)
		sh, _ := r.Stat(results.PodNetworkShare)
		cats = append(cats, displayName(p))
		m, ci, share = append(m, st.Mean), append(ci, st.CI95), append(share, sh.Mean)
		// one launch per replication has no pooled quantiles (the
		// aggregation's rule): "–", not 0
		q := func(v float64) string {
			if !st.Quantiles {
				return "–"
			}
			return num(v)
		}
		t.Rows = append(t.Rows, []string{displayName(p), pm(st, 1), q(st.P50), q(st.P90), q(st.P99), num(100*sh.Mean) + "%"})
	}
	fa, err := d.figure("fig7a-launch-time", "Fig. 7(a): mean pod launch time per CNI.",
		plots.Bars{Title: fmt.Sprintf("Fig. 7(a) pod launch time (simulated, %s per CNI)", desc), YLabel: "launch time (s)",
			Categories: cats, Series: []plots.Series{{Mean: m, CI95: ci}}})
	if err != nil {
		return nil, err
	}
	// (b): one layer per stage or queue in pipeline order (the model's
	// stage order, then its queues), so a stage keeps its colour.
	var names []string
	for s := podlaunch.Stage(0); s < podlaunch.NumStages; s++ {
		names = append(names, s.String())
	}
	for w := podlaunch.Wait(0); w < podlaunch.NumWaits; w++ {
		names = append(names, w.String())
	}
	for _, r := range rows {
		for _, mem := range r.Members(results.PodLaunchBreakdown) {
			if !slices.Contains(names, mem.Name) {
				names = append(names, mem.Name)
			}
		}
	}
	st := plots.Stacked{Title: fmt.Sprintf("Fig. 7(b) launch time by pipeline stage (simulated, %s per CNI)", desc), YLabel: "mean time per pod (s)", Categories: cats}
	bt := report.Table{Caption: "Mean time per pod on the critical path (s), by stage and queue:", Header: append([]string{"stage"}, cats...)}
	for _, n := range names {
		l := plots.Layer{Name: n}
		row := []string{n}
		for _, r := range rows {
			s, _ := r.Member(results.PodLaunchBreakdown, n)
			l.Values = append(l.Values, s.Mean)
			row = append(row, num(s.Mean))
		}
		if allZero(l.Values) {
			continue
		}
		st.Layers = append(st.Layers, l)
		bt.Rows = append(bt.Rows, row)
	}
	out := &Output{Tables: []report.Table{t, bt}, Figures: []Figure{fa}}
	if len(st.Layers) > 0 && len(st.Layers) <= plots.MaxSeries {
		fb, err := d.figure("fig7b-launch-breakdown", "Fig. 7(b): where the launch time goes, per CNI; the network set-up (CNI) stages are a small slice.", st)
		if err != nil {
			return nil, err
		}
		out.Figures = append(out.Figures, fb)
	}
	src := paperSrc("III.D, Fig. 7")
	ss := statsOf(rows, results.PodLaunchSeconds)
	// "On average, Flannel and Kube-router are better. Weave has the
	// highest launch latency."
	hi, hv := argmax(cats, m)
	out.Checks = append(out.Checks, ordering("highest launch time", src, "Weave", fmt.Sprintf("%s (%s s)", hi, num(hv)), hi == "Weave", top(ss, index(cats, hi))))
	lo1, _ := argmin(cats, m)
	rest := append([]float64{}, m...)
	for i := range cats {
		if cats[i] == lo1 {
			rest[i] = maxOf(m) + 1
		}
	}
	lo2, _ := argmin(cats, rest)
	fast := func(s string) bool { return s == "Flannel" || s == "Kube-router" }
	out.Checks = append(out.Checks, ordering("the two fastest launches", src, "Flannel and Kube-router", lo1+" and "+lo2, fast(lo1) && fast(lo2),
		apart(without(ss, index(cats, lo1), index(cats, lo2)), at(ss, index(cats, lo1), index(cats, lo2)))))
	// The pod launch model's per-CNI network set-up costs were set from this share.
	out.Checks = append(out.Checks, echo(number("Weave: network set-up share of the launch time", src, 100*podlaunch.PaperWeaveNetworkShare, "%", 100*share[index(cats, "Weave")])))
	return out, nil
}

func allZero(vs []float64) bool {
	for _, v := range vs {
		if v != 0 {
			return false
		}
	}
	return true
}
