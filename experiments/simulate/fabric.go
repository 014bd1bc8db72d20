package simulate

import (
	"fmt"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/models/network"
)

// fillPorts sets the fabric's port metrics (none without a fabric): per
// tier and over all ports, and per port when there are at most
// results.MaxPortMembers of them, so a 128-node leaf-spine reports a
// handful of numbers per metric and a small ToR every port. The groups
// leave out the ports of failed links (fabric.failed_spines,
// failed_links), so that to_spine_mean is the live uplinks' mean; their
// own members, when listed, read 0. With early (fabric.drop_not_ect)
// port_early_drops too.
func fillPorts(s *run.Sample, ports []network.PortStats, early bool) {
	if len(ports) == 0 {
		return
	}
	type agg struct {
		n          int
		drops      float64
		early      float64
		marks      float64
		maxQ, sumQ float64
		sumU, maxU float64
		present    bool
	}
	var tiers [network.NumTiers + 1]agg // the last: all ports
	all := int(network.NumTiers)
	for _, p := range ports {
		for _, i := range []int{int(p.Tier), all} {
			if p.Failed {
				break // a down link's port is not part of the tier's capacity
			}
			a := &tiers[i]
			a.present = true
			a.n++
			a.drops += float64(p.Drops)
			a.early += float64(p.EarlyDrops)
			a.marks += float64(p.ECNMarks)
			a.maxQ = max(a.maxQ, float64(p.MaxQueueBytes))
			a.sumQ += p.MeanQueueBytes
			a.sumU += p.Utilisation
			a.maxU = max(a.maxU, p.Utilisation)
		}
		if len(ports) <= results.MaxPortMembers {
			s.SetGroup(results.PortDrops, p.Name, float64(p.Drops))
			if early {
				s.SetGroup(results.PortEarlyDrops, p.Name, float64(p.EarlyDrops))
			}
			s.SetGroup(results.PortECNMarks, p.Name, float64(p.ECNMarks))
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
		if early {
			s.SetGroup(results.PortEarlyDrops, name, a.early)
		}
		s.SetGroup(results.PortECNMarks, name, a.marks)
		s.SetGroup(results.PortQueueBytes, name+"_max", a.maxQ)
		s.SetGroup(results.PortQueueBytes, name+"_mean", a.sumQ/float64(a.n))
		s.SetGroup(results.PortUtilisation, name+"_mean", a.sumU/float64(a.n))
		s.SetGroup(results.PortUtilisation, name+"_max", a.maxU)
	}
}

// fabricWarnings lists the [fabric] keys set away from their defaults
// that the fabric kind ignores: all of them without a fabric, the
// leaf-spine ones with one switch.
func fabricWarnings(sc *scenario.Scenario) []string {
	f, d := sc.Fabric, scenario.DefaultFabric()
	var out []string
	warn := func(key string, set bool, kinds string) {
		if set {
			out = append(out, fmt.Sprintf("%s has no effect with fabric.kind = %s (it applies to %s)", key, f.Kind, kinds))
		}
	}
	if f.Kind == "none" {
		warn("fabric.per_hop", f.PerHop != d.PerHop, "switch, leaf-spine")
		warn("fabric.buffer_bytes", f.BufferBytes != d.BufferBytes, "switch, leaf-spine")
		warn("fabric.buffer", f.Buffer != d.Buffer, "switch, leaf-spine")
		warn("fabric.buffer_alpha", f.BufferAlpha != d.BufferAlpha, "switch, leaf-spine")
		warn("fabric.ecn_threshold_bytes", f.ECNThresholdBytes != d.ECNThresholdBytes, "switch, leaf-spine")
		warn("fabric.ecn_max_bytes", f.ECNMaxBytes != d.ECNMaxBytes, "switch, leaf-spine")
		warn("fabric.ecn_max_probability", f.ECNMaxProbability != d.ECNMaxProbability, "switch, leaf-spine")
		warn("fabric.drop_not_ect", f.DropNotECT != d.DropNotECT, "switch, leaf-spine")
	}
	if failed := f.FailedSpines != 0 || f.FailedLinks != ""; failed && f.RecoverAt > 0 && sc.Duration > 0 && f.RecoverAt >= sc.Duration {
		out = append(out, fmt.Sprintf("fabric.recover_at = %v has no effect: it is not before the end of the run (duration = %v), so the links stay down", f.RecoverAt, sc.Duration))
	}
	if f.Kind != "none" && f.Buffer != "dynamic" && f.BufferAlpha != d.BufferAlpha {
		out = append(out, fmt.Sprintf("fabric.buffer_alpha has no effect with fabric.buffer = %s (it applies to dynamic)", f.Buffer))
	}
	if f.Kind != "leaf-spine" {
		warn("fabric.leaves", f.Leaves != d.Leaves, "leaf-spine")
		warn("fabric.spines", f.Spines != d.Spines, "leaf-spine")
		warn("fabric.nodes_per_leaf", f.NodesPerLeaf != d.NodesPerLeaf, "leaf-spine")
		warn("fabric.uplink_gbps", f.UplinkGbps != d.UplinkGbps, "leaf-spine")
		warn("fabric.oversubscription", f.Oversubscription != d.Oversubscription, "leaf-spine")
		warn("fabric.failed_spines", f.FailedSpines != d.FailedSpines, "leaf-spine")
		warn("fabric.failed_links", f.FailedLinks != d.FailedLinks, "leaf-spine")
		warn("fabric.slow_links", f.SlowLinks != d.SlowLinks, "leaf-spine")
		warn("fabric.lossy_links", f.LossyLinks != d.LossyLinks, "leaf-spine")
		warn("fabric.ecmp", f.ECMP != d.ECMP, "leaf-spine")
	}
	if f.Kind == "leaf-spine" && f.FailedSpines == 0 && f.FailedLinks == "" {
		for _, k := range []struct {
			key string
			set bool
		}{{"fabric.fail_at", f.FailAt != d.FailAt}, {"fabric.convergence", f.Convergence != d.Convergence}, {"fabric.recover_at", f.RecoverAt != d.RecoverAt}, {"fabric.flap_every", f.FlapEvery != d.FlapEvery}} {
			if k.set {
				out = append(out, fmt.Sprintf("%s has no effect without fabric.failed_spines or fabric.failed_links", k.key))
			}
		}
	}
	return out
}

// portRows is the port log (scenario key port_log) of a replication's
// ports, in the network's port order: nil without a fabric.
func portRows(ports []network.PortStats) *run.PortLog {
	if len(ports) == 0 {
		return nil
	}
	l := &run.PortLog{Columns: map[string][]float64{}}
	for _, p := range ports {
		l.Names = append(l.Names, p.Name)
		l.Tiers = append(l.Tiers, network.Tiers[p.Tier])
		failed := 0.0
		if p.Failed {
			failed = 1
		}
		for i, v := range []float64{float64(p.Drops), float64(p.EarlyDrops), float64(p.Frames), float64(p.Bytes), float64(p.ECNMarks),
			float64(p.MaxQueueBytes), p.MeanQueueBytes, p.Utilisation, failed} {
			l.Columns[results.PortColumns[i]] = append(l.Columns[results.PortColumns[i]], v)
		}
	}
	return l
}
