package scenario

import (
	"strings"
	"testing"
	"time"
)

func TestParseSet(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in    string
		key   string
		value any
	}{
		{"cluster.mtu=9000", "cluster.mtu", int64(9000)},
		{"cluster.cpu_ghz=3", "cluster.cpu_ghz", int64(3)}, // an integer is a fine float
		{"cluster.link_gbps=2.5", "cluster.link_gbps", 2.5},
		{"cni.mode=host-gw", "cni.mode", "host-gw"}, // bare word
		{`cni.mode="host-gw"`, "cni.mode", "host-gw"},
		{"cni.policy=true", "cni.policy", true},
		{"duration=2s", "duration", "2s"},
		{"workload.arrival=10/s", "workload.arrival", "10/s"},
		{"calibration.cycles.vxlan=500", "calibration.cycles.vxlan", int64(500)},
		{"workload.file_bytes=1_000_000", "workload.file_bytes", int64(1000000)},
		{" seed = 5 ", "seed", int64(5)},
	}
	for _, c := range cases {
		o, err := ParseSet(c.in)
		if err != nil {
			t.Errorf("ParseSet(%q): %v", c.in, err)
			continue
		}
		if o.Key != c.key || o.Value != c.value || o.Source != "--set "+c.in {
			t.Errorf("ParseSet(%q) = %+v", c.in, o)
		}
	}
}

func TestParseSetErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{"cluster.mtu", "want key=value"},
		{"=5", "want key=value"},
		{"cluster.mtu=big", `cluster.mtu = "big": want an integer`},
		{"cluster.MTU=9000", `did you mean "cluster.mtu"`},
		{"cluster.mtus=9000", "allowed in [cluster]"},
		{"nosuch.key=1", "unknown key (tables:"},
		{"cni.policy=yes", "want true or false"},
		{"duration=10", "duration string"},
		{"cluster.mtu=[1500,9000]", "want an integer, got array"},
		{"cluster.link_gbps=inf", "finite"},
		{`sweep."cluster.mtu"=[1]`, "sweep entries cannot be set"},
		{"calibration.cycles.warp=1", "unknown stage kind"},
		{"cni.mode=\xff", "UTF-8"},
	}
	for _, c := range cases {
		_, err := ParseSet(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "--set ") {
			t.Errorf("ParseSet(%q) = %v, want an error with %q", c.in, err, c.want)
		}
	}
}

func mustSet(t *testing.T, s string) Override {
	t.Helper()
	o, err := ParseSet(s)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// Overrides win over the file; an override of a swept key pins it; a
// range error caused by an override names the flag, not the file.
func TestOverrides(t *testing.T) {
	src := "[cluster]\nmtu = 1500\n[sweep]\n\"cluster.mtu\" = [1500, 9000]\n\"cni.policy_rules\" = [0, 10]\n"
	p, err := Load("f.toml", []byte(src), Options{Overrides: []Override{
		mustSet(t, "cluster.mtu=4000"), mustSet(t, "duration=3s"), mustSet(t, "calibration.cycles.veth=80"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Len() != 2 || len(p.Axes) != 1 || p.Axes[0].Key != "cni.policy_rules" {
		t.Errorf("axes %+v, want only cni.policy_rules", p.Axes)
	}
	pt := p.Point(1)
	if pt.Scenario.Cluster.MTU != 4000 || pt.Scenario.Duration != 3*time.Second || pt.Scenario.CNI.PolicyRules != 10 ||
		pt.Scenario.Calibration.Cycles["veth"] != 80 {
		t.Errorf("point %+v", pt.Scenario)
	}
	_, err = Load("f.toml", []byte(src), Options{Overrides: []Override{mustSet(t, "warmup=20s")}})
	if err == nil || !strings.HasPrefix(err.Error(), "--set warmup=20s: warmup") {
		t.Errorf("got %v", err)
	}
}
