package podlaunch

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Config describes one pod-launch experiment.
type Config struct {
	// Plugin is a built-in plugin name (see Plugins) unless Params is set.
	Plugin string
	// Params, when not nil, is a user's plugin model used instead of the
	// built-in one called Plugin.
	Params *PluginParams
	// Cluster, when not nil, replaces the built-in cluster parameters.
	Cluster *ClusterParams
	// Policy turns policy programming on for plugins whose policy is
	// optional (Calico: the paper's wp when true, np when false).
	Policy bool
	// Pods is how many pods are created.
	Pods int
	// Nodes is the number of worker nodes; the scheduler spreads pods
	// round-robin over them (identical pods under least-allocated scoring).
	Nodes int
	// Arrival says when the pods are created.
	Arrival Arrival
	// Async makes CNI ADD return after the minimal plumbing; policy and
	// label fetch finish in the background (the vendor analysis).
	Async bool
	// SetupDelay, when > 0, is the duration of the deferrable work (policy
	// programming and label fetch), replacing the plugin's own draws of
	// cni_policy and cni_labels by one cni_setup_delay stage. Async or
	// not, the pod's network passes traffic SetupDelay after the minimal
	// plumbing. 0 keeps the plugin's calibrated stages.
	SetupDelay time.Duration
	// Limits, when not nil, replaces the cluster file's default limits.
	Limits *Limits
}

// Bucket is a client-side token bucket (client-go's QPS and Burst): Burst
// requests may go at once, then one every 1/QPS seconds. QPS 0: unlimited.
type Bucket struct {
	QPS   float64
	Burst int
}

// Limits are the pipeline's concurrency limits. Zero means unlimited for
// the in-flight limit, the kubelet workers and a bucket's QPS.
type Limits struct {
	API                  Bucket // the client creating the pods
	APIInflight          int    // API server max mutating requests in flight
	SchedulerParallelism int    // concurrent scheduling cycles (kube-scheduler: 1)
	Bind                 Bucket // the scheduler's client (bind requests)
	KubeletWorkers       int    // per node; 0 = a worker per pod, as kubelet's podWorkers
	Kubelet              Bucket // per node, the kubelet's client (status writes)
}

func (l Limits) validate() error {
	for _, b := range []struct {
		name string
		b    Bucket
	}{{"api", l.API}, {"bind", l.Bind}, {"kubelet", l.Kubelet}} {
		if !(b.b.QPS >= 0) || math.IsInf(b.b.QPS, 0) {
			return fmt.Errorf("limits: %s qps = %v, want a finite number >= 0 (0 = unlimited)", b.name, b.b.QPS)
		}
		if b.b.QPS > 0 && b.b.Burst < 1 {
			return fmt.Errorf("limits: %s burst = %d, want >= 1 when qps > 0", b.name, b.b.Burst)
		}
	}
	if l.APIInflight < 0 || l.KubeletWorkers < 0 {
		return fmt.Errorf("limits: api_inflight = %d, kubelet_workers = %d, want >= 0 (0 = unlimited)", l.APIInflight, l.KubeletWorkers)
	}
	if l.SchedulerParallelism < 1 {
		return fmt.Errorf("limits: scheduler_parallelism = %d, want >= 1", l.SchedulerParallelism)
	}
	return nil
}

// ArrivalKind says how pod creations are spaced.
type ArrivalKind int

// Arrival kinds.
const (
	Burst      ArrivalKind = iota // all pods created at once
	Rate                          // one every 1/PerSecond seconds
	Poisson                       // exponential gaps with mean 1/PerSecond
	Sequential                    // each pod created when the previous one is running (the paper's 30 launches)
)

// Arrival is the pod creation pattern.
type Arrival struct {
	Kind      ArrivalKind
	PerSecond float64 // Rate and Poisson
}

// ParseArrival reads the scenario syntax: "burst", "sequential", a rate
// such as "10/s" (evenly spaced) or "poisson:10/s".
func ParseArrival(s string) (Arrival, error) {
	switch s {
	case "burst":
		return Arrival{Kind: Burst}, nil
	case "sequential":
		return Arrival{Kind: Sequential}, nil
	}
	kind, r := Rate, s
	if rest, ok := strings.CutPrefix(s, "poisson:"); ok {
		kind, r = Poisson, rest
	}
	num, ok := strings.CutSuffix(r, "/s")
	v, err := strconv.ParseFloat(num, 64)
	if !ok || err != nil || !(v > 0) || math.IsInf(v, 0) {
		return Arrival{}, fmt.Errorf("arrival %q: want burst, sequential, a rate such as \"10/s\" or \"poisson:10/s\"", s)
	}
	return Arrival{Kind: kind, PerSecond: v}, nil
}

func (a Arrival) validate() error {
	switch a.Kind {
	case Burst, Sequential:
		return nil
	case Rate, Poisson:
		if !(a.PerSecond > 0) || math.IsInf(a.PerSecond, 0) {
			return fmt.Errorf("arrival: rate %v per second, want > 0", a.PerSecond)
		}
		return nil
	}
	return fmt.Errorf("arrival: unknown kind %d", a.Kind)
}
