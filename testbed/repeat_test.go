package testbed

import (
	"strings"
	"testing"
)

func TestBimodal(t *testing.T) {
	for _, tc := range []struct {
		cpp  []float64
		want bool
	}{
		{[]float64{100, 101, 99, 100, 102}, false},
		{[]float64{100, 101, 120, 121, 122}, true},  // 101 -> 120: a gap of 19% of the median 120, 2 + 3 windows
		{[]float64{100, 101, 102, 103, 130}, false}, // one outlier is not a second group
		{[]float64{100, 130, 131}, false},           // too few windows to tell
		{[]float64{100, 109, 118, 127, 136}, false}, // evenly spread: no gap above 10%
	} {
		if got := Bimodal(tc.cpp); got != tc.want {
			t.Errorf("Bimodal(%v) = %v, want %v", tc.cpp, got, tc.want)
		}
	}
}

func TestRepeatVerdicts(t *testing.T) {
	win := func(name string, cpp float64, reps []float64, other float64) Measurement {
		c, err := ParseConfig(name)
		if err != nil {
			t.Fatal(err)
		}
		return Measurement{Config: c, DataPackets: 1000, BusyCycles: cpp * 1000, RepCPP: reps, RepOther: []float64{other, other, other, other, other}}
	}
	flat := func(v float64) []float64 { return []float64{v, v, v, v, v} }
	a := &Run{Loadavg: "0.20 0.5 0.5", CPUGHz: 2.6, Configs: []Measurement{
		win("routed", 20000, flat(20000), 0),
		win("bridge", 20000, flat(20000), 0),
		win("vxlan", 20000, flat(20000), 0),
		win("nft-0", 20000, flat(20000), 0),
		win("nft-100", 20000, flat(20000), 0),
	}}
	b := &Run{Loadavg: "3.50 2 1", CPUGHz: 2.6, Configs: []Measurement{
		win("routed", 20900, flat(20900), 0),                                  // +4.5%: repeats
		win("bridge", 23000, []float64{20000, 20100, 23000, 23100, 23200}, 0), // bimodal
		win("vxlan", 24000, flat(24000), 0.4),                                 // shared core
		win("nft-0", 16000, flat(16000), 0),                                   // cheaper under more load: nothing explains it
		// nft-100 not measured in b: left out
	}}
	rep := Repeat(a, b, 5)
	if len(rep.Rows) != 4 || rep.Within != 1 {
		t.Fatalf("%d rows, %d within; want 4 and 1", len(rep.Rows), rep.Within)
	}
	for i, want := range []string{"repeats", "run B's windows are bimodal", "other processes took 40%", "nothing recorded explains it"} {
		if !strings.Contains(rep.Rows[i].Verdict, want) {
			t.Errorf("%s: verdict %q, want %q", rep.Rows[i].Name, rep.Rows[i].Verdict, want)
		}
	}
	if !strings.Contains(rep.Rows[1].Verdict, "load average 3.50 against 0.20") {
		t.Errorf("bridge: verdict %q should name the loads", rep.Rows[1].Verdict)
	}
	if d := rep.Rows[0].DiffPct; d < 4.49 || d > 4.51 {
		t.Errorf("routed: difference %.3f%%, want 4.5%%", d)
	}
	var sb strings.Builder
	if err := rep.WriteTable(&sb); err != nil || !strings.Contains(sb.String(), "1 of 4 configurations repeat within 5%") ||
		strings.Contains(sb.String(), "different machines") {
		t.Errorf("table: %v\n%s", err, sb.String())
	}

	// Runs on two hosts: every differing row names the other CPU first,
	// and the table says it is no repeatability check.
	b.CPUModel = "Intel(R) Xeon(R) Processor"
	rep = Repeat(a, b, 5)
	if !strings.HasPrefix(rep.Rows[3].Verdict, `differs: another CPU ("" against "Intel(R) Xeon(R) Processor")`) || rep.Rows[0].Verdict != "repeats (within 5%)" {
		t.Errorf("verdicts across hosts: %q, %q", rep.Rows[3].Verdict, rep.Rows[0].Verdict)
	}
	sb.Reset()
	if err := rep.WriteTable(&sb); err != nil || !strings.Contains(sb.String(), "This compares hosts; it is no repeatability check.") {
		t.Errorf("table across hosts: %v\n%s", err, sb.String())
	}
}
