package simulate

import (
	"math"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/experiments/results"
)

// calibration.scale.<stage> multiplies what the stage costs, exactly: a
// request-response run (the same packets whatever the costs) reports each
// scaled stage's cycles per packet times its factor and the others as
// they were; a stage the profile does not price is refused, naming the key.
func TestCalibrationScale(t *testing.T) {
	t.Parallel()
	run := func(scale map[string]float64) map[string]float64 {
		sc := scenarioFor("tcp_rr")
		sc.CNI.Plugin, sc.CNI.Mode = "flannel", "vxlan"
		sc.Cluster.CPUJitter = 0
		sc.Calibration.Scale = scale
		return sample(t, sc, 0).Groups[results.CPPByStage]
	}
	base := run(nil)
	factors := map[string]float64{"vxlan": 1.5, "netfilter": 0.5, "socket_copy": 2}
	scaled := run(factors)
	for stage, b := range base {
		want := b
		if f, ok := factors[stage]; ok {
			want = b * f
		}
		if b <= 0 || math.Abs(scaled[stage]-want) > 1e-9*want {
			t.Errorf("cpp_by_stage.%s: %v scaled, %v unscaled: want %v", stage, scaled[stage], b, want)
		}
	}
	for stage := range factors {
		if base[stage] <= 0 {
			t.Errorf("the path crosses no %s stage: the test checks nothing of it", stage)
		}
	}
	sc := scenarioFor("tcp_rr")
	sc.CNI.Plugin, sc.CNI.Mode = "flannel", "host-gw"
	sc.Calibration.Profile = "testbed-vm-6.18-xeon" // measured: no OVS, encryption or TUN daemons
	sc.Calibration.Scale = map[string]float64{"ovs": 2}
	_, err := Resolve(sc)
	if err == nil || !strings.Contains(err.Error(), "calibration.scale") || !strings.Contains(err.Error(), "prices no ovs stage") {
		t.Errorf("a stage the profile does not price: %v", err)
	}
}

// Stages lists what the datapaths cross at a cost, with the provenance of
// the entry that prices each: Flannel's inter-host VXLAN path under the
// paper profile crosses vxlan (derived from the paper's figures) and
// netfilter (assumed: the paper orders inter-host netfilter costs but
// gives none), not ovs or ipip; under the testbed's measured profile
// every stage is measured.
func TestStagesProvenance(t *testing.T) {
	t.Parallel()
	sc := scenarioFor("tcp_stream")
	sc.CNI.Plugin, sc.CNI.Mode = "flannel", "vxlan"
	got, err := Stages(sc)
	if err != nil {
		t.Fatal(err)
	}
	prov := map[string]string{}
	for _, s := range got {
		prov[s.Stage] = s.Provenance
	}
	if prov["vxlan"] != "derived" || prov["netfilter"] != "assumed" || prov["ovs"] != "" || prov["ipip"] != "" {
		t.Errorf("paper profile: %v", got)
	}
	sc.Calibration.Profile = "testbed-vm-6.18-xeon"
	if got, err = Stages(sc); err != nil {
		t.Fatal(err)
	}
	for _, s := range got {
		if s.Provenance != "measured" {
			t.Errorf("testbed profile: %s is %q, want measured", s.Stage, s.Provenance)
		}
	}
}

// calibration.scale.rules multiplies the rule costs: with every packet
// walking 1000 policy rules (no conntrack shortcut), the netfilter stage's
// cycles per packet are linear in the factor (f(2) - f(1) = f(1) - f(0)),
// and Stages lists rules once rules are walked.
func TestCalibrationScaleRules(t *testing.T) {
	t.Parallel()
	netfilter := func(scale map[string]float64) float64 {
		sc := scenarioFor("tcp_rr")
		sc.CNI.Plugin, sc.CNI.Mode = "calico", "ipip"
		sc.CNI.Policy, sc.CNI.PolicyRules, sc.CNI.PolicyConntrack = true, 1000, false
		sc.Cluster.CPUJitter = 0
		sc.Calibration.Scale = scale
		return sample(t, sc, 0).Groups[results.CPPByStage]["netfilter"]
	}
	f0, f1, f2 := netfilter(map[string]float64{"rules": 0}), netfilter(nil), netfilter(map[string]float64{"rules": 2})
	// within 1e-4: the heaviest run's few pure ACKs fall a little
	// differently (0.68 cycles in 48,000 on 2026-12-06)
	if !(f1 > f0) || math.Abs((f2-f1)-(f1-f0)) > 1e-4*f2 {
		t.Errorf("netfilter cycles per packet with the rules at 0, 1, 2x: %v, %v, %v: want linear and rising", f0, f1, f2)
	}
	sc := scenarioFor("tcp_rr")
	sc.CNI.Plugin, sc.CNI.Mode = "calico", "ipip"
	sc.CNI.Policy, sc.CNI.PolicyRules = true, 1000
	got, err := Stages(sc)
	if err != nil {
		t.Fatal(err)
	}
	if last := got[len(got)-1]; last.Stage != "rules" || last.Provenance == "" {
		t.Errorf("Stages with policy rules: %v, want rules last with its provenance", got)
	}
}
