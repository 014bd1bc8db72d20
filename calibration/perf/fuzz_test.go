package perf

import (
	"bytes"
	"math"
	"testing"
)

// FuzzParsePerfScript: Analyze never panics; what it accepts has shares
// summing to 1 and CPPs summing to the total CPP.
func FuzzParsePerfScript(f *testing.F) {
	f.Add([]byte(scriptSpec{counts: []stageCount{{"veth", 2}, {"other", 1}}, idle: 1, idleIRQ: 1, period: 250000, event: "cpu-clock"}.text()))
	f.Add([]byte("iperf3 7069/7073 [000] 1.0: cycles: ffffffff81a00020 veth_xmit ([kernel.kallsyms])\n"))
	f.Add([]byte("PERFILE2"))
	f.Add([]byte("\x1f\x8b\x08\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Analyze(bytes.NewReader(data), Options{Packets: 7, CPUGHz: 2})
		if err != nil {
			return
		}
		share, cpp := 0.0, 0.0
		for _, s := range r.Stages {
			if s.Share < 0 || s.CPP < 0 {
				t.Fatalf("negative stage %+v", s)
			}
			share += s.Share
			cpp += s.CPP
		}
		if math.Abs(share-1) > 1e-9 || math.Abs(cpp-r.CPPTotal) > 1e-9*math.Max(1, r.CPPTotal) {
			t.Fatalf("shares sum to %v, CPPs to %v of %v", share, cpp, r.CPPTotal)
		}
	})
}
