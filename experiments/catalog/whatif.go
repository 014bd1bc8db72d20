package catalog

import (
	"fmt"
	"math"
	"slices"

	"github.com/cnisim/cnisim/experiments/report"
	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/plots"
)

var whatifMtu = &Experiment{
	Name:  "whatif-mtu",
	Title: "What-if: TCP throughput and CPU against the underlay MTU (1280..9000), per plugin",
	About: "One TCP stream between pods on two nodes at 10 Gbit/s, each plugin in its default mode, the node " +
		"MTU swept from 1280 to 9000 bytes. Small MTUs mean more packets per byte and so more per-packet " +
		"work: CPU-heavy datapaths fall below the link rate; at jumbo frames all approach it.",
	Scenarios: []string{"mtu-sweep.toml"},
	Quick:     []Setting{{"replications", int64(2)}, {"duration", "100ms"}, {"warmup", "20ms"}},
	Needs:     []string{"tcp_stream"},
	Analyse:   analyseMTU,
}

var whatifPolicyRules = &Experiment{
	Name:  "whatif-policy-rules",
	Title: "What-if: network policy size (0..10,000 iptables rules) against throughput and latency, Calico",
	About: "Calico IP-in-IP with policy enabled between pods on two nodes, with extra ingress policy rules of the " +
		"server pod that every packet toward it traverses (its ACKs going back do not). Netfilter's per-packet cost grows linearly with the rules, so throughput falls " +
		"roughly as 1 / (a + b x rules) and TCP_RR latency grows linearly once the rules dominate.",
	Scenarios: []string{"policy-rules.toml"},
	Quick:     []Setting{{"replications", int64(2)}, {"duration", "200ms"}, {"warmup", "50ms"}},
	Needs:     []string{"tcp_stream", "tcp_rr"},
	Analyse:   analysePolicy,
}

func analyseMTU(d *Data) (*Output, error) {
	run := d.Runs[0]
	plugins := axisValues(run, "cni.plugin")
	mtus := axisValues(run, "cluster.mtu")
	tput := plots.Lines{Title: fmt.Sprintf("TCP throughput vs MTU, inter-host, 10 Gbit/s (simulated, %s)", runDesc(run)),
		XLabel: "underlay MTU (bytes)", YLabel: "throughput (Gbit/s)"}
	cpu := plots.Lines{Title: "CPU cores busy on the receiving node", XLabel: "underlay MTU (bytes)", YLabel: "cores"}
	t := report.Table{Caption: "TCP throughput (Gbit/s, mean ± 95% CI) by underlay MTU:", Header: []string{"MTU (bytes)"}}
	rows := make([][]string, len(mtus))
	for i, m := range mtus {
		rows[i] = []string{fmt.Sprint(m)}
	}
	for _, p := range plugins {
		t.Header = append(t.Header, displayName(fmt.Sprint(p)))
		ts := plots.LineSeries{Name: displayName(fmt.Sprint(p))}
		cs := plots.LineSeries{Name: ts.Name}
		for i, m := range mtus {
			r, err := run.Find("cni.plugin", p, "cluster.mtu", m)
			if err != nil {
				return nil, err
			}
			st, _ := r.Stat(results.ThroughputMbps)
			c, _ := r.Stat(results.CPUCoresUsed)
			x := toFloat(m)
			ts.X, ts.Y, ts.CI95 = append(ts.X, x), append(ts.Y, st.Mean/1000), append(ts.CI95, st.CI95/1000)
			ts.Max = append(ts.Max, gbpsBound(r))
			cs.X, cs.Y = append(cs.X, x), append(cs.Y, c.Mean)
			rows[i] = append(rows[i], pm(st, 1e-3))
		}
		tput.Series, cpu.Series = append(tput.Series, ts), append(cpu.Series, cs)
	}
	t.Rows = rows
	f, err := d.panels("mtu-sweep", "TCP throughput (top) and receiver CPU cores busy (bottom) against the underlay MTU, per plugin in its default mode.", tput, cpu)
	if err != nil {
		return nil, err
	}
	return &Output{Figures: []Figure{f}, Tables: []report.Table{t}}, nil
}

func analysePolicy(d *Data) (*Output, error) {
	run := d.Runs[0]
	rules := axisValues(run, "cni.policy_rules")
	tput := plots.LineSeries{Name: "TCP throughput"}
	lat := plots.LineSeries{Name: "TCP_RR latency"}
	nf := plots.LineSeries{Name: "netfilter CPP"}
	t := report.Table{Caption: fmt.Sprintf("Calico-wp IP-in-IP, inter-host (mean ± 95%% CI, %s):", runDesc(run)),
		Header: []string{"policy rules", "throughput (Gbit/s)", "TCP_RR latency (µs)", "netfilter CPP (receiver)", "total CPP"}}
	for _, n := range rules {
		s, err := run.Find("cni.policy_rules", n, "workload.kind", "tcp_stream")
		if err != nil {
			return nil, err
		}
		r, err := run.Find("cni.policy_rules", n, "workload.kind", "tcp_rr")
		if err != nil {
			return nil, err
		}
		x := toFloat(n)
		ts, _ := s.Stat(results.ThroughputMbps)
		ls, _ := r.Stat(results.RTTMicros)
		tot, _ := s.Stat(results.CPPTotal)
		tput.X, tput.Y, tput.CI95 = append(tput.X, x), append(tput.Y, ts.Mean/1000), append(tput.CI95, ts.CI95/1000)
		tput.Max = append(tput.Max, gbpsBound(s))
		lat.X, lat.Y, lat.CI95 = append(lat.X, x), append(lat.Y, ls.Mean), append(lat.CI95, ls.CI95)
		addPoint(&nf, x, stage(s, "netfilter"), 0)
		t.Rows = append(t.Rows, []string{fmt.Sprint(n), pm(ts, 1e-3), pm(ls, 1), num(stage(s, "netfilter")), pm(tot, 1)})
	}
	f, err := d.panels("policy-rules", "Calico with policy: TCP throughput, TCP_RR latency and netfilter cycles per packet against the number of policy rules.",
		plots.Lines{Title: fmt.Sprintf("Policy size, Calico-wp IP-in-IP, inter-host (simulated, %s)", runDesc(run)), XLabel: "policy rules", YLabel: "throughput (Gbit/s)", Series: []plots.LineSeries{tput}},
		plots.Lines{Title: "TCP_RR latency", XLabel: "policy rules", YLabel: "latency (µs)", Series: []plots.LineSeries{lat}},
		plots.Lines{Title: "netfilter cycles per packet (receiving node)", XLabel: "policy rules", YLabel: "cycles per packet", Series: []plots.LineSeries{nonEmpty(nf)}})
	if err != nil {
		return nil, err
	}
	out := &Output{Figures: []Figure{f}, Tables: []report.Table{t}}
	slope := math.NaN()
	// The first step: at thousands of rules the flow crawls, segments
	// arrive singly and the 40 ms delayed-ACK timer, not the second
	// segment, sends most ACKs, so the ACK share (and with it the base
	// netfilter cycles per data packet, though not the rule walks) drifts
	// above 0.5.
	if len(nf.X) > 1 {
		slope = (nf.Y[1] - nf.Y[0]) / (nf.X[1] - nf.X[0])
	}
	if len(nf.X) < len(rules) {
		out.Notes = append(out.Notes, "Points where no packet was measured have no cycles per packet and are left out of the netfilter line.")
	}
	// The rules guard the server pod: the receiving node walks them once
	// per data packet; the ACKs it sends back do not walk them.
	// The paper profile's iptables rule cost is this 20 ns: an echo.
	out.Checks = append(out.Checks, echo(number("netfilter cycles per data packet per rule (receiving node, slope over the first step)",
		"calibration profile paper ([[rule_cost]] iptables: ~20 ns per non-matching rule, second-hand public kube-proxy measurements, not a seed document) x 2.4 GHz = 48 cycles per walk, one walk per data packet (the server pod's ingress rules; its ACKs do not walk them), derived", 48, " cycles", slope)))
	out.Notes = append(out.Notes, "The slope counts every rule walk on the receiving node: one per data packet toward the server pod; the ACKs going back walk none.")
	return out, nil
}

// axisValues returns a run's swept values of key, in file order.
func axisValues(r *Run, key string) []any {
	for _, a := range r.Plan.Axes {
		if a.Key == key {
			return slices.Clone(a.Values)
		}
	}
	return nil
}

// toFloat converts a canonical sweep value (int64, uint64, float64) to float64.
func toFloat(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	case float64:
		return x
	case int:
		return float64(x)
	}
	return 0
}

// addPoint appends (x, y ± ci) to a line unless y is not finite (a metric
// undefined at that point, such as cycles per packet with no packets).
func addPoint(l *plots.LineSeries, x, y, ci float64) {
	if math.IsNaN(y) || math.IsInf(y, 0) {
		return
	}
	l.X, l.Y = append(l.X, x), append(l.Y, y)
	if l.CI95 != nil || ci != 0 {
		for len(l.CI95) < len(l.Y)-1 {
			l.CI95 = append(l.CI95, 0)
		}
		l.CI95 = append(l.CI95, ci)
	}
}

// nonEmpty gives a line with no points one point at the origin, so the
// figure still draws (its table says what is missing).
func nonEmpty(l plots.LineSeries) plots.LineSeries {
	if len(l.X) == 0 {
		l.X, l.Y, l.CI95 = []float64{0}, []float64{0}, nil
	}
	return l
}
