package catalog

import (
	"fmt"
	"math"

	"github.com/cnisim/cnisim/experiments/report"
	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/models/cni"
	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/plots"
)

var paperFig4 = &Experiment{
	Name:  "paper-fig4",
	Title: "Fig. 4: cycles per packet by stage, intra-host, per CNI (virtual perf, TCP stream)",
	About: "The CPU cycles each stage of the datapath costs per packet (the paper's CPP, formula III.1), " +
		"measured by the simulation's virtual perf on the node of two pods during a netperf TCP_STREAM. " +
		"Each bar is one CNI, each segment one stage kind; the total is the bar's height. The sender's and " +
		"receiver's work and the ACKs are included, as perf on the node would see them. The runs are " +
		"paper-fig3's TCP_STREAM tests (10 s, as the paper's perf measurements).",
	Scenarios: fig3Files[0:2],
	Quick:     fig3Quick,
	Needs:     []string{"tcp_stream"},
	Analyse:   analyseFig4,
}

var paperFig5 = &Experiment{
	Name:  "paper-fig5",
	Title: "Fig. 5: cycles per packet by stage, inter-host (receiver node), per CNI",
	About: "As Fig. 4, between pods on two nodes, measured on the receiving node as in the paper: overlays " +
		"add encapsulation (VXLAN, IP-in-IP, OVS) and, for Flannel and Calico-IPIP, a second pass through " +
		"the host IP stack.",
	Scenarios: fig3Files[2:4],
	Quick:     fig3Quick,
	Needs:     []string{"tcp_stream"},
	Analyse:   analyseFig5,
}

var paperFig6 = &Experiment{
	Name:  "paper-fig6",
	Title: "Fig. 6: FIB lookups per 100,000 packets, inter-host, per CNI",
	About: "How many FIB lookups (fib_table_lookup in the paper's perf traces) the packets of an inter-host " +
		"TCP stream and their ACKs cause on both nodes, per 100,000 data packets. Kube-router's extra " +
		"lookup in its DSR routing table makes it the highest in the paper.",
	Scenarios: fig3Files[2:4],
	Quick:     fig3Quick,
	Needs:     []string{"tcp_stream"},
	Analyse:   analyseFig6,
}

// cppStacked is a stacked bar per config, one layer per stage kind in
// canonical order (so a stage keeps its colour in Fig. 4 and Fig. 5). The
// generic kinds (netdev onwards) get a layer only where some config spends
// cycles on them: the palette tells 20 layers apart, and the paper's
// profile costs them nothing.
func cppStacked(title string, cs []config, rs []Row) plots.Stacked {
	s := plots.Stacked{Title: title, YLabel: "CPU cycles per packet", Categories: labels(cs)}
	for _, k := range datapath.Kinds() {
		l := plots.Layer{Name: k.String(), Values: make([]float64, len(rs))}
		for i, r := range rs {
			if st, ok := r.Member(results.CPPByStage, k.String()); ok {
				l.Values[i] = math.Max(st.Mean, 0)
			}
		}
		if k >= datapath.Netdev && allZero(l.Values) {
			continue
		}
		s.Layers = append(s.Layers, l)
	}
	return s
}

// cppTable lists every stage's CPP per config and the total.
func cppTable(caption string, cs []config, rs []Row) report.Table {
	var kinds []string
	for _, k := range datapath.Kinds() {
		for _, r := range rs {
			if _, ok := r.Member(results.CPPByStage, k.String()); ok {
				kinds = append(kinds, k.String())
				break
			}
		}
	}
	t := report.Table{Caption: caption, Header: append(append([]string{"CNI"}, kinds...), "total")}
	for i, r := range rs {
		row := []string{cs[i].Label}
		for _, k := range kinds {
			st, ok := r.Member(results.CPPByStage, k)
			if !ok {
				row = append(row, "")
				continue
			}
			row = append(row, num(st.Mean))
		}
		tot, _ := r.Stat(results.CPPTotal)
		t.Rows = append(t.Rows, append(row, pm(tot, 1)))
	}
	return t
}

// stage returns the CPP of a row's stage(s), summed; NaN if none measured.
func stage(r Row, kinds ...string) float64 {
	sum, any := 0.0, false
	for _, k := range kinds {
		if st, ok := r.Member(results.CPPByStage, k); ok {
			sum += st.Mean
			any = true
		}
	}
	if !any {
		return math.NaN()
	}
	return sum
}

// quoted names a stage, or a sum of stages, whose CPP the paper quotes
// (cni.PaperQuote), as the checks name it.
type quoted struct {
	name  string
	kinds []datapath.Kind
}

var (
	qVeth       = quoted{"veth", []datapath.Kind{datapath.Veth}}
	qBridge     = quoted{"bridge", []datapath.Kind{datapath.Bridge}}
	qFIB        = quoted{"FIB", []datapath.Kind{datapath.FIB}}
	qIPForward  = quoted{"IP forwarding", []datapath.Kind{datapath.IPForward}}
	qFIBForward = quoted{"FIB + IP forwarding", []datapath.Kind{datapath.FIB, datapath.IPForward}}
	qEBPF       = quoted{"eBPF", []datapath.Kind{datapath.EBPF}}
	qNetfilter  = quoted{"netfilter", []datapath.Kind{datapath.Netfilter}}
	qVXLAN      = quoted{"VXLAN", []datapath.Kind{datapath.VXLAN}}
	qIPIP       = quoted{"IP-in-IP", []datapath.Kind{datapath.IPIP}}
	qOVS        = quoted{"OVS", []datapath.Kind{datapath.OVS}}
)

// quoteChecks compares each configuration's CPP of the stages with what
// the paper quotes for it (the one table, cni.PaperQuote), configuration
// by configuration in the figure's order, the numbers the paper states
// before those derived from them. The checks echo the calibration input:
// the paper profile's per-stage cycles are these very numbers. A stage
// the paper says a configuration lacks is the models' concern
// (models/cni), not a check here.
func quoteChecks(pl datapath.Placement, src string, cs []config, rs []Row, stages ...quoted) []report.Check {
	var out []report.Check
	for _, derived := range []bool{false, true} {
		for i, c := range cs {
			for _, st := range stages {
				q, ok := cni.PaperQuote(pl, c.Label, st.kinds...)
				if !ok || q.Absent || (q.Derived != "") != derived {
					continue
				}
				var names []string
				for _, k := range st.kinds {
					names = append(names, k.String())
				}
				claim, source, got := st.name+", "+c.Label, src, stage(rs[i], names...)
				if derived {
					source += " (" + q.Derived + ", derived)"
				}
				if q.Lo != 0 || q.Hi != 0 {
					out = append(out, echo(span(claim, source, q.Lo, q.Hi, " CPP", got)))
				} else {
					out = append(out, echo(number(claim, source, q.CPP, " CPP", got)))
				}
			}
		}
	}
	return out
}

func analyseCPP(d *Data, cs []config, fig, slug, where string) (*Output, []Row, error) {
	rs, err := d.rows(cs)
	if err != nil {
		return nil, nil, err
	}
	desc := runDesc(d.Runs[0])
	f, err := d.figure("fig"+fig+"-cpp-"+slug, fmt.Sprintf("Fig. %s: CPU cycles per packet by stage, %s, stacked; the bar's height is the total.", fig, where),
		cppStacked(fmt.Sprintf("Fig. %s CPP by stage, %s TCP stream (simulated, %s)", fig, where, desc), cs, rs))
	if err != nil {
		return nil, nil, err
	}
	out := &Output{Figures: []Figure{f}, Tables: []report.Table{cppTable(fmt.Sprintf("Cycles per packet by stage (mean over %s; total ± 95%% CI):", desc), cs, rs)}}
	return out, rs, nil
}

func analyseFig4(d *Data) (*Output, error) {
	cs := intraConfigs("fig3-stream")
	out, rs, err := analyseCPP(d, cs, "4", "intra", "intra-host")
	if err != nil {
		return nil, err
	}
	src := paperSrc("III.B, Fig. 4")
	add := func(c report.Check) { out.Checks = append(out.Checks, c) }
	// The paper profile's per-stage cycles are these very numbers, so the
	// per-stage rows echo the calibration input.
	for _, st := range [][]quoted{{qVeth}, {qBridge}, {qFIB, qIPForward}, {qEBPF}, {qNetfilter}} {
		out.Checks = append(out.Checks, quoteChecks(datapath.Intra, src, cs, rs, st...)...)
	}
	// "This overhead of both FIB and IP forwarding is nearly 1.7x higher
	// than the overhead of bridging approaches."
	var br []float64
	for i, c := range cs {
		if q, ok := cni.PaperQuote(datapath.Intra, c.Label, datapath.Bridge); ok && !q.Absent {
			br = append(br, stage(rs[i], "bridge"))
		}
	}
	np := rs[index(labels(cs), "Calico-np")]
	add(echo(number("Calico-np FIB + IP forwarding / mean bridge CPP", src, cni.PaperFIBForwardOverBridge, "x", stage(np, "fib", "ip_forward")/meanOf(br))))
	tot, _ := means(rs, results.CPPTotal, 1)
	ts := statsOf(rs, results.CPPTotal)
	hi, hv := argmax(labels(cs), tot)
	lo, lv := argmin(labels(cs), tot)
	add(ordering("highest total CPP", src, "Calico-wp", fmt.Sprintf("%s (%s)", hi, num(hv)), hi == "Calico-wp", top(ts, index(labels(cs), hi))))
	add(ordering("lowest total CPP", src, "Cilium", fmt.Sprintf("%s (%s)", lo, num(lv)), lo == "Cilium", bottom(ts, index(labels(cs), lo))))
	out.Notes = append(out.Notes, "The simulation's totals also include the TCP, socket-copy and NIC stages, which the paper's breakdown does not show.")
	return out, nil
}

func analyseFig5(d *Data) (*Output, error) {
	cs := interConfigs("fig3-stream")
	out, rs, err := analyseCPP(d, cs, "5", "inter", "inter-host (receiver node)")
	if err != nil {
		return nil, err
	}
	src := paperSrc("III.C, Fig. 5")
	add := func(c report.Check) { out.Checks = append(out.Checks, c) }
	for _, st := range []quoted{qVeth, qFIBForward, qEBPF, qVXLAN, qIPIP, qOVS} {
		out.Checks = append(out.Checks, quoteChecks(datapath.Inter, src, cs, rs, st)...)
	}
	tot, _ := means(rs, results.CPPTotal, 1)
	ts := statsOf(rs, results.CPPTotal)
	var nat, ovl []float64
	var natS, ovlS []results.Stat
	for i, c := range cs {
		if c.Native {
			nat, natS = append(nat, tot[i]), append(natS, ts[i])
		} else {
			ovl, ovlS = append(ovl, tot[i]), append(ovlS, ts[i])
		}
	}
	add(ordering("every native routing CNI below every overlay in total CPP", src, "native < overlay",
		fmt.Sprintf("worst native %s vs best overlay %s", num(maxOf(nat)), num(minOf(ovl))), maxOf(nat) < minOf(ovl), apart(ovlS, natS)))
	nf := make([]float64, len(rs))
	for i := range rs {
		nf[i] = stage(rs[i], "netfilter")
	}
	hi, hv := argmax(labels(cs), nf)
	nfS := memberStats(rs, "netfilter")
	add(ordering("highest netfilter CPP", src, "Cali-wp-ipip", fmt.Sprintf("%s (%s)", hi, num(hv)), hi == "Cali-wp-ipip", top(nfS, index(labels(cs), hi))))
	// "Kube-router and Cali-np-xsub have the lowest": the two lowest.
	lo1, _ := argmin(labels(cs), nf)
	rest := append([]float64{}, nf...)
	for i, c := range cs {
		if c.Label == lo1 {
			rest[i] = math.Inf(1)
		}
	}
	lo2, _ := argmin(labels(cs), rest)
	ok := (lo1 == "Kube-router" || lo1 == "Cali-np-xsub") && (lo2 == "Kube-router" || lo2 == "Cali-np-xsub")
	i1, i2 := index(labels(cs), lo1), index(labels(cs), lo2)
	add(ordering("lowest netfilter CPP", src, "Kube-router and Cali-np-xsub", lo1+" and "+lo2, ok, apart(without(nfS, i1, i2), at(nfS, i1, i2))))
	return out, nil
}

func analyseFig6(d *Data) (*Output, error) {
	cs := interConfigs("fig3-stream")
	rs, err := d.rows(cs)
	if err != nil {
		return nil, err
	}
	m, ci := means(rs, results.FIBPer100kPackets, 1)
	desc := runDesc(d.Runs[0])
	f, err := d.figure("fig6-fib-lookups", "Fig. 6: FIB lookups on both nodes per 100,000 data packets of an inter-host TCP stream.",
		plots.Bars{Title: fmt.Sprintf("Fig. 6 FIB lookups, inter-host TCP stream (simulated, %s)", desc),
			YLabel: "FIB lookups per 100,000 packets", Categories: labels(cs), Series: []plots.Series{{Mean: m, CI95: ci}}})
	if err != nil {
		return nil, err
	}
	t := report.Table{Caption: fmt.Sprintf("FIB lookups per 100,000 packets (mean ± 95%% CI, %s):", desc), Header: []string{"CNI", "FIB lookups per 100k packets", "per packet"}}
	for i, c := range cs {
		s, _ := rs[i].Stat(results.FIBPer100kPackets)
		t.Rows = append(t.Rows, []string{c.Label, pm(s, 1), num(s.Mean / 1e5)})
	}
	hi, hv := argmax(labels(cs), m)
	out := &Output{Figures: []Figure{f}, Tables: []report.Table{t}, Checks: []report.Check{
		ordering("most FIB lookups", paperSrc("III.C, Fig. 6"), "Kube-router", fmt.Sprintf("%s (%s)", hi, num(hv)), hi == "Kube-router",
			top(statsOf(rs, results.FIBPer100kPackets), index(labels(cs), hi))),
	}}
	out.Notes = append(out.Notes, "The paper's Fig. 6 counts are not in its text; only the ordering is compared.")
	return out, nil
}
