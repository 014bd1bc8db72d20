package testbed

import (
	"context"
	"fmt"
	"math"
)

// RRRule states how validate predicts RR latency.
const RRRule = "the simulator's tcp_rr / udp_rr workload (1-byte messages, mean transaction time = simulated seconds / transactions) " +
	"on each configuration's model graph with the given profile, one core per node at the run's clock, no wire delay; " +
	"in-sample when the profile was calibrated from this run (its costs come from the TCP stream windows, not from the RR runs)"

// AddRR predicts every row's TCP_RR and UDP_RR latency with profile (a
// built-in name or a file, as --profile) and fills the RR columns and
// summaries. A configuration the run lacks is an error; one the
// simulator cannot run with the profile (e.g. no rule cost for its
// engine) keeps n/a and says why in RRNotes; UDP_RR is predicted only
// where the run measured it.
func (rep *Report) AddRR(ctx context.Context, r *Run, profile string) error {
	var tcp, udp, tcpCPU, udpCPU []Prediction
	for i := range rep.Rows {
		row := &rep.Rows[i]
		m, ok := r.Measurement(row.Name)
		if !ok {
			return fmt.Errorf("%s: not in the run", row.Name)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		p, err := PredictRR(ctx, m.Config, KindTCPRR, profile, r.CPUGHz)
		if err != nil {
			rep.RRNotes = append(rep.RRNotes, fmt.Sprintf("%s: RR not predicted: %v", row.Name, err))
			continue
		}
		row.RRPredictedUS = p
		tcp = addPred(tcp, row.Name, row.RRLatencyUS, p, &row.RRErr)
		tcpCPU = addPred(tcpCPU, row.Name, row.RRCPUUS, p, &row.RRCPUErr)
		if row.UDPRRLatencyUS > 0 {
			if p, err = PredictRR(ctx, m.Config, KindUDPRR, profile, r.CPUGHz); err != nil {
				rep.RRNotes = append(rep.RRNotes, fmt.Sprintf("%s: UDP_RR not predicted: %v", row.Name, err))
				continue
			}
			row.UDPRRPredictedUS = p
			udp = addPred(udp, row.Name, row.UDPRRLatencyUS, p, &row.UDPRRErr)
			udpCPU = addPred(udpCPU, row.Name, row.UDPRRCPUUS, p, &row.UDPRRCPUErr)
		}
	}
	rep.TCPRR, rep.UDPRR, rep.RRProfile, rep.RRRule = Summarize(tcp), Summarize(udp), profile, RRRule
	rep.TCPRRCPU, rep.UDPRRCPU = Summarize(tcpCPU), Summarize(udpCPU)
	return nil
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
