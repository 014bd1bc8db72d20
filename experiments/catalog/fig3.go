package catalog

import (
	"fmt"
	"math"
	"strings"

	"github.com/cnisim/cnisim/experiments/report"
	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/plots"
)

// fig3Files: TCP_STREAM runs (also Fig. 4-6's) and RR runs, intra and inter.
var fig3Files = []string{
	"fig3-stream-intra.toml", "fig3-stream-intra-calico.toml", "fig3-stream-inter.toml", "fig3-stream-inter-calico.toml",
	"fig3-rr-intra.toml", "fig3-rr-intra-calico.toml", "fig3-rr-inter.toml", "fig3-rr-inter-calico.toml",
}

// fig3Quick: the quick form of Fig. 3-6 (shared, so the runs are shared).
var fig3Quick = []Setting{{"replications", int64(3)}, {"duration", "300ms"}}

var paperFig3 = &Experiment{
	Name:  "paper-fig3",
	Title: "Fig. 3: intra- and inter-host TCP throughput, TCP_RR and UDP_RR latency per CNI (netperf, 10 s)",
	About: "Pod-to-pod netperf between two pods on one node (intra-host: Flannel, Weave, Cilium, Kube-router, " +
		"Calico without and with policy) and on two nodes (inter-host: the same plus Calico's IP-in-IP and " +
		"native ('xsub') modes), on the paper's testbed: 2 nodes of ten 2.4 GHz cores, 10 Gbit/s. Bars are " +
		"means over replications with Student-t 95% confidence whiskers; RR latency is the mean transaction " +
		"time (1 / transactions per second).",
	Scenarios: fig3Files,
	Quick:     fig3Quick,
	Needs:     []string{"tcp_stream", "tcp_rr", "udp_rr"},
	Analyse:   analyseFig3,
}

// runDesc describes a run for figure titles: "10 s x 10 reps".
func runDesc(r *Run) string {
	b := r.Plan.Base
	return fmt.Sprintf("%s x %d reps", scenario.FormatDuration(b.Duration), b.Replications)
}

// fig3Panel is one placement's three panels.
type fig3Panel struct {
	tput, tcp, udp       []Row
	tputM, tcpM, udpM    []float64
	tputCI, tcpCI, udpCI []float64
	tputS, tcpS, udpS    []results.Stat // for the orderings' intervals
}

func (d *Data) fig3Panel(stream, rr []config) (*fig3Panel, error) {
	var p fig3Panel
	var err error
	if p.tput, err = d.rows(stream); err != nil {
		return nil, err
	}
	if p.tcp, err = d.rows(rr, "workload.kind", "tcp_rr"); err != nil {
		return nil, err
	}
	if p.udp, err = d.rows(rr, "workload.kind", "udp_rr"); err != nil {
		return nil, err
	}
	p.tputM, p.tputCI = means(p.tput, results.ThroughputMbps, 1e-3)
	p.tcpM, p.tcpCI = means(p.tcp, results.RTTMicros, 1)
	p.udpM, p.udpCI = means(p.udp, results.RTTMicros, 1)
	p.tputS, p.tcpS, p.udpS = statsOf(p.tput, results.ThroughputMbps), statsOf(p.tcp, results.RTTMicros), statsOf(p.udp, results.RTTMicros)
	return &p, nil
}

func analyseFig3(d *Data) (*Output, error) {
	out := &Output{}
	intra, inter := intraConfigs("fig3-stream"), interConfigs("fig3-stream")
	pi, err := d.fig3Panel(intra, intraConfigs("fig3-rr"))
	if err != nil {
		return nil, err
	}
	pe, err := d.fig3Panel(inter, interConfigs("fig3-rr"))
	if err != nil {
		return nil, err
	}
	sdesc, rdesc := runDesc(d.Runs[0]), runDesc(d.Runs[4])
	for _, s := range []struct {
		name, where, letters string
		cs                   []config
		p                    *fig3Panel
	}{{"fig3-intra", "intra-host", "abc", intra, pi}, {"fig3-inter", "inter-host", "def", inter, pe}} {
		cat := labels(s.cs)
		bars := func(letter, what, ylabel string, m, ci, bound []float64) plots.Bars {
			desc := rdesc
			if letter == s.letters[0:1] {
				desc = sdesc
			}
			return plots.Bars{
				Title:      fmt.Sprintf("Fig. 3(%s) %s %s (simulated, %s)", letter, s.where, what, desc),
				YLabel:     ylabel,
				Categories: cat,
				Series:     []plots.Series{{Mean: m, CI95: ci, Max: bound}},
			}
		}
		f, err := d.panels(s.name, fmt.Sprintf("Fig. 3 %s: netperf TCP_STREAM throughput, TCP_RR and UDP_RR latency per CNI.", s.where),
			bars(s.letters[0:1], "TCP throughput", "throughput (Gbit/s)", s.p.tputM, s.p.tputCI, bounds(s.p.tput)),
			bars(s.letters[1:2], "TCP_RR latency", "latency (µs)", s.p.tcpM, s.p.tcpCI, nil),
			bars(s.letters[2:3], "UDP_RR latency", "latency (µs)", s.p.udpM, s.p.udpCI, nil))
		if err != nil {
			return nil, err
		}
		out.Figures = append(out.Figures, f)
		t := report.Table{
			Caption: fmt.Sprintf("Fig. 3 %s (mean ± 95%% CI; TCP_STREAM %s, RR %s):", s.where, sdesc, rdesc),
			Header:  []string{"CNI", "TCP throughput (Gbit/s)", "TCP_RR latency (µs)", "UDP_RR latency (µs)", "TCP_RR transactions/s"},
		}
		for i, c := range s.cs {
			tps, _ := s.p.tcp[i].Stat(results.TransactionsPerSec)
			ts, _ := s.p.tput[i].Stat(results.ThroughputMbps)
			rs, _ := s.p.tcp[i].Stat(results.RTTMicros)
			us, _ := s.p.udp[i].Stat(results.RTTMicros)
			t.Rows = append(t.Rows, []string{c.Label, pm(ts, 1e-3), pm(rs, 1), pm(us, 1), pm(tps, 1)})
		}
		out.Tables = append(out.Tables, t)
	}
	out.Checks = append(out.Checks, fig3IntraChecks(labels(intra), pi)...)
	out.Checks = append(out.Checks, fig3InterChecks(inter, pe)...)
	return out, nil
}

var srcIntra, srcInter = paperSrc("III.B, Fig. 3(a)-(c)"), paperSrc("III.C, Fig. 3(d)-(f)")

func fig3IntraChecks(cat []string, p *fig3Panel) []report.Check {
	var cs []report.Check
	best, bv := argmax(cat, p.tputM)
	cs = append(cs, ordering("intra: highest TCP throughput", srcIntra, "Cilium", fmt.Sprintf("%s (%s Gbit/s)", best, num(bv)), best == "Cilium", top(p.tputS, index(cat, best))))
	for _, k := range []struct {
		what string
		m    []float64
		s    []results.Stat
	}{{"TCP_RR", p.tcpM, p.tcpS}, {"UDP_RR", p.udpM, p.udpS}} {
		lo, lv := argmin(cat, k.m)
		cs = append(cs, ordering("intra: lowest "+k.what+" latency", srcIntra, "Cilium", fmt.Sprintf("%s (%s µs)", lo, num(lv)), lo == "Cilium", bottom(k.s, index(cat, lo))))
	}
	worst, wv := argmin(cat, p.tputM)
	cs = append(cs, ordering("intra: lowest TCP throughput", srcIntra, "Calico-wp", fmt.Sprintf("%s (%s Gbit/s)", worst, num(wv)), worst == "Calico-wp", bottom(p.tputS, index(cat, worst))))
	for _, k := range []struct {
		what string
		m    []float64
		s    []results.Stat
	}{{"TCP_RR", p.tcpM, p.tcpS}, {"UDP_RR", p.udpM, p.udpS}} {
		hi, hv := argmax(cat, k.m)
		cs = append(cs, ordering("intra: highest "+k.what+" latency", srcIntra, "Calico-wp", fmt.Sprintf("%s (%s µs)", hi, num(hv)), hi == "Calico-wp", top(k.s, index(cat, hi))))
	}
	// "Layer 3 routing based solutions (Calico-wp and Calico-np) are worse
	// than the Layer 2 based solutions" (Flannel, Weave, Kube-router).
	l2i := indices(cat, "Flannel", "Weave", "Kube-router")
	l3i := indices(cat, "Calico-np", "Calico-wp")
	l2, l3 := pick(p.tputM, l2i...), pick(p.tputM, l3i...)
	cs = append(cs, ordering("intra: L3 (Calico-np/wp) below L2 bridges (Flannel, Weave, Kube-router) in TCP throughput", srcIntra,
		"L3 < L2", fmt.Sprintf("best L3 %s vs worst L2 %s Gbit/s", num(maxOf(l3)), num(minOf(l2))), maxOf(l3) < minOf(l2), apart(at(p.tputS, l2i...), at(p.tputS, l3i...))))
	// "the TCP round-trip latency of each CNI is slightly higher than for UDP".
	var worse []string
	var seps []separation
	for i, c := range cat {
		if !(p.tcpM[i] > p.udpM[i]) {
			worse = append(worse, c)
		}
		seps = append(seps, apart(one(p.tcpS[i]), one(p.udpS[i])))
	}
	pred := "TCP > UDP for all"
	if len(worse) > 0 {
		pred = "not for " + strings.Join(worse, ", ")
	}
	cs = append(cs, ordering("intra: TCP_RR latency above UDP_RR for each CNI", srcIntra, "TCP > UDP, slightly", pred, len(worse) == 0, all(seps...)))
	return cs
}

func fig3InterChecks(cfg []config, p *fig3Panel) []report.Check {
	var cs []report.Check
	split := func(m []float64) (native, overlay []float64) {
		for i, c := range cfg {
			if c.Native {
				native = append(native, m[i])
			} else {
				overlay = append(overlay, m[i])
			}
		}
		return
	}
	splitS := func(m []results.Stat) (native, overlay []results.Stat) {
		for i, c := range cfg {
			if c.Native {
				native = append(native, m[i])
			} else {
				overlay = append(overlay, m[i])
			}
		}
		return
	}
	ns, os := splitS(p.tputS)
	n, o := split(p.tputM)
	cs = append(cs, ordering("inter: every native routing CNI (Kube-router, Cali-*-xsub) above every overlay in TCP throughput", srcInter,
		"native > overlay", fmt.Sprintf("worst native %s vs best overlay %s Gbit/s", num(minOf(n)), num(maxOf(o))), minOf(n) > maxOf(o), apart(ns, os)))
	for _, k := range []struct {
		what string
		m    []float64
		s    []results.Stat
	}{{"TCP_RR", p.tcpM, p.tcpS}, {"UDP_RR", p.udpM, p.udpS}} {
		n, o := split(k.m)
		ns, os := splitS(k.s)
		cs = append(cs, ordering("inter: every native routing CNI below every overlay in "+k.what+" latency", srcInter,
			"native < overlay", fmt.Sprintf("worst native %s vs best overlay %s µs", num(maxOf(n)), num(minOf(o))), maxOf(n) < minOf(o), apart(os, ns)))
	}
	// "the CNIs with simple (system default) iptables perform much better
	// than the complex ones": Calico without policy vs with, per mode.
	cat := labels(cfg)
	for _, m := range []struct{ np, wp int }{
		{index(cat, "Cali-np-ipip"), index(cat, "Cali-wp-ipip")},
		{index(cat, "Cali-np-xsub"), index(cat, "Cali-wp-xsub")},
	} {
		cs = append(cs, ordering(fmt.Sprintf("inter: %s above %s in TCP throughput", cfg[m.np].Label, cfg[m.wp].Label), srcInter,
			"simple iptables > complex", fmt.Sprintf("%s vs %s Gbit/s", num(p.tputM[m.np]), num(p.tputM[m.wp])), p.tputM[m.np] > p.tputM[m.wp], apart(at(p.tputS, m.np), at(p.tputS, m.wp))))
	}
	return cs
}

func maxOf(vs []float64) float64 {
	m := math.Inf(-1)
	for _, v := range vs {
		m = math.Max(m, v)
	}
	return m
}

func minOf(vs []float64) float64 {
	m := math.Inf(1)
	for _, v := range vs {
		m = math.Min(m, v)
	}
	return m
}

func meanOf(vs []float64) float64 {
	s := 0.0
	for _, v := range vs {
		s += v
	}
	return s / float64(len(vs))
}

// indices returns the positions of names in labels (-1 where absent).
func indices(labels []string, names ...string) []int {
	out := make([]int, len(names))
	for i, n := range names {
		out[i] = index(labels, n)
	}
	return out
}

// pick returns vs at the positions.
func pick(vs []float64, at ...int) []float64 {
	out := make([]float64, len(at))
	for i, j := range at {
		out[i] = vs[j]
	}
	return out
}
