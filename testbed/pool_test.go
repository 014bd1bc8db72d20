package testbed

import (
	"math"
	"strings"
	"testing"
)

// PoolPoints is the mean per configuration, in the first run's order,
// over the runs that have it; a run whose configuration differs is
// refused; pooling one run is that run.
func TestPoolPoints(t *testing.T) {
	pt := func(name string, cpp, tcp, units float64, calls bool) Point {
		p := Point{Name: name, Engine: "none", CPP: cpp, Stages: map[string]Use{"tcp": {Cycles: tcp, Units: units}}}
		if calls {
			p.Calls = map[string]CallSplit{"syscall": {PerEvent: cpp / 10, PerPacket: 1}}
		}
		return p
	}
	a := []Point{pt("routed", 4000, 1000, 2, true), pt("bridge", 5000, 1200, 2, true)}
	b := []Point{pt("bridge", 6000, 1400, 2.2, true), pt("routed", 4400, 1100, 2, false), pt("vxlan", 1, 1, 1, false)}
	c := []Point{pt("routed", 4600, 1200, 2, true)}
	got, err := PoolPoints(a, b, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "routed" || got[1].Name != "bridge" {
		t.Fatalf("pooled %+v: want routed, bridge (the first run's order, its names only)", got)
	}
	near := func(what string, v, want float64) {
		t.Helper()
		if math.Abs(v-want) > 1e-9 {
			t.Errorf("%s = %v, want %v", what, v, want)
		}
	}
	near("routed cpp", got[0].CPP, (4000+4400+4600)/3.0)
	near("routed tcp cycles", got[0].Stages["tcp"].Cycles, 1100)
	near("bridge cpp (two runs have it)", got[1].CPP, 5500)
	near("bridge tcp units", got[1].Stages["tcp"].Units, 2.1)
	if _, ok := got[0].Calls["syscall"]; ok {
		t.Error("routed: a call split pooled though one run had none")
	}
	near("bridge syscall per call", got[1].Calls["syscall"].PerEvent, 550)

	one, err := PoolPoints(a)
	if err != nil || len(one) != 2 || one[0].CPP != 4000 || one[1].Stages["tcp"].Cycles != 1200 {
		t.Errorf("one run pooled: %+v, %v", one, err)
	}
	d := []Point{pt("routed", 4000, 1000, 2, false)}
	d[0].Rules = 100
	if _, err := PoolPoints(a, d); err == nil || !strings.Contains(err.Error(), "routed: the runs differ") {
		t.Errorf("differing configuration: %v", err)
	}
	if _, err := PoolPoints(); err == nil {
		t.Error("no run pooled")
	}
}
