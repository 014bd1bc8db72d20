package testbed

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cnisim/cnisim/calibration"
)

// profileEngine maps a testbed rule engine to the profile's engine name.
var profileEngine = map[string]string{"iptables-legacy": "iptables", "nftables": "nftables"}

// Profile is the calibrated profile of a run: every stage's cost pooled
// over all the configurations that cross it (StageCost's rule), netfilter
// from the configurations without rules, and one [[rule_cost]] per rule
// engine measured, base + per rule from the straight line through that
// engine's series (netfilter's per-crossing cost at N rules is base + b
// N; the base includes the hook cost of the loaded empty table).
// Provenance is measured: the source names the command, date, kernel and
// CPU, and the arithmetic.
// With other runs (whose points were pooled into points: PoolPoints) the
// provenance names them too.
func Profile(r *Run, points []Point, name string, others ...*Run) (*calibration.Profile, error) {
	points = oneCPU(points)
	if len(points) == 0 {
		return nil, fmt.Errorf("no configuration measured on one CPU: nothing to calibrate")
	}
	prov := pooledMachine(r, others)
	var used []string
	for _, pt := range points {
		used = append(used, pt.Name)
	}
	p := &calibration.Profile{Name: name, GHz: r.CPUGHz, Description: fmt.Sprintf(
		"calibrated by cnisim testbed on this machine from %d configurations (%s); %s", len(points), strings.Join(used, ", "), prov)}
	perByte := map[string]bool{}
	for _, pt := range points {
		for k, u := range pt.Stages {
			if u.Units > 0 {
				perByte[k] = perByte[k] || u.PerByte
			}
		}
	}
	stages := make([]string, 0, len(perByte))
	for k := range perByte {
		stages = append(stages, k)
	}
	sort.Strings(stages)
	for _, k := range stages {
		c, ok := StageCost(points, k, "none", 0)
		if !ok {
			continue // netfilter seen only with rules: priced by rule_cost below
		}
		rule := "pooled: sum of cycles per data packet / sum of crossings per data packet over the configurations crossing it"
		if k == netfilterStage {
			rule = "the configurations without rules (engine none), pooled as the other stages"
		}
		unit := "per crossing"
		if n := splitCount(points); n > 0 {
			switch k {
			case "syscall", "sched":
				what := map[string]string{"syscall": "call (the client's and server's send and read calls)", "sched": "context switch of the two threads"}[k]
				rule = fmt.Sprintf("per %s: in %d configurations the stream's cycles of the stage (s per data packet at u events per data packet, "+
					"128 KiB writes) and the TCP_RR run's (r at v: 1-byte messages, two calls per packet, the switches counted) "+
					"give e = (r - s) / (v - u) per event and s - u e per packet (moved to tcp); pooled as sum of u e / sum of u", what, n)
				unit = "per event"
			case tcpStage:
				rule += fmt.Sprintf(", with the per-packet part of syscall and sched (socket lock, wake-up attempts) added in %d configurations", n)
			}
		}
		e := calibration.Entry{Stage: k, Cycles: c, Provenance: calibration.Measured}
		if perByte[k] {
			e.Cycles, e.CyclesPerByte, unit = 0, c, "per IP byte"
		}
		if k == encryptStage {
			if a, b, how, ok := FitEncrypt(points); ok {
				e.Cycles, e.CyclesPerByte, rule, unit = a, b, how, "per IP byte, plus the line's per-crossing cycles"
				c = b
			} else if how != "" {
				rule += " (" + how + ")"
			}
		}
		e.Source = fmt.Sprintf("cnisim testbed: perf cpu-clock, calibrate perf against each configuration's model graph, %s; %.6g cycles %s; %s", rule, c, unit, prov)
		p.Costs = append(p.Costs, e)
	}
	for _, eng := range []string{"iptables-legacy", "nftables"} {
		var xs, ys []float64
		for _, pt := range points {
			if u, ok := pt.Stages[netfilterStage]; ok && u.Units > 0 && pt.Engine == eng {
				xs = append(xs, float64(pt.Rules))
				ys = append(ys, u.Cycles/u.Units)
			}
		}
		if len(xs) < 2 {
			continue
		}
		a, b := lineFit(xs, ys)
		how := "least-squares line"
		if a < 0 {
			// A series that curves upward (cache misses at thousands of
			// rules) puts the line's intercept below zero, which a
			// profile cannot hold: fit the line through the origin.
			var sxy, sxx float64
			for i := range xs {
				sxy += xs[i] * ys[i]
				sxx += xs[i] * xs[i]
			}
			a, b, how = 0, sxy/sxx, fmt.Sprintf("least-squares line through the origin (the free line's intercept was %.6g < 0)", a)
		}
		if !(b >= 0) {
			return nil, fmt.Errorf("%s: netfilter cost falls with the rules (%.2f cycles per rule): the series is too noisy to price rules", eng, b)
		}
		per := b
		p.RuleCosts = append(p.RuleCosts, calibration.RuleCost{Engine: profileEngine[eng], BaseCycles: a, CyclesPerRule: &per,
			Provenance: calibration.Measured,
			Source:     fmt.Sprintf("cnisim testbed: %s of netfilter cycles per crossing over rules %v (%s, non-matching rules in a chain the forward hook jumps to for packets to the server pod): base %.6g + %.6g per rule; %s", how, xs, eng, a, b, prov)})
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}

// splitCount is the number of points whose syscall and sched cycles were
// split with their TCP_RR run (Point.Calls).
func splitCount(points []Point) int {
	n := 0
	for _, p := range points {
		if len(p.Calls) > 0 {
			n++
		}
	}
	return n
}
