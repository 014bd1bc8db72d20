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
