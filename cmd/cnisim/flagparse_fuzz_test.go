package main

import (
	"math"
	"testing"
)

// FuzzParseUntilAndStep: --until and --step never panic; what they accept
// is a known metric with a positive finite width, and a step in (0, 0.9].
func FuzzParseUntilAndStep(f *testing.F) {
	for _, s := range []string{"throughput_mbps=5%", "cpp_by_stage.veth=0.01", "fct_us=1e-3", "x=1", "=", "cpu_cores_used=NaN%", "throughput_mbps=inf", "20%", "0.9", "-0.1"} {
		f.Add(s, 32)
	}
	f.Fuzz(func(t *testing.T, s string, maxReps int) {
		if tg, err := parseUntil(s, maxReps, 2); err == nil {
			if !(tg.RelHalfWidth > 0) || math.IsInf(tg.RelHalfWidth, 0) || tg.MaxReps < 2 || tg.Metric == "" {
				t.Fatalf("parseUntil(%q, %d) accepted %+v", s, maxReps, tg)
			}
		}
		if r, err := parseStep(s); err == nil && !(r > 0 && r <= 0.9) {
			t.Fatalf("parseStep(%q) accepted %v", s, r)
		}
	})
}
