package results

import (
	"fmt"
	"math"
)

// Unsteady says, for each point of finite flows whose open flows grew
// through the window's second half, that the run did not reach a steady
// state, so its FCTs depend on its length and count only the flows that
// finished. Either the cluster cannot carry the load (the flows pile up
// for ever) or the window is shorter than the ramp-up: from an empty
// network, open flows grow until the largest flows have had time to
// finish, which with heavy-tailed sizes (web search's 30 MB at a few
// Gbit/s) takes tens of milliseconds, and flows stalled on timers pile up
// until the run outlasts them (200 ms retransmission timeouts, 1 s for a
// lost handshake); one run cannot tell these apart,
// a longer warmup can. A steady run's open flows fluctuate about a mean m
// by about sqrt(m) (Poisson arrivals), so the flag asks for growth by half
// and by more than three of those, and at least 20 flows. One line per
// flagged point, naming its sweep values.
func (r *Results) Unsteady() []string {
	var out []string
	for i := range r.Points {
		p := &r.Points[i]
		midS, ok1 := p.Stat(FlowsOpenMidway)
		endS, ok2 := p.Stat(FlowsUnfinished)
		mid, end := midS.Mean, endS.Mean
		if !ok1 || !ok2 || !Growing(mid, end) {
			continue
		}
		line := fmt.Sprintf("%s: no steady state: open flows grew from %.0f at mid-window to %.0f at the end", p.where(), mid, end)
		if off, ok := p.Stat(OfferedMbps); ok && off.Mean > 0 {
			if car, ok := p.Stat(ThroughputMbps); ok {
				line += fmt.Sprintf(", and the network carried %.0f%% of the offered load (throughput_mbps / offered_mbps)", 100*car.Mean/off.Mean)
			}
		}
		line += "; its FCTs depend on the run's length and count only flows that finished. Set warmup past the largest flows' completion time; flows stalled on a retransmission timeout (tcp.min_rto and its backoff) or a lost handshake (1 s, then 3, 7 s) also pile up until the run outlasts those timers (the flow log's timeouts and connect_us show them); if open flows still grow, the cluster cannot carry workload.load (rx_drops_by_node, cpu_cores_used_by_node and port_utilisation show where)"
		out = append(out, line)
	}
	return out
}

// Caveats are what a run's results say about how far to read them:
// Unsteady's lines, then Censored's.
func (r *Results) Caveats() []string { return append(r.Unsteady(), r.Censored()...) }

// where names a point in a warning: "the run", or its sweep values.
func (p *Point) where() string {
	if len(p.Params) == 0 {
		return "the run"
	}
	where := "point"
	for _, q := range p.Params {
		where += fmt.Sprintf(" %s=%v", q.Key, q.Value)
	}
	return where
}

// CensoredShare is the share of the measured flows left out of fct_us
// (flows_censored / flows_measured) past which Censored warns: with more
// than 1% of them left out, and these the longest, the p99 of those
// that finished is below the flows' own, by as much as their FCTs.
const CensoredShare = 0.01

// FloorAbove is how far above fct_us's p99 the mean of the replications'
// p99 floors must be for Censored to warn with fewer open flows than
// CensoredShare: without open flows the floor is a replication's p99, and
// the mean of those differs from the pooled p99 by sampling alone.
const FloorAbove = 1.1

// Censored says, for each point of finite flows where more than
// CensoredShare of the flows started in the measured window were still
// open at the run's end, or fewer (at least one a replication) whose ages
// lift the p99 floor above FloorAbove times the p99 of those that
// finished, that fct_us leaves them out and its upper quantiles read low,
// and how to give them time (workload.measure_until). One line per
// flagged point, naming its sweep values.
func (r *Results) Censored() []string {
	var out []string
	for i := range r.Points {
		p := &r.Points[i]
		measured, ok1 := p.Stat(FlowsMeasured)
		censored, ok2 := p.Stat(FlowsCensored)
		fct, okF := p.Stat(FCTMicros)
		floor, okL := p.Stat(FCTp99Floor)
		quoted := okF && okL && fct.Quantiles
		// past the share, or fewer open flows, at least one a
		// replication, that still lift the floor clearly above the p99
		// of those that finished (with less than one, the floor is a
		// replication's p99, whose mean can sit far from the pooled p99
		// where the distribution has a gap near it: handshakes lost for
		// 1 s)
		above := quoted && censored.Mean >= 1 && floor.Mean > FloorAbove*fct.P99
		if !ok1 || !ok2 || !(censored.Mean > CensoredShare*measured.Mean || above) {
			continue
		}
		line := fmt.Sprintf("%s: %.0f of the %.0f flows started in the measured window (%.1f%%, means over replications) were still open at the run's end: "+
			"fct_us leaves them out, and as they are the longest its p99 reads low", p.where(), censored.Mean, measured.Mean, 100*censored.Mean/measured.Mean)
		if quoted {
			line += fmt.Sprintf(" (%.0f µs of those that finished; counting each open flow at its age at the end, at least %.0f µs: fct_us_p99_floor)", fct.P99, floor.Mean)
		}
		line += ". Set workload.measure_until before duration: the traffic goes on after it, so the measured flows finish under the same load (flows_censored counts those that still do not)"
		out = append(out, line)
	}
	return out
}

// Growing reports whether open flows growing from mid (at the window's
// midpoint) to end (at its end) are beyond a steady run's fluctuation.
func Growing(mid, end float64) bool {
	return end >= 20 && end >= 1.5*mid && end-mid > 3*math.Sqrt(max(mid, 1))
}

// Stat returns the named scalar or distribution metric; ok is false if
// the point does not have it.
func (p *Point) Stat(name string) (Stat, bool) {
	for _, m := range p.Metrics {
		if m.Name == name && m.Members == nil {
			return m.Stat, true
		}
	}
	return Stat{}, false
}

// Member returns a member of the named group metric; ok is false if the
// point does not have it.
func (p *Point) Member(group, member string) (Stat, bool) {
	for _, m := range p.Metrics {
		if m.Name != group {
			continue
		}
		for _, mem := range m.Members {
			if mem.Name == member {
				return mem.Stat, true
			}
		}
	}
	return Stat{}, false
}
