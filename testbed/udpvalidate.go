package testbed

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/experiments/simulate"
	"github.com/cnisim/cnisim/models/workload"
)

// UDPRule states how validate predicts a UDP stream window. No profile
// is calibrated from UDP windows (testbed calibrate reads the TCP
// streams and TCP_RR runs), so even the in-sample profile's prediction
// is held out from them.
const UDPRule = "the simulator's udp_stream on each configuration's model graph with the given profile: one send call per datagram of the measured payload, " +
	"paced to the measured send rate, one core per node at the run's clock, no wire delay; cycles per datagram = every node's busy cycles / datagrams sent, " +
	"against the recorded CPU's busy cycles / datagrams the sender's device sent"

// udpDuration is a UDP prediction's simulated time: some 7,000
// datagrams at the testbed's 400 Mbit/s, whose mean cost is exact at
// cpu_jitter 0 once the warm-up is past.
const udpDuration = rrDuration

// UDPScenario is the simulator scenario that predicts configuration c's
// UDP stream window u with the profile: RRScenario's cluster and graph,
// udp_stream with u's datagram payload paced to u's send rate.
func UDPScenario(c Config, u *UDP, profile string, ghz float64) (*scenario.Scenario, error) {
	if u == nil || !(u.SentPerS() > 0) || u.DatagramSize <= 0 {
		return nil, fmt.Errorf("%s: no UDP stream window measured", c.Name)
	}
	sc, err := RRScenario(c, KindUDPRR, profile, ghz)
	if err != nil {
		return nil, err
	}
	sc.Name = "testbed-" + c.Name + "-" + workload.UDPStream
	sc.Duration, sc.Warmup = udpDuration, udpDuration/10
	sc.Workload.Kind, sc.Workload.MessageBytes = workload.UDPStream, u.DatagramSize
	sc.Workload.RateMbps = u.SentPerS() * float64(u.DatagramSize) * 8 / 1e6
	return sc, nil
}

// PredictUDP runs UDPScenario and returns the predicted busy cycles per
// datagram at the run's clock: the cores of every node (one CPU ran the
// testbed's sender, receiver and softirqs) over the datagrams sent.
func PredictUDP(ctx context.Context, c Config, u *UDP, profile string, ghz float64) (float64, error) {
	sc, err := UDPScenario(c, u, profile, ghz)
	if err != nil {
		return 0, err
	}
	s, err := simulate.Run(ctx, sc, 0, sc.Seed)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", c.Name, workload.UDPStream, err)
	}
	sent := s.Scalars[results.UDPSentPerSec]
	if !(sent > 0) {
		return 0, fmt.Errorf("%s %s: the simulation sent no datagram", c.Name, workload.UDPStream)
	}
	var cores float64
	for name, v := range s.Groups[results.CPUCoresUsedByNode] {
		if !strings.Contains(name, "_") { // node<i>; node<i>_softirq etc. are its parts
			cores += v
		}
	}
	return cores * ghz * 1e9 / sent, nil
}

// predictUDP fills row's UDP stream prediction (LOO when how is not
// empty) with profile, where the run measured a window; a prediction the
// simulator cannot make leaves NaN and a note. The error is the
// context's only.
func (rep *Report) predictUDP(ctx context.Context, m *Measurement, row *Row, profile string, ghz float64, how string) (float64, error) {
	if row.UDPCycles <= 0 {
		return math.NaN(), nil
	}
	p, err := PredictUDP(ctx, m.Config, m.UDP, profile, ghz)
	if err != nil {
		if ctx.Err() != nil {
			return math.NaN(), ctx.Err()
		}
		rep.RRNotes = append(rep.RRNotes, fmt.Sprintf("%s: UDP stream not predicted%s: %v", row.Name, how, err))
		return math.NaN(), nil
	}
	return p, nil
}

// medianSigned is the median of the predictions' signed errors (0 for
// none): whether a model errs one way.
func medianSigned(ps []Prediction) float64 {
	var e []float64
	for _, p := range ps {
		if p.Predictable() {
			e = append(e, p.ErrPct)
		}
	}
	if len(e) == 0 {
		return 0
	}
	return median(e)
}

// writeUDPTable writes the UDP stream windows' table and summary, when
// the run measured any.
func (rep *Report) writeUDPTable(b *strings.Builder) {
	if rep.UDPStream.N+rep.UDPStreamLOO.N == 0 {
		return
	}
	fmt.Fprintf(b, "\nUDP stream windows, held out (no profile is calibrated from them). Rule: %s.\n\n", UDPRule)
	b.WriteString("| configuration | datagrams/s | measured cycles/datagram | predicted | error | LOO predicted | error |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rep.Rows {
		if r.UDPCycles <= 0 {
			continue
		}
		fmt.Fprintf(b, "| %s | %.0f | %.0f | %s | %s | %s | %s |\n", r.Name, r.UDPSentPerS, r.UDPCycles, cyc(r.UDPPredicted), pct(r.UDPErr), cyc(r.UDPLOO), pct(r.UDPLOOErr))
	}
	fmt.Fprintf(b, "\nUDP stream cycles per datagram by %s: median |error| %.1f%%, max %.1f%% over %d one-CPU configurations, median error %+.1f%%",
		rep.RRProfile, rep.UDPStream.MedianAbs, rep.UDPStream.MaxAbs, rep.UDPStream.N, rep.UDPStreamBias)
	if rep.UDPStreamLOO.N > 0 {
		fmt.Fprintf(b, "; leave-one-out: median |error| %.1f%%, max %.1f%% over %d, median error %+.1f%%",
			rep.UDPStreamLOO.MedianAbs, rep.UDPStreamLOO.MaxAbs, rep.UDPStreamLOO.N, rep.UDPStreamLOOBias)
	}
	b.WriteString("\n")
}

// cyc formats cycles; NaN (not predicted) is n/a.
func cyc(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	return fmt.Sprintf("%.0f", v)
}
