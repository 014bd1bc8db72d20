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
// Gbit/s) takes tens of milliseconds; one run cannot tell the two apart,
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
		where := "the run"
		if len(p.Params) > 0 {
			where = "point"
			for _, q := range p.Params {
				where += fmt.Sprintf(" %s=%v", q.Key, q.Value)
			}
		}
		line := fmt.Sprintf("%s: no steady state: open flows grew from %.0f at mid-window to %.0f at the end", where, mid, end)
		if off, ok := p.Stat(OfferedMbps); ok && off.Mean > 0 {
			if car, ok := p.Stat(ThroughputMbps); ok {
				line += fmt.Sprintf(", and the network carried %.0f%% of the offered load (throughput_mbps / offered_mbps)", 100*car.Mean/off.Mean)
			}
		}
		line += "; its FCTs depend on the run's length and count only flows that finished. Set warmup past the largest flows' completion time; if open flows still grow, the cluster cannot carry workload.load (rx_drops_by_node, cpu_cores_used_by_node and port_utilisation show where)"
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
