package experimentstest

import (
	"context"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/sim"
)

// Goodput is the wire-limited TCP goodput of DESIGN 2 in Mbit/s:
// R x MSS / (MTU + frame overhead), MSS = pod MTU - 52 (IPv4 20, TCP 20,
// timestamps 12), the pod MTU the underlay's less 50 bytes of VXLAN when
// the mode is "vxlan" and the scenario does not set it.
func Goodput(sc *scenario.Scenario) float64 {
	pod := sc.CNI.PodMTU
	if pod == 0 {
		pod = sc.Cluster.MTU
		if sc.CNI.Mode == "vxlan" {
			pod -= 50
		}
	}
	return sc.Cluster.LinkGbps * 1000 * float64(datapath.MSS(pod)) / float64(sc.Cluster.MTU+sc.Cluster.FrameOverhead)
}

// Fake is FakeRun as a Model (all its work per replication). FakeRun is a
// deterministic model: Goodput less up to 2% seeded noise, five
// RTT observations around twice the link delay, a small CPP breakdown
// (with vxlan when the mode is vxlan), and pod launch times for the
// pod_launch workload. Its numbers mean nothing beyond that.
var Fake = run.PerReplication(FakeRun)

func FakeRun(ctx context.Context, sc *scenario.Scenario, rep int, seed uint64) (run.Sample, error) {
	r := sim.Streams{Seed: seed, Replication: rep}.Stream("fake")
	var s run.Sample
	if sc.Workload.Kind == "pod_launch" {
		for range sc.Workload.Pods {
			s.Observe(results.PodLaunchSeconds, 1+r.ExpFloat64())
		}
		return s, nil
	}
	s.Set(results.ThroughputMbps, Goodput(sc)*(1-0.02*r.Float64()))
	base := 2 * float64(sc.Cluster.LinkDelay.Microseconds())
	for range 5 {
		s.Observe(results.RTTMicros, base+10+r.ExpFloat64())
	}
	veth := 45 + r.Float64()
	s.SetGroup(results.CPPByStage, "veth", veth)
	total := veth
	if sc.CNI.Mode == "vxlan" {
		vx := 900 + 10*r.Float64()
		s.SetGroup(results.CPPByStage, "vxlan", vx)
		total += vx
	}
	s.Set(results.CPPTotal, total)
	return s, ctx.Err()
}
