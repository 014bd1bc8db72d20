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
	f.Add([]byte("sender 24229 [000] \n\tffffffff81a00020 veth_xmit ([kernel.kallsyms])\n\tffffffffc0a1b2c3 bpf_prog_6deef7357e7b4530_x ([unknown])\n"))
	f.Add([]byte("\n\tffffffff81a00020 tcp_mt\n\tffffffff81a00030 ipt_do_table\n\n\n\tffffffff81a00020 veth_xmit\n"))
	f.Add([]byte("sender 7 [000]   400123 main (/usr/bin/app)\n[001]  ffffffff81a00020 veth_xmit\n"))
	f.Add([]byte("PERFILE2"))
	f.Add([]byte("\x1f\x8b\x08\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Analyze(bytes.NewReader(data), Options{Packets: 7, CPUGHz: 2, Freq: 1000})
		if err != nil {
			return
		}
		share, cpp, cyc := 0.0, 0.0, 0.0
		for _, s := range r.Stages {
			if s.Share < 0 || s.CPP < 0 {
				t.Fatalf("negative stage %+v", s)
			}
			share += s.Share
			cpp += s.CPP
			cyc += s.Cycles
		}
		if math.Abs(share-1) > 1e-9 || math.Abs(cpp-r.CPPTotal) > 1e-9*math.Max(1, r.CPPTotal) || cyc != r.TotalCycles {
			t.Fatalf("shares sum to %v, CPPs to %v of %v, cycles to %v of %v", share, cpp, r.CPPTotal, cyc, r.TotalCycles)
		}
		// What is accepted calibrates, and the profile charges every busy cycle.
		if r.UnattributedShare < 1 {
			cal, err := Calibrate(r, Counters{Packets: 7, Bytes: 7000, Acks: 3}, nil, ProfileOptions{})
			if err != nil {
				t.Fatalf("calibrate: %v", err)
			}
			if math.Abs(cal.PredictedCPP-r.CPPTotal) > 1e-9*math.Max(1, r.CPPTotal) {
				t.Fatalf("profile charges %v of %v", cal.PredictedCPP, r.CPPTotal)
			}
		}
	})
}
