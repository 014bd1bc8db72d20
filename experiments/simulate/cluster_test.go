package simulate

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/models/workload"
)

// The results tables sort the size-bucket members by size.
func TestSizeBucketsSort(t *testing.T) {
	names := []string{"10MB-_mean", "1MB-10MB_p50", "0-100KB_n", "100KB-1MB_mean", "0-100KB_mean"}
	results.SortMemberNames(names)
	want := []string{"0-100KB_mean", "0-100KB_n", "100KB-1MB_mean", "1MB-10MB_p50", "10MB-_mean"}
	if !slices.Equal(names, want) {
		t.Errorf("sorted %v, want %v", names, want)
	}
}

// A cluster scenario runs end to end through simulate.Run with its
// metrics; the two-pod default reports none of them.
func TestClusterScenarioMetrics(t *testing.T) {
	sc := scenario.Defaults()
	sc.Name, sc.Duration, sc.Warmup = "c", 20*time.Millisecond, 2*time.Millisecond
	s, err := Run(context.Background(), &sc, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{results.CPUCoresUsedBusiest, results.FCTMicros, results.FlowsCompleted} {
		if _, ok := s.Scalars[m]; ok {
			t.Errorf("pairs reports %s", m)
		}
	}
	sc.Cluster.Nodes = 6
	sc.Workload.Pattern = workload.PatternAllToAll
	sc.Workload.PodsPerNode = 3
	sc.Workload.FlowSizes = workload.FlowSizesWebSearch
	s, err = Run(context.Background(), &sc, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Dists[results.FCTMicros]) == 0 || len(s.Dists[results.FCTSlowdown]) == 0 {
		t.Errorf("no FCT distribution: %v", s.Dists)
	}
	if _, ok := s.Groups[results.FCTMicrosBySize]["0-100KB_p99"]; !ok {
		t.Errorf("no per-bucket FCT: %v", s.Groups[results.FCTMicrosBySize])
	}
	if got := len(s.Groups[results.CPUCoresUsedByNode]); got != 6*4 {
		t.Errorf("%d cpu_cores_used_by_node members, want 24 (6 nodes x total and 3 contexts)", got)
	}
	if _, ok := s.Scalars[results.CPUCoresUsedBusiest]; !ok {
		t.Error("no cpu_cores_used_busiest")
	}
	if _, ok := s.Groups[results.CPPByStage]; ok {
		t.Error("cpp_by_stage reported for all-to-all (no single receiving node)")
	}
}
