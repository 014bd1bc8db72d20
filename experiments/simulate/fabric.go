package simulate

import (
	"github.com/cnisim/cnisim/experiments"
	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/models/network"
)

// fillPorts sets the fabric's port metrics (none without a fabric): per
// tier and over all ports, and per port when there are at most
// results.MaxPortMembers of them, so a 128-node leaf-spine reports a
// handful of numbers per metric and a small ToR every port.
func fillPorts(s *experiments.Sample, ports []network.PortStats) {
	if len(ports) == 0 {
		return
	}
	type agg struct {
		n          int
		drops      float64
		maxQ, sumQ float64
		sumU, maxU float64
		present    bool
	}
	var tiers [network.NumTiers + 1]agg // the last: all ports
	all := int(network.NumTiers)
	for _, p := range ports {
		for _, i := range []int{int(p.Tier), all} {
			a := &tiers[i]
			a.present = true
			a.n++
			a.drops += float64(p.Drops)
			a.maxQ = max(a.maxQ, float64(p.MaxQueueBytes))
			a.sumQ += p.MeanQueueBytes
			a.sumU += p.Utilisation
			a.maxU = max(a.maxU, p.Utilisation)
		}
		if len(ports) <= results.MaxPortMembers {
			s.SetGroup(results.PortDrops, p.Name, float64(p.Drops))
			s.SetGroup(results.PortQueueBytes, p.Name+"_max", float64(p.MaxQueueBytes))
			s.SetGroup(results.PortQueueBytes, p.Name+"_mean", p.MeanQueueBytes)
			s.SetGroup(results.PortUtilisation, p.Name, p.Utilisation)
		}
	}
	for i, a := range tiers {
		if !a.present {
			continue
		}
		name := "all"
		if i < all {
			name = network.Tiers[i]
		}
		s.SetGroup(results.PortDrops, name, a.drops)
		s.SetGroup(results.PortQueueBytes, name+"_max", a.maxQ)
		s.SetGroup(results.PortQueueBytes, name+"_mean", a.sumQ/float64(a.n))
		s.SetGroup(results.PortUtilisation, name+"_mean", a.sumU/float64(a.n))
		s.SetGroup(results.PortUtilisation, name+"_max", a.maxU)
	}
}
