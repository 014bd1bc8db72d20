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
	var tcp, udp []Prediction
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
		row.RRPredictedUS, row.RRErr = p, errPct(p, row.RRLatencyUS)
		if !math.IsNaN(row.RRErr) {
			tcp = append(tcp, Prediction{Name: row.Name, Measured: row.RRLatencyUS, Predicted: p, ErrPct: row.RRErr})
		}
		if row.UDPRRLatencyUS > 0 {
			if p, err = PredictRR(ctx, m.Config, KindUDPRR, profile, r.CPUGHz); err != nil {
				rep.RRNotes = append(rep.RRNotes, fmt.Sprintf("%s: UDP_RR not predicted: %v", row.Name, err))
				continue
			}
			row.UDPRRPredictedUS, row.UDPRRErr = p, errPct(p, row.UDPRRLatencyUS)
			udp = append(udp, Prediction{Name: row.Name, Measured: row.UDPRRLatencyUS, Predicted: p, ErrPct: row.UDPRRErr})
		}
	}
	rep.TCPRR, rep.UDPRR, rep.RRProfile, rep.RRRule = Summarize(tcp), Summarize(udp), profile, RRRule
	return nil
}

// errPct is 100 x (predicted - measured) / measured, NaN without a
// measurement.
func errPct(predicted, measured float64) float64 {
	if !(measured > 0) {
		return math.NaN()
	}
	return 100 * (predicted - measured) / measured
}
