package catalog

import (
	"fmt"

	"github.com/cnisim/cnisim/experiments/report"
	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/plots"
)

var whatifHostQdisc = &Experiment{
	Name: "whatif-host-qdisc",
	Title: "What-if: the node's qdisc, a FIFO or fq_codel, under a pod's bulk stream with a latency-sensitive flow beside it, " +
		"per Flannel backend",
	About: "Two nodes of 1 GbE, Flannel host-gw, VXLAN or its user-space UDP backend, Linux's TCP (tcp.stack = \"linux\": the " +
		"pod's packets leave its socket's account at the node's IP stack, so its bulk stream fills the node's queue). " +
		"Beside the stream, from the same pod to the same server pod, a back-to-back 1-byte TCP request-response: " +
		"how long does it wait behind the stream, with pfifo_fast's FIFO of 1,000 packets or with fq_codel " +
		"(cluster.qdisc), whose flow queues serve a flow that has just become active first? fq_codel tells flows apart " +
		"by the hash their skbs carry: the socket's through host-gw and a kernel tunnel, the UDP daemon's one socket's " +
		"for every flow of a node pair through Flannel's UDP backend.",
	Scenarios: []string{"host-qdisc.toml"},
	Quick:     []Setting{{"replications", int64(2)}, {"duration", "600ms"}, {"warmup", "200ms"}},
	Needs:     []string{"mixed"},
	Analyse:   analyseHostQdisc,
}

// fqCodelSrc is the source of the ordering: RFC 8290's abstract.
const fqCodelSrc = "RFC 8290 abstract (FQ-CoDel \"provides isolation for low-rate traffic such as DNS, web, and " +
	"videoconferencing traffic\"; its flows that build no queue are served first, section 1.1)"

func analyseHostQdisc(d *Data) (*Output, error) {
	sr := d.Runs[0]
	desc := runDesc(sr)
	modes := axisValues(sr, "cni.mode")
	qdiscs := axisValues(sr, "cluster.qdisc")
	t := report.Table{Caption: fmt.Sprintf("The request-response flow beside the stream (mean ± 95%% CI; quantiles pooled, %s):", desc),
		Header: []string{"mode", "qdisc", "request-response RTT mean (µs)", "p50 (µs)", "p99 (µs)", "transactions/s",
			"stream (Mbit/s)", "drops", "cores used"}}
	fig := plots.Bars{Title: fmt.Sprintf("Request-response RTT beside a bulk stream (simulated, %s)", desc), YLabel: "RTT (ms)"}
	for _, m := range modes {
		fig.Categories = append(fig.Categories, fmt.Sprint(m))
	}
	rtt := map[string][]results.Stat{}
	for _, q := range qdiscs {
		s := plots.Series{Name: fmt.Sprint(q)}
		for _, m := range modes {
			r, err := sr.Find("cni.mode", m, "cluster.qdisc", q)
			if err != nil {
				return nil, err
			}
			lat, _ := r.Stat(results.RTTMicros)
			tps, _ := r.Stat(results.TransactionsPerSec)
			thr, _ := r.Stat(results.ThroughputMbps)
			dr, _ := r.Stat(results.Drops)
			c, _ := r.Stat(results.CPUCoresUsed)
			rtt[fmt.Sprint(q)] = append(rtt[fmt.Sprint(q)], lat)
			s.Mean, s.CI95 = append(s.Mean, lat.Mean/1000), append(s.CI95, lat.CI95/1000)
			t.Rows = append(t.Rows, []string{fmt.Sprint(m), fmt.Sprint(q), pm(lat, 1), num(lat.P50), num(lat.P99), pm(tps, 1),
				pm(thr, 1), num(dr.Mean), pm(c, 1)})
		}
		fig.Series = append(fig.Series, s)
	}
	f, err := panels("host-qdisc", "Mean request-response RTT beside a pod's bulk stream (mean ± 95% CI), per Flannel "+
		"backend and node qdisc.", fig)
	if err != nil {
		return nil, err
	}
	out := &Output{Figures: []Figure{f}, Tables: []report.Table{t}}
	fifo, fq := rtt["pfifo"], rtt["fq_codel"]
	for i, m := range modes {
		if m == "udp" || i >= len(fifo) || i >= len(fq) {
			continue // one daemon socket: no flow of its own for fq_codel to isolate (the table shows it)
		}
		out.Checks = append(out.Checks, ordering(fmt.Sprintf("%v: fq_codel gives the request-response flow a shorter RTT than the FIFO", m),
			fqCodelSrc, "low-rate traffic is isolated from the bulk flow's queue",
			fmt.Sprintf("%s vs %s µs", pm(fq[i], 1), pm(fifo[i], 1)), fq[i].Mean < fifo[i].Mean, apart(fifo[i:i+1], fq[i:i+1])))
	}
	return out, nil
}
