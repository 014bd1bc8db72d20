package testbed

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/calibration/perf"
	"github.com/cnisim/cnisim/models/datapath"
)

// Row is one configuration in validate's table.
type Row struct {
	Name     string  `json:"name"`
	CPUs     int     `json:"cpus,omitempty"` // 2: measured on two CPUs (Point.CPUs)
	Regime   string  `json:"regime"`
	Measured float64 `json:"measured_cpp"`
	// LOO is the leave-one-out prediction (a profile fitted without
	// this configuration); Profile the prediction by the profile given
	// to validate (in-sample when it was calibrated from this run).
	LOO        Prediction `json:"loo"`
	ProfileCPP float64    `json:"profile_cpp"`
	ProfileErr float64    `json:"profile_error_pct"`
	// One-core throughput: payload bits per busy CPU-second, measured and
	// as the leave-one-out CPP predicts it (same bytes per packet).
	MeasuredMbps  float64 `json:"one_core_mbps"`
	PredictedMbps float64 `json:"loo_one_core_mbps"`
	MbpsErr       float64 `json:"loo_one_core_error_pct"`
	RRLatencyUS   float64 `json:"rr_latency_us"` // TCP_RR, measured
	// RR latencies predicted by the simulator (AddRR; NaN before, or for
	// a configuration without a model), and UDP_RR measured (0 when the
	// run did not measure it).
	RRPredictedUS    float64 `json:"rr_predicted_us"`
	RRErr            float64 `json:"rr_error_pct"`
	UDPRRLatencyUS   float64 `json:"udp_rr_latency_us"`
	UDPRRPredictedUS float64 `json:"udp_rr_predicted_us"`
	UDPRRErr         float64 `json:"udp_rr_error_pct"`
	// The busy CPU time per transaction the perf recording of the RR run
	// measured (0 when not recorded): the wall time less what other jobs
	// on the CPU took; the errors compare the same predictions with it.
	RRCPUUS     float64 `json:"rr_cpu_us"`
	RRCPUErr    float64 `json:"rr_cpu_error_pct"`
	UDPRRCPUUS  float64 `json:"udp_rr_cpu_us"`
	UDPRRCPUErr float64 `json:"udp_rr_cpu_error_pct"`
	// The same simulated RR with a profile fitted without this
	// configuration (AddRRLeaveOneOut; NaN before, or where that profile
	// cannot run it).
	RRLOOUS     float64 `json:"rr_loo_us"`
	RRLOOErr    float64 `json:"rr_loo_error_pct"`
	UDPRRLOOUS  float64 `json:"udp_rr_loo_us"`
	UDPRRLOOErr float64 `json:"udp_rr_loo_error_pct"`
	// The UDP stream window (0 when the run measured none): datagrams
	// sent per second and busy cycles per datagram, and the simulator's
	// cycles per datagram with the profile (AddRR) and leave-one-out
	// (AddRRLeaveOneOut); NaN when not predicted.
	UDPSentPerS  float64 `json:"udp_sent_per_s"`
	UDPCycles    float64 `json:"udp_cycles_per_datagram"`
	UDPPredicted float64 `json:"udp_predicted_cycles"`
	UDPErr       float64 `json:"udp_error_pct"`
	UDPLOO       float64 `json:"udp_loo_cycles"`
	UDPLOOErr    float64 `json:"udp_loo_error_pct"`
}

// setUDP copies m's UDP stream window into the row.
func (r *Row) setUDP(m *Measurement) {
	if m.UDP != nil && m.UDP.TxPackets > 0 {
		r.UDPSentPerS, r.UDPCycles = m.UDP.SentPerS(), m.UDP.CyclesPerDatagram()
	}
}

// noRR marks a row's RR predictions as not made.
func (r *Row) noRR() {
	r.RRPredictedUS, r.RRErr, r.UDPRRPredictedUS, r.UDPRRErr = math.NaN(), math.NaN(), math.NaN(), math.NaN()
	r.RRCPUErr, r.UDPRRCPUErr = math.NaN(), math.NaN()
	r.RRLOOUS, r.RRLOOErr, r.UDPRRLOOUS, r.UDPRRLOOErr = math.NaN(), math.NaN(), math.NaN(), math.NaN()
	r.UDPPredicted, r.UDPErr, r.UDPLOO, r.UDPLOOErr = math.NaN(), math.NaN(), math.NaN(), math.NaN()
}

// Report is validate's result.
type Report struct {
	Machine string  `json:"machine"`
	Rule    string  `json:"rule"`
	Rows    []Row   `json:"rows"`
	CPP     Summary `json:"loo_cpp"` // the one-CPU configurations
	Mbps    Summary `json:"loo_one_core_mbps"`
	// TwoCPU summarises the two-CPU configurations' cycles per packet,
	// predicted from the one-CPU ones (N = 0 without any).
	TwoCPU  Summary `json:"loo_two_cpu_cpp"`
	Profile Summary `json:"profile_cpp"`
	// TCPRR and UDPRR summarise the RR latency predictions (AddRR) by
	// RRProfile under RRRule; N = 0 when none was made.
	TCPRR Summary `json:"tcp_rr"`
	UDPRR Summary `json:"udp_rr"`
	// TCPRRCPU and UDPRRCPU compare the same predictions with the busy CPU
	// time per transaction.
	TCPRRCPU  Summary  `json:"tcp_rr_cpu"`
	UDPRRCPU  Summary  `json:"udp_rr_cpu"`
	RRProfile string   `json:"rr_profile,omitempty"`
	RRRule    string   `json:"rr_rule,omitempty"`
	RRNotes   []string `json:"rr_notes,omitempty"`
	// TCPRRLOO and UDPRRLOO summarise the held-out RR predictions
	// (AddRRLeaveOneOut).
	TCPRRLOO Summary `json:"tcp_rr_loo"`
	UDPRRLOO Summary `json:"udp_rr_loo"`
	// UDPStream and UDPStreamLOO summarise the UDP stream windows' cycles
	// per datagram predicted by RRProfile and leave-one-out (UDPRule),
	// the Bias fields their median signed error.
	UDPStream        Summary `json:"udp_stream"`
	UDPStreamLOO     Summary `json:"udp_stream_loo"`
	UDPStreamBias    float64 `json:"udp_stream_median_error_pct"`
	UDPStreamLOOBias float64 `json:"udp_stream_loo_median_error_pct"`
	// ProfileNotes say why a row has no profile prediction.
	ProfileNotes []string `json:"profile_notes,omitempty"`
	// Unmodelled are measured configurations no built-in graph fits:
	// left out of the table, with the reason.
	Unmodelled []Skip `json:"unmodelled,omitempty"`
	Skipped    []Skip `json:"skipped,omitempty"`
}

// LOORule states how a held-out configuration is predicted.
const LOORule = "each configuration's cycles per data packet predicted from the others only: " +
	"its model graph's crossings x per-stage costs, a stage's cost pooled over the other configurations crossing it " +
	"(sum of cycles per data packet / sum of crossings per data packet, per IP byte for socket_copy), " +
	"netfilter's per crossing a + b x rules fitted over the others with the same rule engine; " +
	"a stage no other configuration crosses leaves the row unpredicted (n/a)"

// Validate builds the report from a run's calibrations and a profile.
func Validate(r *Run, cs []Calibrated, prof *calibration.Profile) (*Report, error) {
	return ValidatePooled(r, cs, Points(cs), nil, prof)
}

// ValidatePooled is Validate with points pooled from r's calibrations and
// the others runs' (PoolPoints, in cs's order): the measured and predicted
// cycles per packet are the runs' means; the RR and UDP columns, regimes
// and bytes per packet are r's.
func ValidatePooled(r *Run, cs []Calibrated, points []Point, others []*Run, prof *calibration.Profile) (*Report, error) {
	if len(points) != len(cs) {
		return nil, fmt.Errorf("%d points for %d configurations", len(points), len(cs))
	}
	loo := LeaveOneOut(points)
	rep := &Report{Machine: pooledMachine(r, others), Rule: LOORule, Skipped: r.Skipped, Unmodelled: Unmodelled(r)}
	var pe []Prediction
	for i, c := range cs {
		m := c.M
		row := Row{Name: m.Config.Name, CPUs: m.Config.CPUs, Regime: m.Regime, Measured: points[i].CPP, LOO: loo[i], RRLatencyUS: m.RRLatencyUS()}
		row.noRR()
		row.setUDP(m)
		row.RRCPUUS = attributedBusy(m.RRCPUUS(r.CPUGHz, m.RRTransactions), row.RRLatencyUS)
		if m.UDP != nil {
			row.UDPRRLatencyUS = m.UDP.RRLatencyUS()
			row.UDPRRCPUUS = attributedBusy(m.UDP.RRCPUUS(r.CPUGHz, m.UDP.RRTransactions), row.UDPRRLatencyUS)
		}
		row.MeasuredMbps = mbps(r.CPUGHz, c.Cal.BytesPerPacket, row.Measured)
		row.PredictedMbps, row.MbpsErr = math.NaN(), math.NaN()
		if loo[i].Predictable() {
			row.PredictedMbps = mbps(r.CPUGHz, c.Cal.BytesPerPacket, loo[i].Predicted)
			row.MbpsErr = 100 * (row.PredictedMbps - row.MeasuredMbps) / row.MeasuredMbps
		}
		rep.Rows = append(rep.Rows, row)
		if _, ok := profileEngine[m.Config.Engine]; !ok && m.Config.Rules > 0 {
			// A profile prices rules by engine (calibration.RuleEngines):
			// iptables-nft has none of its own, and "iptables" is the
			// legacy series' cost, not this engine's.
			rep.Rows[i].ProfileCPP, rep.Rows[i].ProfileErr = math.NaN(), math.NaN()
			rep.ProfileNotes = append(rep.ProfileNotes, fmt.Sprintf("%s: no profile prediction: a profile has no rule cost for %s", row.Name, m.Config.Engine))
			continue
		}
		pc, err := profileCPP(prof, c)
		if err != nil {
			// A stage the profile does not price: the row says so and
			// the rest is validated.
			rep.Rows[i].ProfileCPP, rep.Rows[i].ProfileErr = math.NaN(), math.NaN()
			rep.ProfileNotes = append(rep.ProfileNotes, fmt.Sprintf("%s: no profile prediction: profile %s: %v", row.Name, prof.Name, err))
			continue
		}
		rep.Rows[i].ProfileCPP = pc
		rep.Rows[i].ProfileErr = 100 * (pc - row.Measured) / row.Measured
		if row.CPUs <= 1 { // a two-CPU row is shown, not summarised (summarize)
			pe = append(pe, Prediction{Name: row.Name, Measured: row.Measured, Predicted: pc, ErrPct: rep.Rows[i].ProfileErr})
		}
	}
	rep.summarize()
	rep.Profile = Summarize(pe)
	return rep, nil
}

// summarize fills the leave-one-out summaries from the rows: the one-CPU
// configurations' cycles per packet and throughput (the targets
// are one core's), and the two-CPU ones' cycles per packet apart.
func (rep *Report) summarize() {
	var one, two, tp []Prediction
	for _, row := range rep.Rows {
		if row.CPUs > 1 {
			two = append(two, row.LOO)
			continue
		}
		one = append(one, row.LOO)
		if !math.IsNaN(row.MbpsErr) {
			tp = append(tp, Prediction{ErrPct: row.MbpsErr})
		}
	}
	rep.CPP, rep.Mbps, rep.TwoCPU = Summarize(one), Summarize(tp), Summarize(two)
}

// mbps is the payload throughput of one core at cpp cycles per data packet.
func mbps(ghz, bytesPerPacket, cpp float64) float64 {
	return bytesPerPacket * 8 * ghz * 1e9 / cpp / 1e6
}

// profileCPP predicts a configuration with a profile: perf.PredictAt on
// its graph's crossings at the stream's counted calls and wake-ups (as the
// simulator charges them; one per data packet in runs that did not count
// them), plus the profile's rule cost of its engine
// (base + per rule x rules) per netfilter crossing when it has rules.
// Costs are scaled from the profile's GHz to the run's by cycles (a
// profile of another clock is used as is: cycles, not time).
func profileCPP(p *calibration.Profile, c Calibrated) (float64, error) {
	cfg := c.M.Config
	x, err := Crossings(cfg)
	if err != nil {
		return 0, err
	}
	pr, err := perf.PredictAt(p, cfg.Plugin, cfg.Mode, datapath.Placement(cfg.Placement), x, c.M.streamRates(c.Cal.AcksPerPacket), c.Cal.BytesPerPacket, datapath.TCPIPOverhead)
	if err != nil {
		return 0, err
	}
	if eng, ok := profileEngine[cfg.Engine]; ok && cfg.Rules > 0 {
		base, per, err := p.RuleCycles(eng, cfg.Plugin, cfg.Mode, cfg.Rules)
		if err != nil {
			return 0, err
		}
		pr += (base + per*float64(cfg.Rules)) * x.PerData(datapath.Netfilter, c.Cal.AcksPerPacket)
	}
	return pr, nil
}

// WriteTable writes the report as a Markdown table with its summary.
func (rep *Report) WriteTable(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Leave-one-out on %s\n\nRule: %s.\n\n", rep.Machine, rep.Rule)
	rr := rep.TCPRR.N+rep.UDPRR.N > 0
	b.WriteString("| configuration | regime | measured cycles/packet | LOO predicted | LOO error | one-core Mbit/s measured | LOO predicted | LOO error | profile predicted | profile error | TCP_RR us (measured) |")
	if rr {
		b.WriteString(" TCP_RR us predicted | error | TCP_RR LOO | error | TCP_RR busy CPU us | error | UDP_RR us measured | predicted | error | UDP_RR LOO | error | UDP_RR busy CPU us | error |")
	}
	b.WriteString("\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	if rr {
		b.WriteString("---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	}
	b.WriteString("\n")
	for _, r := range rep.Rows {
		pred := "n/a"
		if r.LOO.Predictable() {
			pred = fmt.Sprintf("%.0f", r.LOO.Predicted)
		}
		pm := "n/a"
		if !math.IsNaN(r.PredictedMbps) {
			pm = fmt.Sprintf("%.0f", r.PredictedMbps)
		}
		pp := "n/a"
		if !math.IsNaN(r.ProfileCPP) {
			pp = fmt.Sprintf("%.0f", r.ProfileCPP)
		}
		fmt.Fprintf(&b, "| %s | %s | %.0f | %s | %s | %.0f | %s | %s | %s | %s | %.1f |", r.Name, r.Regime, r.Measured, pred, pct(r.LOO.ErrPct),
			r.MeasuredMbps, pm, pct(r.MbpsErr), pp, pct(r.ProfileErr), r.RRLatencyUS)
		if rr {
			fmt.Fprintf(&b, " %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |", us(r.RRPredictedUS), pct(r.RRErr), us(r.RRLOOUS), pct(r.RRLOOErr),
				us(r.RRCPUUS), pct(r.RRCPUErr), us(r.UDPRRLatencyUS), us(r.UDPRRPredictedUS), pct(r.UDPRRErr), us(r.UDPRRLOOUS), pct(r.UDPRRLOOErr),
				us(r.UDPRRCPUUS), pct(r.UDPRRCPUErr))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\nLOO cycles per packet: median |error| %.1f%%, max %.1f%% over %d predictable configurations (target: <= 10%%, <= 25%%)\n", rep.CPP.MedianAbs, rep.CPP.MaxAbs, rep.CPP.N)
	fmt.Fprintf(&b, "LOO one-core throughput: median |error| %.1f%%, max %.1f%% over %d\n", rep.Mbps.MedianAbs, rep.Mbps.MaxAbs, rep.Mbps.N)
	if rep.TwoCPU.N > 0 {
		fmt.Fprintf(&b, "Two CPUs (-2cpu: client and server on two CPUs), cycles per packet predicted from the one-CPU configurations: median |error| %.1f%%, max %.1f%% over %d (not in the summaries above, nor in the profile)\n",
			rep.TwoCPU.MedianAbs, rep.TwoCPU.MaxAbs, rep.TwoCPU.N)
	}
	if rep.Profile.N > 0 {
		fmt.Fprintf(&b, "profile (in-sample when calibrated from this run): median |error| %.1f%%, max %.1f%% over %d one-CPU configurations\n", rep.Profile.MedianAbs, rep.Profile.MaxAbs, rep.Profile.N)
	}
	if rr {
		fmt.Fprintf(&b, "TCP_RR latency by %s: median |error| %.1f%%, max %.1f%% over %d (target: <= 20%%); UDP_RR: median %.1f%%, max %.1f%% over %d. Rule: %s\n",
			rep.RRProfile, rep.TCPRR.MedianAbs, rep.TCPRR.MaxAbs, rep.TCPRR.N, rep.UDPRR.MedianAbs, rep.UDPRR.MaxAbs, rep.UDPRR.N, rep.RRRule)
		if rep.TCPRRLOO.N+rep.UDPRRLOO.N > 0 {
			fmt.Fprintf(&b, "TCP_RR latency leave-one-out: median |error| %.1f%%, max %.1f%% over %d (target: <= 20%%); UDP_RR: median %.1f%%, max %.1f%% over %d. Rule: %s\n",
				rep.TCPRRLOO.MedianAbs, rep.TCPRRLOO.MaxAbs, rep.TCPRRLOO.N, rep.UDPRRLOO.MedianAbs, rep.UDPRRLOO.MaxAbs, rep.UDPRRLOO.N, RRLOORule)
		}
		if rep.TCPRRCPU.N+rep.UDPRRCPU.N > 0 {
			fmt.Fprintf(&b, "The same predictions against the busy CPU time per transaction (the RR runs' perf samples of the traffic, other jobs' time left out): TCP_RR median |error| %.1f%%, max %.1f%% over %d; UDP_RR median %.1f%%, max %.1f%% over %d\n",
				rep.TCPRRCPU.MedianAbs, rep.TCPRRCPU.MaxAbs, rep.TCPRRCPU.N, rep.UDPRRCPU.MedianAbs, rep.UDPRRCPU.MaxAbs, rep.UDPRRCPU.N)
		}
	}
	rep.writeUDPTable(&b)
	writeWorstStages(&b, rep.Rows, 3, 4)
	for _, r := range rep.Rows {
		if !r.LOO.Predictable() {
			fmt.Fprintf(&b, "%s: not predicted leave-one-out: %s\n", r.Name, missingText(r.LOO))
		}
	}
	for _, n := range rep.ProfileNotes {
		fmt.Fprintln(&b, n)
	}
	for _, n := range rep.RRNotes {
		fmt.Fprintln(&b, n)
	}
	for _, s := range rep.Unmodelled {
		fmt.Fprintf(&b, "%s: measured, left out of the table: %s\n", s.Name, s.Reason)
	}
	for _, s := range rep.Skipped {
		fmt.Fprintf(&b, "%s: not measured: %s\n", s.Name, s.Reason)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeWorstStages writes, for the rows (one CPU) with the n largest
// leave-one-out |errors|, the k stages whose predictions miss most: where
// an error comes from, in cycles per data packet.
func writeWorstStages(b *strings.Builder, rows []Row, n, k int) {
	var worst []Row
	for _, r := range rows {
		if r.CPUs <= 1 && r.LOO.Predictable() && len(r.LOO.Stages) > 0 {
			worst = append(worst, r)
		}
	}
	if len(worst) == 0 {
		return
	}
	slices.SortStableFunc(worst, func(a, b Row) int { return cmp.Compare(math.Abs(b.LOO.ErrPct), math.Abs(a.LOO.ErrPct)) })
	b.WriteString("Largest leave-one-out errors by stage (cycles per data packet, measured -> predicted):\n")
	for _, r := range worst[:min(n, len(worst))] {
		st := slices.Clone(r.LOO.Stages)
		slices.SortStableFunc(st, func(x, y StagePrediction) int {
			return cmp.Compare(math.Abs(y.Predicted-y.Measured), math.Abs(x.Predicted-x.Measured))
		})
		var parts []string
		for _, s := range st[:min(k, len(st))] {
			parts = append(parts, fmt.Sprintf("%s %.0f -> %.0f (%+.0f)", s.Stage, s.Measured, s.Predicted, s.Predicted-s.Measured))
		}
		fmt.Fprintf(b, "- %s %s: %s\n", r.Name, pct(r.LOO.ErrPct), strings.Join(parts, ", "))
	}
}

// us formats a latency in microseconds; 0 (not measured) and NaN (not
// predicted) are n/a.
func us(v float64) string {
	if math.IsNaN(v) || v == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f", v)
}

type jsonReport Report

// MarshalJSON writes the report; an unpredicted row (loo.missing listed)
// carries 0 for its predictions and errors, as JSON has no NaN.
func (rep *Report) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal((*jsonReport)(rep))
	if err == nil {
		return b, nil
	}
	c := *rep
	c.Rows = append([]Row(nil), rep.Rows...)
	for i := range c.Rows {
		r := &c.Rows[i]
		for _, f := range []*float64{&r.LOO.Predicted, &r.LOO.ErrPct, &r.PredictedMbps, &r.MbpsErr, &r.ProfileCPP, &r.ProfileErr,
			&r.RRPredictedUS, &r.RRErr, &r.UDPRRPredictedUS, &r.UDPRRErr, &r.RRCPUErr, &r.UDPRRCPUErr,
			&r.RRLOOUS, &r.RRLOOErr, &r.UDPRRLOOUS, &r.UDPRRLOOErr, &r.UDPPredicted, &r.UDPErr, &r.UDPLOO, &r.UDPLOOErr} {
			if math.IsNaN(*f) {
				*f = 0
			}
		}
	}
	return json.Marshal((*jsonReport)(&c))
}

// attributedBusy is an RR run's busy CPU time per transaction, or 0 (not
// measured) when it is under a tenth of the wall time per transaction:
// the traffic threads' samples were then not recognised (run3's ebpf-peer
// UDP_RR: 649,030 busy cycles, 3,891 samples of "others", for 69,489
// transactions), not a transaction that cheap.
func attributedBusy(busyUS, wallUS float64) float64 {
	if busyUS < 0.1*wallUS {
		return 0
	}
	return busyUS
}
