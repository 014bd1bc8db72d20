package testbed

import (
	"fmt"
	"slices"
	"strings"
)

// PoolPoints averages the points of several runs of the same
// configurations, one Point per name of the first run, in its order: the
// mean of the runs' cycles per data packet, and per stage the mean of
// their cycles and units per data packet (and of the call split where
// every run that has the configuration split it). A configuration some
// later run lacks is averaged over the runs that have it. The runs' noise
// (5-10% per configuration between quiet runs on one host) falls by
// sqrt(runs) where it is independent; a run's drift does not.
func PoolPoints(runs ...[]Point) ([]Point, error) {
	if len(runs) == 0 {
		return nil, fmt.Errorf("no run to pool")
	}
	out := make([]Point, 0, len(runs[0]))
	for _, first := range runs[0] {
		same := []Point{first}
		for _, r := range runs[1:] {
			if i := slices.IndexFunc(r, func(p Point) bool { return p.Name == first.Name }); i >= 0 {
				p := r[i]
				if p.Engine != first.Engine || p.Rules != first.Rules || p.CPUs != first.CPUs {
					return nil, fmt.Errorf("%s: the runs differ in engine, rules or CPUs", first.Name)
				}
				same = append(same, p)
			}
		}
		out = append(out, meanPoint(same))
	}
	return out, nil
}

// meanPoint is the mean of points of one configuration.
func meanPoint(ps []Point) Point {
	n := float64(len(ps))
	m := Point{Name: ps[0].Name, Engine: ps[0].Engine, Rules: ps[0].Rules, CPUs: ps[0].CPUs, Stages: map[string]Use{}}
	for _, p := range ps {
		m.CPP += p.CPP / n
		for k, u := range p.Stages {
			s := m.Stages[k]
			s.Cycles += u.Cycles / n
			s.Units += u.Units / n
			s.Crossings += u.Crossings / n
			s.PerByte = s.PerByte || u.PerByte
			m.Stages[k] = s
		}
	}
	for _, k := range []string{"syscall", "sched"} {
		var e, q float64
		split := true
		for _, p := range ps {
			c, ok := p.Calls[k]
			split = split && ok
			e, q = e+c.PerEvent/n, q+c.PerPacket/n
		}
		if split {
			if m.Calls == nil {
				m.Calls = map[string]CallSplit{}
			}
			m.Calls[k] = CallSplit{PerEvent: e, PerPacket: q}
		}
	}
	return m
}

// pooledMachine is the report's machine line for a primary run pooled
// with others.
func pooledMachine(primary *Run, others []*Run) string {
	if len(others) == 0 {
		return primary.describe()
	}
	var o []string
	for _, r := range others {
		o = append(o, fmt.Sprintf("%q (%s)", r.Command, r.Date))
	}
	return primary.describe() + fmt.Sprintf("; pooled with %d other run(s) of the same configurations (mean cycles and units per data packet): %s",
		len(others), strings.Join(o, ", "))
}
