package simulate

import (
	"fmt"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/models/workload"
)

// fillCluster maps the cluster-traffic metrics: the busiest node's cores,
// the mean over the nodes and their distribution (cluster traffic only, so that the two-pod
// results stay as they were) and, for finite flows, FCT and
// slowdown distributions (at most MaxDistSamples strata per replication)
// and their per-size-bucket summaries.
func fillCluster(s *run.Sample, r *workload.Result, applies map[string]bool) {
	if applies[results.CPUCoresUsedBusiest] {
		s.Set(results.CPUCoresUsedBusiest, r.BusiestCores)
		var sum float64
		for _, c := range r.CPUCoresUsedByNode {
			sum += c
		}
		s.Set(results.CPUCoresUsedMean, sum/float64(max(len(r.CPUCoresUsedByNode), 1)))
		// every node a sample: the quantiles a node must be sized for
		s.Observe(results.CPUCoresUsedPerNode, Strata(r.CPUCoresUsedByNode, MaxDistSamples)...)
		for i, d := range r.RxDropsByNode {
			s.SetGroup(results.RxDropsByNode, fmt.Sprintf("node%d", i), float64(d))
		}
	}
	if applies[results.QueryCompletionMicros] {
		s.Set(results.QueriesCompleted, float64(r.QueriesCompleted))
		s.Set(results.QueriesUnfinished, float64(r.QueriesUnfinished))
		s.Set(results.QueriesCensored, float64(r.QueriesCensored))
		s.Observe(results.QueryCompletionMicros, Strata(r.QCTus, MaxDistSamples)...)
	}
	if !applies[results.FCTMicros] {
		return
	}
	s.Set(results.FlowsCompleted, float64(r.FlowsCompleted))
	s.Set(results.FlowsUnfinished, float64(r.FlowsUnfinished))
	s.Set(results.FlowsMeasured, float64(r.FlowsMeasured))
	s.Set(results.FlowsCensored, float64(r.FlowsCensored))
	s.Set(results.FCTp99Floor, r.FCTp99Floor)
	s.Set(results.OfferedMbps, r.OfferedMbps)
	if r.FlowsOpenMidway >= 0 {
		s.Set(results.FlowsOpenMidway, float64(r.FlowsOpenMidway))
	}
	s.Observe(results.FCTMicros, Strata(r.FCTus, MaxDistSamples)...)
	s.Observe(results.FCTSlowdown, Strata(r.FCTSlowdown, MaxDistSamples)...)
	for _, g := range []struct {
		name  string
		stats []workload.FlowStats
		parts []string
		open  bool // FCT groups: each part's open flows too
	}{{results.FCTMicrosBySize, r.FCTByBucket, workload.SizeBuckets, true}, {results.FCTSlowdownBySize, r.SlowdownByBucket, workload.SizeBuckets, false},
		{results.FCTMicrosByPhase, r.FCTByPhase, r.Phases, true}, {results.FCTMicrosByClass, r.FCTByClass, r.Classes, true}} {
		if !applies[g.name] {
			continue
		}
		for k, st := range g.stats {
			if st.N == 0 && (!g.open || st.Open == 0) {
				continue // a part without flows (a phase before the warm-up's end, say): absent, not zero
			}
			name := g.parts[k]
			if st.N > 0 { // without a finished flow no mean: its open ones alone
				s.SetGroup(g.name, name+"_mean", st.Mean)
				s.SetGroup(g.name, name+"_p50", st.P50)
				s.SetGroup(g.name, name+"_p99", st.P99)
			}
			s.SetGroup(g.name, name+"_n", float64(st.N))
			if g.open {
				s.SetGroup(g.name, name+"_open", float64(st.Open))
			}
		}
	}
}

// clusterNodesUsed is how many nodes the workload places pods on, for the
// no-effect warning about cluster.nodes: all of them with a cluster
// pattern.
func clusterNodesUsed(pattern string, nodes, incast int) (int, bool) {
	switch pattern {
	case "", workload.PatternPairs:
		return 0, false
	case workload.PatternIncast:
		if incast == 0 {
			return nodes, true
		}
		return incast + 1, true
	}
	return nodes, true
}
