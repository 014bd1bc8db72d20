package perf

import (
	"math"
	"testing"
)

// Real captures (testdata/perf/README.md): the parser reads them whole and
// the attribution finds the stages each topology has and none it lacks.
func TestRealFixtures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file    string
		packets int64
		has     []string
		lacks   []string
	}{
		{"testdata/perf/bridge.script.gz", 6464, []string{"veth", "bridge", "tcp"}, []string{"vxlan", "ebpf", "ovs"}},
		{"testdata/perf/vxlan.script.gz", 20773, []string{"veth", "vxlan", "fib", "tcp"}, []string{"bridge", "ebpf", "ovs"}},
	}
	for _, c := range cases {
		r, err := AnalyzeFile(c.file, Options{Packets: c.packets, CPUGHz: 2.1, Event: EventCPUClock})
		if err != nil {
			t.Fatal(err)
		}
		if r.Samples < 1000 || len(r.Warnings) != 0 {
			t.Errorf("%s: %d busy samples, warnings %v", c.file, r.Samples, r.Warnings)
		}
		sum := 0.0
		for _, s := range r.Stages {
			sum += s.Share
		}
		if math.Abs(sum-1) > 1e-12 {
			t.Errorf("%s: shares sum to %v", c.file, sum)
		}
		// Every sample is 1 ms of cpu-clock: 2.1e6 cycles.
		if want := float64(r.Samples) * 2.1e6; math.Abs(r.TotalCycles-want) > 1e-6*want {
			t.Errorf("%s: total cycles %v, want %v", c.file, r.TotalCycles, want)
		}
		for _, s := range c.has {
			if stage(r, s).Samples == 0 {
				t.Errorf("%s: no %s samples", c.file, s)
			}
		}
		for _, s := range c.lacks {
			if n := stage(r, s).Samples; n != 0 {
				t.Errorf("%s: %d %s samples in a topology without it", c.file, n, s)
			}
		}
	}
}
