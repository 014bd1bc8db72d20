package scenario

import (
	"strings"
	"testing"
)

// TestRefinementKeys: cluster.cpu_jitter (default 0.05, 0..1) and
// cni.policy_conntrack (default false) decode, sweep and are checked.
func TestRefinementKeys(t *testing.T) {
	t.Parallel()
	d := Defaults()
	if d.Cluster.CPUJitter != 0.05 || d.CNI.PolicyConntrack {
		t.Errorf("defaults cpu_jitter %v policy_conntrack %v, want 0.05 false", d.Cluster.CPUJitter, d.CNI.PolicyConntrack)
	}
	p, err := Load("f.toml", []byte("[cluster]\ncpu_jitter = 0\n[cni]\npolicy_conntrack = true\n[sweep]\n\"cluster.cpu_jitter\" = [0, 0.2]\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Len() != 2 || p.Point(1).Scenario.Cluster.CPUJitter != 0.2 || !p.Point(0).Scenario.CNI.PolicyConntrack {
		t.Errorf("sweep points: %+v %+v", p.Point(0).Scenario.Cluster, p.Point(0).Scenario.CNI)
	}
	for _, src := range []string{"[cluster]\ncpu_jitter = 1.5\n", "[cluster]\ncpu_jitter = -0.1\n", "[cluster]\ncpu_jitter = nan\n"} {
		_, err := Load("f.toml", []byte(src), Options{})
		if err == nil || !strings.Contains(err.Error(), "f.toml:2:") || !strings.Contains(err.Error(), "cluster.cpu_jitter") ||
			!strings.Contains(src, "nan") && !strings.Contains(err.Error(), "0..1") {
			t.Errorf("%q: %v", src, err)
		}
	}
	if _, err := Load("f.toml", []byte("[cni]\npolicy_conntrack = 1\n"), Options{}); err == nil || !strings.Contains(err.Error(), "cni.policy_conntrack") {
		t.Errorf("policy_conntrack = 1: %v", err)
	}
}
