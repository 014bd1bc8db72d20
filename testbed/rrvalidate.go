package testbed

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// RRRule states how validate predicts RR latency.
const RRRule = "the simulator's tcp_rr / udp_rr workload (1-byte messages, mean transaction time = simulated seconds / transactions) " +
	"on each configuration's model graph with the given profile, one core per node at the run's clock, no wire delay; " +
	"in-sample when the profile was calibrated from this run (its syscall and sched costs then come from these TCP_RR runs where they were recorded; " +
	"the leave-one-out column holds each configuration's out)"

// AddRR predicts every row's TCP_RR and UDP_RR latency and its UDP
// stream's cycles per datagram with profile (a built-in name or a file,
// as --profile) and fills the RR and UDP columns and summaries. A configuration the run lacks is an error; one the
// simulator cannot run with the profile (e.g. no rule cost for its
// engine) keeps n/a and says why in RRNotes; UDP_RR is predicted only
// where the run measured it.
func (rep *Report) AddRR(ctx context.Context, r *Run, profile string) error {
	var tcp, udp, tcpCPU, udpCPU, stream []Prediction
	for i := range rep.Rows {
		row := &rep.Rows[i]
		m, ok := r.Measurement(row.Name)
		if !ok {
			return fmt.Errorf("%s: not in the run", row.Name)
		}
		row.setUDP(m)
		pt, pu, err := rep.predictRR(ctx, m, row, profile, r.CPUGHz, "")
		if err != nil {
			return err
		}
		ps, err := rep.predictUDP(ctx, m, row, profile, r.CPUGHz, "")
		if err != nil {
			return err
		}
		if !math.IsNaN(ps) {
			row.UDPPredicted = ps
			stream = addRow(row, stream, row.UDPCycles, ps, &row.UDPErr)
		}
		if !math.IsNaN(pt) {
			row.RRPredictedUS = pt
			tcp = addRow(row, tcp, row.RRLatencyUS, pt, &row.RRErr)
			tcpCPU = addRow(row, tcpCPU, row.RRCPUUS, pt, &row.RRCPUErr)
		}
		if !math.IsNaN(pu) {
			row.UDPRRPredictedUS = pu
			udp = addRow(row, udp, row.UDPRRLatencyUS, pu, &row.UDPRRErr)
			udpCPU = addRow(row, udpCPU, row.UDPRRCPUUS, pu, &row.UDPRRCPUErr)
		}
	}
	rep.TCPRR, rep.UDPRR, rep.RRProfile, rep.RRRule = Summarize(tcp), Summarize(udp), profile, RRRule
	rep.TCPRRCPU, rep.UDPRRCPU = Summarize(tcpCPU), Summarize(udpCPU)
	rep.UDPStream, rep.UDPStreamBias = Summarize(stream), medianSigned(stream)
	return nil
}

// predictRR simulates row's TCP_RR and, where the run measured it, its
// UDP_RR with profile. A prediction the simulator cannot make (a stage or
// rule engine the profile does not price) is NaN, with a note in RRNotes
// ending "not predicted"+how; UDP_RR is not tried when TCP_RR failed. The
// error is the context's only.
func (rep *Report) predictRR(ctx context.Context, m *Measurement, row *Row, profile string, ghz float64, how string) (tcp, udp float64, err error) {
	tcp, udp = math.NaN(), math.NaN()
	if err := ctx.Err(); err != nil {
		return tcp, udp, err
	}
	p, err := PredictRR(ctx, m.Config, KindTCPRR, profile, ghz)
	if err != nil {
		if ctx.Err() != nil {
			return tcp, udp, ctx.Err()
		}
		rep.RRNotes = append(rep.RRNotes, fmt.Sprintf("%s: RR not predicted%s: %v", row.Name, how, err))
		return tcp, udp, nil
	}
	tcp = p
	if row.UDPRRLatencyUS > 0 {
		if p, err = PredictRR(ctx, m.Config, KindUDPRR, profile, ghz); err != nil {
			if ctx.Err() != nil {
				return tcp, udp, ctx.Err()
			}
			rep.RRNotes = append(rep.RRNotes, fmt.Sprintf("%s: UDP_RR not predicted%s: %v", row.Name, how, err))
			return tcp, udp, nil
		}
		udp = p
	}
	return tcp, udp, nil
}

// addRow is addPred for row, except that a two-CPU row's prediction
// stays out of the summary ps (its error is still set): the simulator has
// no cross-CPU wake-up (IPI, a halted vCPU's exit, the VM's lock waits),
// which sets a two-CPU RR's latency here.
func addRow(row *Row, ps []Prediction, measured, predicted float64, e *float64) []Prediction {
	if row.CPUs > 1 {
		addPred(nil, row.Name, measured, predicted, e)
		return ps
	}
	return addPred(ps, row.Name, measured, predicted, e)
}

// addPred sets *e to the error of predicted against measured and adds
// the prediction to ps when there is a measurement (NaN otherwise).
func addPred(ps []Prediction, name string, measured, predicted float64, e *float64) []Prediction {
	*e = errPct(predicted, measured)
	if math.IsNaN(*e) {
		return ps
	}
	return append(ps, Prediction{Name: name, Measured: measured, Predicted: predicted, ErrPct: *e})
}

// errPct is 100 x (predicted - measured) / measured, NaN without a
// measurement.
func errPct(predicted, measured float64) float64 {
	if !(measured > 0) {
		return math.NaN()
	}
	return 100 * (predicted - measured) / measured
}

// RRLOORule states how AddRRLeaveOneOut predicts RR latency.
const RRLOORule = "the same simulation with a profile calibrated without the configuration (Profile over the other configurations: " +
	"their stream costs, and where their TCP_RR runs were recorded, syscall per call and sched per context switch split from the stream's per-packet work)"

// AddRRLeaveOneOut predicts every row's TCP_RR and UDP_RR latency as
// AddRR does, each with the profile Profile fits to the other rows'
// points: a held-out prediction. A row the held-out profile cannot run
// (its rule engine's series too short, a stage only it crosses) keeps n/a
// and says why in RRNotes.
func (rep *Report) AddRRLeaveOneOut(ctx context.Context, r *Run, points []Point) error {
	dir, err := os.MkdirTemp("", "cnisim-rrloo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var tcp, udp, stream []Prediction
	for i := range rep.Rows {
		row := &rep.Rows[i]
		m, ok := r.Measurement(row.Name)
		if !ok {
			return fmt.Errorf("%s: not in the run", row.Name)
		}
		var others []Point
		for _, p := range points {
			if p.Name != row.Name {
				others = append(others, p)
			}
		}
		prof, err := Profile(r, others, "loo-"+row.Name)
		if err != nil {
			rep.RRNotes = append(rep.RRNotes, fmt.Sprintf("%s: RR not predicted leave-one-out: %v", row.Name, err))
			continue
		}
		file := filepath.Join(dir, row.Name+".toml")
		if err := prof.Save(file); err != nil {
			return err
		}
		pt, pu, err := rep.predictRR(ctx, m, row, file, r.CPUGHz, " leave-one-out")
		if err != nil {
			return err
		}
		if !math.IsNaN(pt) {
			row.RRLOOUS = pt
			tcp = addRow(row, tcp, row.RRLatencyUS, pt, &row.RRLOOErr)
		}
		if !math.IsNaN(pu) {
			row.UDPRRLOOUS = pu
			udp = addRow(row, udp, row.UDPRRLatencyUS, pu, &row.UDPRRLOOErr)
		}
		row.setUDP(m)
		ps, err := rep.predictUDP(ctx, m, row, file, r.CPUGHz, " leave-one-out")
		if err != nil {
			return err
		}
		if !math.IsNaN(ps) {
			row.UDPLOO = ps
			stream = addRow(row, stream, row.UDPCycles, ps, &row.UDPLOOErr)
		}
	}
	rep.TCPRRLOO, rep.UDPRRLOO = Summarize(tcp), Summarize(udp)
	rep.UDPStreamLOO, rep.UDPStreamLOOBias = Summarize(stream), medianSigned(stream)
	return nil
}
