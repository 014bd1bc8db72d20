package run

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/cnisim/cnisim/sim"
)

// Sample is what one replication measured. Scalars are one value per
// replication (throughput_mbps); Dists are per-event observations pooled
// across replications for quantiles (rtt_us, pod_launch_s); Groups are
// named families of scalars (cpp_by_stage: veth, bridge, ...). Metric names
// are the constants of package results. A metric a workload does not
// measure is simply not set.
type Sample struct {
	Scalars map[string]float64
	Dists   map[string][]float64
	Groups  map[string]map[string]float64
	// Series are a replication's time series (the scenario's timeline),
	// by name, one value per bin; not aggregated: cnisim run writes them
	// as they are, to timeline.csv.
	Series map[string][]float64 `json:",omitempty"`
	// Flows are a replication's flow log (the scenario's flow_log), by
	// column, one value per flow; not aggregated: cnisim run writes them
	// to flows.csv.
	Flows map[string][]float64 `json:",omitempty"`
	// Ports are a replication's per-port statistics (the scenario's
	// port_log), a row per switch port; not aggregated: cnisim run writes
	// them to ports.csv.
	Ports *PortLog `json:",omitempty"`
	// Pcap are the packet captures of the replication the scenario's
	// [trace] names, by node (models/tcp Capture), and PcapSkipped the
	// packets left out of them past trace.max_mb; cnisim run writes them
	// to DIR/pcap.
	Pcap        map[int][]byte `json:",omitempty"`
	PcapSkipped uint64         `json:",omitempty"`
}

// PortLog is a replication's per-port statistics: each port's name and
// tier (strings), and the numeric columns by name (results.PortColumns),
// one value per port.
type PortLog struct {
	Names   []string             `json:"names"`
	Tiers   []string             `json:"tiers"`
	Columns map[string][]float64 `json:"columns"`
}

// Set records a scalar metric.
func (s *Sample) Set(name string, v float64) {
	if s.Scalars == nil {
		s.Scalars = map[string]float64{}
	}
	s.Scalars[name] = v
}

// Observe appends observations to a distribution metric.
func (s *Sample) Observe(name string, vs ...float64) {
	if s.Dists == nil {
		s.Dists = map[string][]float64{}
	}
	s.Dists[name] = append(s.Dists[name], vs...)
}

// SetGroup records one member of a grouped metric.
func (s *Sample) SetGroup(group, member string, v float64) {
	if s.Groups == nil {
		s.Groups = map[string]map[string]float64{}
	}
	if s.Groups[group] == nil {
		s.Groups[group] = map[string]float64{}
	}
	s.Groups[group][member] = v
}

// Quantiles are the quantiles of a distribution that a replication
// reports as DIST.p50, DIST.p90 and DIST.p99 (Value, EachValue): of its
// own observations, so that comparisons, sensitivity and solve pair and
// summarise a tail replication by replication, where the results' pooled
// quantiles have no interval. A distribution of one observation per
// replication (a stream's mean RTT) has none, as in the results.
var Quantiles = []Quantile{{"p50", 0.50}, {"p90", 0.90}, {"p99", 0.99}}

// Quantile is one of Quantiles: its name after the distribution's, and p.
type Quantile struct {
	Name string
	P    float64
}

// IsQuantile reports whether name is one of Quantiles' names.
func IsQuantile(name string) bool {
	return slices.ContainsFunc(Quantiles, func(q Quantile) bool { return q.Name == name })
}

// Value returns one replication's value of a metric: a scalar, a
// distribution's mean over its observations (none: not reported) or one
// of its Quantiles as dist.p99, or a group's member named group.member.
func (s Sample) Value(metric string) (float64, bool) {
	if v, ok := s.Scalars[metric]; ok {
		return v, true
	}
	if vs := s.Dists[metric]; len(vs) > 0 {
		return distMean(vs), true
	}
	if g, member, ok := strings.Cut(metric, "."); ok {
		if vs := s.Dists[g]; len(vs) > 1 {
			for _, q := range Quantiles {
				if q.Name == member {
					return sim.Quantile(q.P, vs), true
				}
			}
			return 0, false
		}
		v, ok := s.Groups[g][member]
		return v, ok
	}
	return 0, false
}

// EachValue calls f with every metric's value as Value gives it: the
// scalars, the distributions with observations (with their Quantiles
// when they have more than one), and every group member as group.member
// (in map order).
func (s Sample) EachValue(f func(metric string, v float64)) {
	for n, v := range s.Scalars {
		f(n, v)
	}
	for n, vs := range s.Dists {
		if len(vs) > 0 {
			f(n, distMean(vs))
		}
		if len(vs) > 1 {
			for _, q := range Quantiles {
				f(n+"."+q.Name, sim.Quantile(q.P, vs))
			}
		}
	}
	for g, members := range s.Groups {
		for m, v := range members {
			f(g+"."+m, v)
		}
	}
}

// distMean is a replication's mean of a distribution's observations, the
// value its results' mean and interval rest on (results.Stat).
func distMean(vs []float64) float64 {
	var m sim.Summary
	for _, v := range vs {
		m.Add(v)
	}
	return m.Mean()
}

// check rejects non-finite values and a name used for two kinds of metric:
// either is a model bug that would corrupt the tables.
func (s *Sample) check() error {
	kind := map[string]string{}
	claim := func(name, k string) error {
		if prev, ok := kind[name]; ok {
			return fmt.Errorf("metric %q reported both as %s and as %s", name, prev, k)
		}
		kind[name] = k
		return nil
	}
	for _, n := range slices.Sorted(maps.Keys(s.Scalars)) {
		if err := finite(n, s.Scalars[n]); err != nil {
			return err
		}
		if err := claim(n, "a scalar"); err != nil {
			return err
		}
	}
	for _, n := range slices.Sorted(maps.Keys(s.Dists)) {
		for _, v := range s.Dists[n] {
			if err := finite(n, v); err != nil {
				return err
			}
		}
		if err := claim(n, "a distribution"); err != nil {
			return err
		}
	}
	for _, g := range slices.Sorted(maps.Keys(s.Groups)) {
		for _, m := range slices.Sorted(maps.Keys(s.Groups[g])) {
			if err := finite(g+"."+m, s.Groups[g][m]); err != nil {
				return err
			}
		}
		if err := claim(g, "a group"); err != nil {
			return err
		}
	}
	return nil
}

func finite(name string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("metric %q is %v", name, v)
	}
	return nil
}
