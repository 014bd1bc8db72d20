package catalog

import (
	"fmt"

	"github.com/cnisim/cnisim/experiments/report"
	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/plots"
)

var whatifServices = &Experiment{
	Name:  "whatif-services",
	Title: "What-if: Services (100..30,000, 4 endpoints) against first-packet latency and TCP_CRR rate, per proxy mode",
	About: "netperf TCP_CRR from a pod to a ClusterIP through Flannel VXLAN: one connection per 1-byte transaction, " +
		"the Service picked uniformly among the cluster's. kube-proxy's iptables mode walks KUBE-SERVICES to the " +
		"Service's rule on every connection's first packet (on average half of them), so its first-packet latency " +
		"grows linearly with the Services and the CRR rate falls; IPVS and nftables look the Service up in hash " +
		"tables and verdict maps, flat in the count; eBPF at tc looks it up on every packet, eBPF at connect() once " +
		"per connection. The last panel is the client node's CPU per 1,000 new connections per second.",
	Scenarios: []string{"services.toml"},
	Quick:     []Setting{{"replications", int64(1)}, {"duration", "40ms"}, {"warmup", "10ms"}},
	Needs:     []string{"tcp_crr"},
	Analyse:   analyseServices,
}

func analyseServices(d *Data) (*Output, error) {
	run := d.Runs[0]
	counts := axisValues(run, "service.count")
	proxies := axisValues(run, "service.proxy")
	first := plots.Lines{Title: fmt.Sprintf("First-packet latency vs Services, 4 endpoints each (simulated, %s)", runDesc(run)),
		XLabel: "Services", YLabel: "first packet (µs, mean)", LogX: true}
	rate := plots.Lines{Title: "TCP_CRR rate, one loop", XLabel: "Services", YLabel: "connections/s", LogX: true}
	cpu := plots.Lines{Title: "client node CPU per 1,000 connections/s", XLabel: "Services", YLabel: "cores", LogX: true}
	t := report.Table{Caption: fmt.Sprintf("First-packet latency (µs, mean; p99) and TCP_CRR rate (connections/s) by Services and proxy (%s):", runDesc(run)),
		Header: []string{"Services"}}
	for _, p := range proxies {
		t.Header = append(t.Header, fmt.Sprintf("%s first µs (p99)", p), fmt.Sprintf("%s conn/s", p))
	}
	rows := make([][]string, len(counts))
	for i, c := range counts {
		rows[i] = []string{fmt.Sprint(c)}
	}
	for _, p := range proxies {
		fs := plots.LineSeries{Name: fmt.Sprint(p)}
		rs, cs := plots.LineSeries{Name: fs.Name}, plots.LineSeries{Name: fs.Name}
		for i, c := range counts {
			r, err := run.Find("service.count", c, "service.proxy", p)
			if err != nil {
				return nil, err
			}
			f, _ := r.Stat("first_packet_us")
			cps, _ := r.Stat("connections_per_s")
			core, _ := r.Member("cores_per_1k_cps", "node0")
			x := toFloat(c)
			addPoint(&fs, x, f.Mean, 0)
			addPoint(&rs, x, cps.Mean, cps.CI95)
			addPoint(&cs, x, core.Mean, 0)
			rows[i] = append(rows[i], fmt.Sprintf("%s (%s)", num(f.Mean), num(f.P99)), pm(cps, 1))
		}
		first.Series = append(first.Series, nonEmpty(fs))
		rate.Series = append(rate.Series, nonEmpty(rs))
		cpu.Series = append(cpu.Series, nonEmpty(cs))
	}
	t.Rows = rows
	fig, err := panels("services", "First-packet latency (top), TCP_CRR rate (middle) and the client node's CPU per 1,000 connections per second (bottom) against the number of Services, per proxy mode.", first, rate, cpu)
	if err != nil {
		return nil, err
	}
	out := &Output{Figures: []Figure{fig}, Tables: []report.Table{t}}
	out.Checks = append(out.Checks, servicesChecks(run, counts)...)
	out.Notes = append(out.Notes,
		"Costs: the iptables per-rule cost is the kubeproxy-blog-2025 layer's 17.98 ns (derived from the reference below), nftables rules "+
			"at the measured nftables/iptables-legacy ratio 16.80/15.28 of it; lookups 250 cycles and conntrack creation 1,500 cycles "+
			"(eBPF 500) assumed (models/service/costs.go). Each connection ends with netperf's FIN exchange (the server closes first and "+
			"holds TIME_WAIT; a transaction ends when the client's close() returns, after the server's FIN).",
		"Reference: the kube-proxy nftables announcement (kubernetes.io/blog/2025/02/28/nftables-kube-proxy, fig. 1) plots iptables "+
			"first-packet latency at p01/p50/p90/p99 for 5,000, 10,000 and 30,000 Services; its bars are quoted in "+
			"experiments/catalog/servicesref.go. Its p50 slope from 5,000 to 30,000 is the calibration (the echo below); the p90 and p99 "+
			"slopes and the slopes of the two halves are predictions. Its absolute latencies (a baseline of unknown hardware) are not compared: "+
			"only differences between cluster sizes, which cancel the baseline.")
	_ = results.RTTMicros
	return out, nil
}
