package podlaunch

import (
	"math"

	"github.com/cnisim/cnisim/sim"
)

// Pod is one pod's launch record. Times are absolute engine times.
type Pod struct {
	Node         int
	Created      sim.Time // creation request sent
	AddReturned  sim.Time // CNI ADD returned (or would have, without CNI)
	NetworkReady sim.Time // the pod's packets pass from here on
	Started      sim.Time // the container is running
	Running      sim.Time // status persisted through the API server: launch complete
	// Stages holds each stage's service time; Waits the time spent queued.
	Stages [NumStages]sim.Time
	Waits  [NumWaits]sim.Time
	// Deferred is true when the deferrable stages ran in the background
	// (asynchronous CNI), off the launch's critical path.
	Deferred bool
}

// LaunchTime is creation request -> running (status persisted).
func (p Pod) LaunchTime() sim.Time { return p.Running - p.Created }

// OnCriticalPath reports whether stage s delays this pod's launch.
func (p Pod) OnCriticalPath(s Stage) bool { return !(p.Deferred && s.Deferrable()) }

// NetworkSetup is the CNI time on the launch's critical path.
func (p Pod) NetworkSetup() sim.Time {
	var t sim.Time
	for s := Stage(0); s < NumStages; s++ {
		if s.IsCNI() && p.OnCriticalPath(s) {
			t += p.Stages[s]
		}
	}
	return t
}

// Result is the outcome of one replication.
type Result struct {
	Plugin string
	Async  bool
	Start  sim.Time // when the pipeline started
	Pods   []Pod
}

// Result returns the pods' records (call after the engine has run).
func (p *Pipeline) Result() Result {
	r := Result{Plugin: p.plugin.Plugin, Async: p.cfg.Async, Start: p.start, Pods: make([]Pod, len(p.pods))}
	for i := range p.pods {
		r.Pods[i] = p.pods[i].Pod
	}
	return r
}

// Makespan is from the pipeline's start to the last pod running.
func (r Result) Makespan() sim.Time {
	var last sim.Time
	for _, p := range r.Pods {
		last = max(last, p.Running)
	}
	return last - r.Start
}

// LaunchTimes returns each pod's launch time in seconds, in pod order.
func (r Result) LaunchTimes() []float64 {
	out := make([]float64, len(r.Pods))
	for i, p := range r.Pods {
		out[i] = p.LaunchTime().Seconds()
	}
	return out
}

// Stats summarises a sample: mean, standard deviation, 95% CI half-width
// (Student t) and quantiles (gonum's empirical definition).
type Stats struct {
	N                  int
	Mean, StdDev, CI95 float64
	P50, P90, P99      float64
}

// Summarise computes Stats of xs.
func Summarise(xs []float64) Stats {
	var s sim.Summary
	for _, x := range xs {
		s.Add(x)
	}
	return Stats{
		N: s.N(), Mean: s.Mean(), StdDev: s.StdDev(), CI95: s.CI95(),
		P50: sim.Quantile(0.5, xs), P90: sim.Quantile(0.9, xs), P99: sim.Quantile(0.99, xs),
	}
}

// LaunchStats summarises the launch times in seconds.
func (r Result) LaunchStats() Stats { return Summarise(r.LaunchTimes()) }

// Part is one entry of a breakdown.
type Part struct {
	Name    string
	Seconds float64
}

// Breakdown returns the mean time per pod of every critical-path stage and
// queue, in pipeline order (stages, then queues), omitting parts that are
// zero for every pod. The parts sum to the mean launch time.
func (r Result) Breakdown() []Part {
	var out []Part
	n := float64(len(r.Pods))
	for s := Stage(0); s < NumStages; s++ {
		var sum sim.Time
		for _, p := range r.Pods {
			if p.OnCriticalPath(s) {
				sum += p.Stages[s]
			}
		}
		if sum > 0 {
			out = append(out, Part{s.String(), sum.Seconds() / n})
		}
	}
	for w := Wait(0); w < NumWaits; w++ {
		var sum sim.Time
		for _, p := range r.Pods {
			sum += p.Waits[w]
		}
		if sum > 0 {
			out = append(out, Part{w.String(), sum.Seconds() / n})
		}
	}
	return out
}

// PaperWeaveNetworkShare is the CNI paper's (III.D, Fig. 7b) share of
// Weave's pod start spent setting up the network: 4.5%, quoted. The Weave
// parameters (params/weave.toml) were set from it; the catalog's Fig. 7
// and this package's paper test compare NetworkShare with it.
const PaperWeaveNetworkShare = 0.045

// NetworkShare is the mean critical-path network set-up over the mean
// launch time (PaperWeaveNetworkShare for Weave).
func (r Result) NetworkShare() float64 {
	var net, total sim.Time
	for _, p := range r.Pods {
		net += p.NetworkSetup()
		total += p.LaunchTime()
	}
	if total == 0 {
		return math.NaN()
	}
	return float64(net) / float64(total)
}
