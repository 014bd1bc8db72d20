package simulate

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/models/cni"
	"github.com/cnisim/cnisim/models/podlaunch"
	"github.com/cnisim/cnisim/models/workload"
	"github.com/cnisim/cnisim/sim"
)

// PodLaunch is the pod_launch workload kind.
const PodLaunch = "pod_launch"

// MaxDistSamples caps the observations a replication adds to a
// distribution metric (Strata), so that 50 replications of a million-
// request wrk run stay under a megabyte.
const MaxDistSamples = 2000

// podPlugin names the pod-launch parameters of the scenario's plugin: a
// built-in name, or the name inside a user's CNI model file.
func podPlugin(sc *scenario.Scenario) (string, error) {
	name := sc.CNI.Plugin
	if !slices.Contains(podlaunch.Plugins(), name) {
		m, err := cni.Load(name)
		if err != nil {
			return "", keyed("cni.plugin", err)
		}
		name = m.Name
	}
	if !slices.Contains(podlaunch.Plugins(), name) {
		return "", &scenario.FieldError{Key: "cni.plugin", Msg: fmt.Sprintf("no pod-launch parameters for plugin %q (built-in: %s)",
			name, strings.Join(podlaunch.Plugins(), ", "))}
	}
	return name, nil
}

// launches reports whether the client pod is launched before its client
// starts (issue 7's combined workload): always for http_download (the
// vendor's `kubectl run ... curl`), for tcp_stream only with
// cni.async_setup = true, so plain stream runs stay as they were.
func launches(sc *scenario.Scenario) bool {
	switch sc.Workload.Kind {
	case workload.HTTPDownload:
		return true
	case workload.TCPStream:
		return sc.CNI.AsyncSetup
	}
	return false
}

// clientLaunch returns the launch of the client pod, or nil. setup_delay
// is the deferred CNI work (policy and labels) in both modes here, so that
// an async/blocking pair compares the same work: blocking starts the pod
// setup_delay later, async starts it at once and drops its packets until
// setup_delay after ADD returned. A blocking http_download whose plugin has
// no pod-launch parameters (a user's model file) runs without a launch.
func clientLaunch(sc *scenario.Scenario) (*podlaunch.Config, error) {
	if !launches(sc) {
		return nil, nil
	}
	name, err := podPlugin(sc)
	if err != nil {
		if !sc.CNI.AsyncSetup {
			return nil, nil
		}
		return nil, err
	}
	return &podlaunch.Config{Plugin: name, Policy: sc.CNI.Policy, Async: sc.CNI.AsyncSetup, SetupDelay: sc.CNI.SetupDelay}, nil
}

// podLaunchConfig maps a pod_launch scenario. setup_delay applies only
// with cni.async_setup = true: in blocking mode the plugin's calibrated
// policy and label stages stay (the paper's per-CNI launch times); with
// async they are off the critical path and setup_delay only says when
// each pod's network becomes ready.
func podLaunchConfig(sc *scenario.Scenario) (podlaunch.Config, error) {
	name, err := podPlugin(sc)
	if err != nil {
		return podlaunch.Config{}, err
	}
	arr, err := podlaunch.ParseArrival(sc.Workload.Arrival)
	if err != nil {
		return podlaunch.Config{}, keyed("workload.arrival", err)
	}
	c := podlaunch.Config{Plugin: name, Policy: sc.CNI.Policy, Pods: sc.Workload.Pods, Nodes: sc.Cluster.Nodes,
		Arrival: arr, Async: sc.CNI.AsyncSetup}
	if sc.CNI.AsyncSetup {
		c.SetupDelay = sc.CNI.SetupDelay
	}
	return c, nil
}

// preparePodLaunch resolves a pod_launch point: the plugin's launch
// parameters and the arrival process, once. A replication runs every
// pod's launch: pod_launch_s, the mean per-pod time of each critical-path
// stage and queue (pod_launch_breakdown_s, summing to the mean launch
// time), the network set-up share (pod_network_share, paper Fig. 7b) and
// the makespan.
func preparePodLaunch(sc *scenario.Scenario) (run.Point, error) {
	if _, err := Resolve(sc); err != nil {
		return nil, err
	}
	cfg, err := podLaunchConfig(sc)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, rep int, seed uint64) (run.Sample, error) {
		var s run.Sample
		if err := ctx.Err(); err != nil {
			return s, err
		}
		r, err := podlaunch.Run(cfg, sim.Streams{Seed: seed, Replication: rep})
		if err != nil {
			return s, err
		}
		s.Observe(results.PodLaunchSeconds, Strata(r.LaunchTimes(), MaxDistSamples)...)
		for _, p := range r.Breakdown() {
			s.SetGroup(results.PodLaunchBreakdown, p.Name, p.Seconds)
		}
		s.Set(results.PodNetworkShare, r.NetworkShare())
		s.Set(results.PodMakespanSeconds, r.Makespan().Seconds())
		return s, nil
	}, nil
}

// Strata returns xs itself when it has at most k values, else k values:
// the means of k equal strata of the sorted sample. Their mean equals the
// sample mean when k divides len(xs) (within (max - min) / len(xs)
// otherwise) and their quantiles are within a stratum of the sample's, so
// the aggregation's per-replication mean and pooled quantiles hold while a
// replication's memory is bounded. Deterministic: no random reservoir.
func Strata(xs []float64, k int) []float64 {
	if len(xs) <= k {
		return xs
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	out := make([]float64, k)
	n := len(s)
	for i := range out {
		lo, hi := i*n/k, (i+1)*n/k
		var sum float64
		for _, x := range s[lo:hi] {
			sum += x
		}
		out[i] = sum / float64(hi-lo)
	}
	return out
}
