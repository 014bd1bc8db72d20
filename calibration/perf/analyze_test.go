package perf

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

func analyze(t *testing.T, text string, opt Options) *Result {
	t.Helper()
	r, err := Analyze(strings.NewReader(text), opt)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func stage(r *Result, name string) StageShare {
	for _, s := range r.Stages {
		if s.Stage == name {
			return s
		}
	}
	return StageShare{}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// Formula III.1 on a synthetic cpu-clock profile with known shares: every
// sample is 250000 ns = 600000 cycles at 2.4 GHz, so CPP(stage) =
// n(stage) x 600000 / packets, exactly; idle samples change nothing.
func TestFormulaIII1(t *testing.T) {
	t.Parallel()
	spec := scriptSpec{
		counts: []stageCount{{"veth", 40}, {"bridge", 100}, {"netfilter", 220}, {"vxlan", 90},
			{"tcp", 300}, {"socket_copy", 150}, {"nic", 60}, {"other", 40}},
		idle: 500, idleIRQ: 20, period: 250000, event: "cpu-clock",
	}
	const packets = 1_000_000
	r := analyze(t, spec.text(), Options{Packets: packets, CPUGHz: 2.4})
	busy := 40 + 100 + 220 + 90 + 300 + 150 + 60 + 40 + 20
	if r.Samples != busy || r.IdleSamples != 500 {
		t.Fatalf("samples %d busy %d idle, want %d and 500", r.Samples, r.IdleSamples, busy)
	}
	if r.Event != EventCPUClock {
		t.Errorf("event %q", r.Event)
	}
	perSample := 250000 * 2.4
	if !near(r.TotalCycles, float64(busy)*perSample) {
		t.Errorf("total cycles %v, want %v", r.TotalCycles, float64(busy)*perSample)
	}
	want := map[string]int{"veth": 40, "bridge": 120, "netfilter": 220, "vxlan": 90, "tcp": 300,
		"socket_copy": 150, "nic": 60, "other": 40}
	for name, n := range want {
		s := stage(r, name)
		if s.Samples != n {
			t.Errorf("%s: %d samples, want %d", name, s.Samples, n)
		}
		if wcpp := float64(n) * perSample / packets; !near(s.CPP, wcpp) {
			t.Errorf("%s: CPP %v, want %v", name, s.CPP, wcpp)
		}
		if !near(s.Share, float64(n)/float64(busy)) {
			t.Errorf("%s: share %v", name, s.Share)
		}
	}
	if !near(r.UnattributedShare, 40.0/float64(busy)) {
		t.Errorf("unattributed %v", r.UnattributedShare)
	}
	// Stages come in canonical order, other last.
	var order []string
	for _, s := range r.Stages {
		order = append(order, s.Stage)
	}
	if got := strings.Join(order, ","); got != "veth,bridge,netfilter,vxlan,tcp,socket_copy,nic,other" {
		t.Errorf("order %s", got)
	}
	if len(r.TopUnattributed) != 1 || r.TopUnattributed[0].Symbol != "ktime_get_update_offsets_now" {
		t.Errorf("top unattributed %+v", r.TopUnattributed)
	}
	if len(r.InputSHA256) != 64 {
		t.Errorf("sha %q", r.InputSHA256)
	}
}

// With the cycles event the period is already cycles: the frequency must
// not enter.
func TestCyclesEvent(t *testing.T) {
	t.Parallel()
	spec := scriptSpec{counts: []stageCount{{"veth", 3}, {"tcp", 1}}, period: 1000, event: "cycles:ppp"}
	r := analyze(t, spec.text(), Options{Packets: 10, CPUGHz: 3.0})
	if r.Event != EventCycles || !near(stage(r, "veth").CPP, 300) || !near(stage(r, "tcp").CPP, 100) {
		t.Errorf("event %s veth %v tcp %v, want 300 and 100", r.Event, stage(r, "veth").CPP, stage(r, "tcp").CPP)
	}
}

// The layouts perf script prints, one sample each, all attributing veth.
func TestLayouts(t *testing.T) {
	t.Parallel()
	const stack = "\tffffffff81a00020 veth_xmit+0x44 ([kernel.kallsyms])\n\tffffffff81a00070 tcp_sendmsg+0x30 ([kernel.kallsyms])\n"
	cases := []struct {
		name, text string
		cycles     float64 // of the one sample, at 2 GHz
		cpu        bool
	}{
		{"default", "iperf3  7073 [000]   324.535401:     250000 cpu-clock: \n" + stack, 500000, true},
		{"pid/tid", "iperf3  7069/7073 [001]   324.535401:     250000 cpu-clock:ppp: \n" + stack, 500000, true},
		{"no cpu", "iperf3  7073   324.535401:     250000 cpu-clock: \n" + stack, 500000, false},
		{"no time", "iperf3  7073 [000]     250000 cpu-clock: \n" + stack, 500000, true},
		{"comm with spaces", "Web Content  7073 [000]   324.535401:     250000 cpu-clock: \n" + stack, 500000, true},
		{"one line, no period", "          iperf3  7069/7073  [000]   324.535401: cpu-clock:      ffffffff81a00020 veth_xmit ([kernel.kallsyms])\n", 2, true},
		{"one line with offset", "iperf3 7069/7073 [000] 324.535401: cpu-clock: ffffffff81a00020 veth_xmit+0x44 ([kernel.kallsyms])\n", 2, true},
		{"exiting task, pid -1", ":-1    -1 [000]  1032.025579:    250000 cpu-clock: \n" + stack, 500000, true},
		{"header comments", "# ========\n# captured on: x\n# ========\n#\niperf3  7073 [000]   324.535401:     250000 cpu-clock: \n" + stack, 500000, true},
	}
	for _, c := range cases {
		r, err := Analyze(strings.NewReader(c.text), Options{Packets: 1, CPUGHz: 2, Period: 1}) // Period: for the samples without one
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if s := stage(r, "veth"); s.Samples != 1 || !near(s.Cycles, c.cycles) {
			t.Errorf("%s: veth %+v, want 1 sample of %v cycles", c.name, s, c.cycles)
		}
		if _, err := Analyze(strings.NewReader(c.text), Options{Packets: 1, CPUGHz: 2, Period: 1, CPUs: []int{0, 1}}); (err == nil) != c.cpu {
			t.Errorf("%s: CPU filter error %v, want error %v", c.name, err, !c.cpu)
		}
	}
}

func TestPeriodFallbackWarns(t *testing.T) {
	t.Parallel()
	text := "iperf3 7069/7073 [000] 1.0: cycles: ffffffff81a00020 veth_xmit ([kernel.kallsyms])\n" +
		"iperf3 7069/7073 [000] 1.1: cycles: ffffffff81a00020 tcp_ack ([kernel.kallsyms])\n"
	r := analyze(t, text, Options{Packets: 2, CPUGHz: 2, Period: 4000})
	if !near(stage(r, "veth").CPP, 2000) || len(r.Warnings) == 0 || !strings.Contains(r.Warnings[0], "no period") {
		t.Errorf("veth CPP %v warnings %v", stage(r, "veth").CPP, r.Warnings)
	}
}

func TestCPUFilter(t *testing.T) {
	t.Parallel()
	spec := scriptSpec{counts: []stageCount{{"veth", 10}, {"tcp", 10}}, period: 100, event: "cycles"}
	// Samples alternate CPUs 0 and 1 within each stage: CPU 1 keeps 5 of each.
	r := analyze(t, spec.text(), Options{Packets: 1, CPUGHz: 1, CPUs: []int{1}})
	if r.Samples != 10 || r.SkippedSamples != 10 || stage(r, "veth").Samples != 5 {
		t.Errorf("samples %d skipped %d veth %d", r.Samples, r.SkippedSamples, stage(r, "veth").Samples)
	}
	if _, err := Analyze(strings.NewReader(spec.text()), Options{Packets: 1, CPUGHz: 1, CPUs: []int{7}}); err == nil ||
		!strings.Contains(err.Error(), "no samples") {
		t.Errorf("CPU filter keeping nothing: %v", err)
	}
}

// Only the selected event counts; the others are skipped and listed.
func TestEventSelection(t *testing.T) {
	t.Parallel()
	a := scriptSpec{counts: []stageCount{{"veth", 2}}, period: 100, event: "cycles"}.text()
	b := scriptSpec{counts: []stageCount{{"tcp", 3}}, period: 100, event: "instructions"}.text()
	r := analyze(t, a+b, Options{Packets: 1, CPUGHz: 1, Event: EventCycles})
	if r.Samples != 2 || r.SkippedSamples != 3 {
		t.Errorf("samples %d skipped %d", r.Samples, r.SkippedSamples)
	}
	_, err := Analyze(strings.NewReader(b), Options{Packets: 1, CPUGHz: 1, Event: EventCPUClock})
	if err == nil || !strings.Contains(err.Error(), "instructions") {
		t.Errorf("wrong event: %v", err)
	}
}

func TestGzip(t *testing.T) {
	t.Parallel()
	text := scriptSpec{counts: []stageCount{{"veth", 3}, {"bridge", 2}}, period: 100, event: "cycles"}.text()
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write([]byte(text))
	zw.Close()
	plain := analyze(t, text, Options{Packets: 5, CPUGHz: 1})
	zipped, err := Analyze(&z, Options{Packets: 5, CPUGHz: 1})
	if err != nil {
		t.Fatal(err)
	}
	if zipped.InputSHA256 == plain.InputSHA256 {
		t.Error("the hash should be of the file as given")
	}
	zipped.InputSHA256 = plain.InputSHA256
	if a, b := stage(plain, "veth").CPP, stage(zipped, "veth").CPP; a != b || a != 60 {
		t.Errorf("gzip changes the result: %v %v", a, b)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	good := scriptSpec{counts: []stageCount{{"veth", 1}}, period: 100, event: "cycles"}.text()
	ok := Options{Packets: 1, CPUGHz: 2.4}
	cases := []struct {
		name, text string
		opt        Options
		want       []string
	}{
		{"empty", "", ok, []string{"empty file"}},
		{"blank", "\n\n  \n", ok, []string{"empty file"}},
		{"perf.data", "PERFILE2\x68\x00\x00\x00binary", ok, []string{"perf.data", "perf script -i"}},
		{"zero packets", good, Options{CPUGHz: 2.4}, []string{"packets must be > 0"}},
		{"negative ghz", good, Options{Packets: 1, CPUGHz: -2}, []string{"GHz", "> 0"}},
		{"bad event", good, Options{Packets: 1, CPUGHz: 1, Event: "instructions"}, []string{"valid: cycles, cpu-clock"}},
		{"unparsable", good + "this is not perf output\n", ok, []string{"line 10", "unparsable line", "this is not perf output"}},
		{"frame first", "\tffffffff81a00020 veth_xmit+0x44 ([kernel.kallsyms])\n", ok, []string{"line 1", "outside a sample"}},
		{"all idle", scriptSpec{idle: 3, period: 100, event: "cycles"}.text(), ok, []string{"idle"}},
	}
	for _, c := range cases {
		_, err := Analyze(strings.NewReader(c.text), c.opt)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.name, err, w)
			}
		}
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write([]byte("PERFILE2...."))
	zw.Close()
	if _, err := Analyze(&z, ok); err == nil || !strings.Contains(err.Error(), "perf.data") {
		t.Errorf("gzipped perf.data: %v", err)
	}
}

// TestFragmentationWarns: a capture with samples under ip_do_fragment or
// ip_defrag says that the profile it makes holds them, which the
// simulator charges again per fragmented packet unless told not to; a
// capture without them says nothing of it.
func TestFragmentationWarns(t *testing.T) {
	t.Parallel()
	spec := scriptSpec{counts: []stageCount{{"tcp", 300}, {"nic", 60}}, period: 250000, event: "cpu-clock"}
	mentions := func(r *Result, s string) bool {
		return slices.ContainsFunc(r.Warnings, func(w string) bool { return strings.Contains(w, s) })
	}
	if r := analyze(t, spec.text(), Options{Packets: 1000, CPUGHz: 2.4}); mentions(r, "fragment") {
		t.Errorf("no fragmentation in the capture, yet: %q", r.Warnings)
	}
	var b strings.Builder
	b.WriteString(spec.text())
	for i := range 40 {
		fmt.Fprintf(&b, "iperf3  4242 [000] %.6f:     250000 cpu-clock: \n\tskb_copy_bits ([kernel.kallsyms])\n\tip_do_fragment ([kernel.kallsyms])\n\tip_output ([kernel.kallsyms])\n\n", 200+float64(i)/1000)
	}
	r := analyze(t, b.String(), Options{Packets: 1000, CPUGHz: 2.4})
	want := fmt.Sprintf("%.1f%% of the busy cycles are under ip_do_fragment or ip_defrag", 100*40.0/400)
	if !mentions(r, want) || !mentions(r, "calibration.fragment_cycles = 0") {
		t.Errorf("warnings %q, want one starting %q", r.Warnings, want)
	}
}
