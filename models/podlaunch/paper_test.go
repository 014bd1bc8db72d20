package podlaunch

import (
	"fmt"
	"math"
	"testing"

	"github.com/cnisim/cnisim/sim"
)

// paperRuns launches 30 pods one at a time, as in the paper's Fig. 7(a)
// ("we launch a new Pod, repeating the measurement 30 times"), for each
// configuration, on common random numbers.
func paperRuns(t *testing.T, seed uint64) map[string]Result {
	t.Helper()
	out := map[string]Result{}
	for _, c := range []struct {
		name, plugin string
		policy       bool
	}{
		{"flannel", "flannel", false}, {"kube-router", "kube-router", false}, {"weave", "weave", false},
		{"cilium", "cilium", false}, {"calico-wp", "calico", true}, {"calico-np", "calico", false},
	} {
		r, err := Run(Config{Plugin: c.plugin, Policy: c.policy, Pods: 30, Arrival: Arrival{Kind: Sequential}}, sim.Streams{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		out[c.name] = r
	}
	return out
}

// pairedDiff returns the mean and 95% CI half-width of a - b per pod.
func pairedDiff(a, b Result) (mean, ci float64) {
	var s sim.Summary
	for i := range a.Pods {
		s.Add((a.Pods[i].LaunchTime() - b.Pods[i].LaunchTime()).Seconds())
	}
	return s.Mean(), s.CI95()
}

// Paper III.D, Fig. 7(a): "Flannel and Kube-router are better. Weave has
// the highest launch latency." Checked as paired differences whose 95%
// confidence interval excludes zero.
func TestPaperOrdering(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		rs := paperRuns(t, seed)
		for name, r := range rs {
			if name != "weave" {
				if m, ci := pairedDiff(rs["weave"], r); m-ci <= 0 {
					t.Errorf("seed %d: weave - %s = %.4f ± %.4f s, want > 0", seed, name, m, ci)
				}
			}
			if name == "flannel" || name == "kube-router" {
				continue
			}
			for _, fast := range []string{"flannel", "kube-router"} {
				if m, ci := pairedDiff(r, rs[fast]); m-ci <= 0 {
					t.Errorf("seed %d: %s - %s = %.4f ± %.4f s, want > 0", seed, name, fast, m, ci)
				}
			}
		}
	}
}

// Paper III.D, Fig. 7(b): Weave's network set-up is 4.5% of pod start
// time, most of it attaching the veth pair; a single pod starts in a few
// seconds (assumed 2-4 s for the paper's testbed).
func TestPaperWeaveBreakdown(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 4, 5} {
		rs := paperRuns(t, seed)
		w := rs["weave"]
		if share := w.NetworkShare(); math.Abs(share-PaperWeaveNetworkShare) > 0.01 {
			t.Errorf("seed %d: weave network share %.4f, want %.3f ± 0.01", seed, share, PaperWeaveNetworkShare)
		}
		var vethMean, largestOther float64
		var other string
		for _, p := range w.Breakdown() {
			s, _ := stageByName(p.Name)
			switch {
			case p.Name == "cni_veth":
				vethMean = p.Seconds
			case s.IsCNI() && p.Seconds > largestOther:
				largestOther, other = p.Seconds, p.Name
			}
		}
		var net float64
		for _, p := range w.Pods {
			net += p.NetworkSetup().Seconds()
		}
		net /= float64(len(w.Pods))
		if vethMean <= largestOther || vethMean < net/2 {
			t.Errorf("seed %d: veth %.4f s of %.4f s network; largest other %s %.4f s", seed, vethMean, net, other, largestOther)
		}
		for name, r := range rs {
			if m := r.LaunchStats().Mean; m < 2 || m > 4 {
				t.Errorf("seed %d: %s mean launch %.3f s, want 2-4 s", seed, name, m)
			}
			// The control plane dominates (paper III.D): the largest part
			// of the breakdown is not a CNI stage.
			top := r.Breakdown()[0]
			for _, p := range r.Breakdown() {
				if p.Seconds > top.Seconds {
					top = p
				}
			}
			if s, _ := stageByName(top.Name); s.IsCNI() {
				t.Errorf("seed %d: %s: largest part %s is network set-up", seed, name, top.Name)
			}
		}
	}
}

// A burst queues: 30 pods at once take longer each than one alone, and the
// creating client's QPS (client-go default 5, burst 10) paces them.
func TestBurstQueues(t *testing.T) {
	t.Parallel()
	one, _ := Run(Config{Plugin: "weave", Pods: 30, Arrival: Arrival{Kind: Sequential}}, sim.Streams{Seed: 1})
	burst, _ := Run(Config{Plugin: "weave", Pods: 30}, sim.Streams{Seed: 1})
	if burst.LaunchStats().Mean <= one.LaunchStats().Mean {
		t.Errorf("burst mean %.3f s not above sequential %.3f s", burst.LaunchStats().Mean, one.LaunchStats().Mean)
	}
	// The last pod's creation is admitted at (30-10)/5 = 4 s.
	if w := burst.Pods[29].Waits[WaitAPIQPS]; w != 4*sim.Second {
		t.Errorf("pod 29 waited %v for the API token bucket, want 4s", w)
	}
}

func ExampleRun() {
	r, err := Run(Config{Plugin: "weave", Pods: 30, Arrival: Arrival{Kind: Sequential}}, sim.Streams{Seed: 1})
	if err != nil {
		panic(err)
	}
	s := r.LaunchStats()
	fmt.Printf("weave: %d pods, mean launch %.2f s, network share %.1f%%\n", s.N, s.Mean, 100*r.NetworkShare())
	for _, p := range r.Breakdown()[:4] {
		fmt.Printf("%-14s %.3f s\n", p.Name, p.Seconds)
	}
	// Output:
	// weave: 30 pods, mean launch 3.03 s, network share 4.2%
	// api_admission  0.026 s
	// scheduling     0.020 s
	// kubelet_sync   0.302 s
	// sandbox        0.797 s
}
