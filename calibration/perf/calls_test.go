package perf

import (
	"math"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
)

// TestCalibrateCalls: the per-call and per-wake-up stages are divided by
// the counted calls and wake-ups, not the packets, and the profile
// predicts the measured cycles per packet back at those rates; without
// counts one per data packet is assumed, with a warning.
func TestCalibrateCalls(t *testing.T) {
	t.Parallel()
	r := &Result{CPUGHz: 2, TotalCycles: 1000 * 10000, Stages: []StageShare{
		{Stage: "tcp", Cycles: 500 * 10000},
		{Stage: "syscall", Cycles: 300 * 10000},
		{Stage: "sched", Cycles: 200 * 10000},
	}}
	var x datapath.Crossings
	x.Data[datapath.TCP] = 1
	x.Write[datapath.Syscall], x.Read[datapath.Syscall] = 1, 1
	x.Wake[datapath.Sched] = 1
	cnt := Counters{Packets: 10000, Writes: 1000, Reads: 5000, Wakeups: 4000}
	cal, err := Calibrate(r, cnt, &x, ProfileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cost := func(k datapath.Kind) float64 {
		c, _, _ := cal.Profile.Cost(k, "", "", "")
		return c
	}
	for _, tc := range []struct {
		k    datapath.Kind
		want float64
	}{{datapath.TCP, 500}, {datapath.Syscall, 300 * 10000 / 6000.0}, {datapath.Sched, 200 * 10000 / 4000.0}} {
		if got := cost(tc.k); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s: %v cycles, want %v", tc.k, got, tc.want)
		}
	}
	if math.Abs(cal.PredictedCPP-1000) > 1e-9 {
		t.Errorf("predicted %v cycles per packet, want the measured 1000", cal.PredictedCPP)
	}
	for _, w := range cal.Warnings {
		if strings.Contains(w, "not counted") {
			t.Errorf("counted calls warned: %s", w)
		}
	}
	cal, err = Calibrate(r, Counters{Packets: 10000}, &x, ProfileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := cost(datapath.Syscall); got != 150 {
		t.Errorf("no counts: syscall %v cycles, want 300 / 2 calls per packet = 150", got)
	}
	if !strings.Contains(strings.Join(cal.Warnings, "\n"), "one per data packet assumed") {
		t.Errorf("no counts: no warning in %q", cal.Warnings)
	}
}

// TestCalibrateWriterWakeups: the writer's wake-ups are taken from the
// counted wake-ups and priced by the writer's sched step: with both steps
// crossed, the sched stage's cycles are divided by every wake-up once
// (not the writer's twice), and the profile predicts the measured cycles
// back; a graph without the writer's step puts the stage's cycles on the
// reader's wake-ups alone.
func TestCalibrateWriterWakeups(t *testing.T) {
	t.Parallel()
	r := &Result{CPUGHz: 2, TotalCycles: 700 * 10000, Stages: []StageShare{
		{Stage: "tcp", Cycles: 500 * 10000},
		{Stage: "sched", Cycles: 200 * 10000},
	}}
	var x datapath.Crossings
	x.Data[datapath.TCP] = 1
	x.Wake[datapath.Sched], x.WriterWake[datapath.Sched] = 1, 1
	cnt := Counters{Packets: 10000, Writes: 1000, Reads: 1000, Wakeups: 4000, WriterWakeups: 1000}
	cal, err := Calibrate(r, cnt, &x, ProfileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c, _, _ := cal.Profile.Cost(datapath.Sched, "", "", ""); math.Abs(c-200*10000/4000.0) > 1e-9 {
		t.Errorf("sched %v cycles per wake-up, want %v (4000 wake-ups, 1000 of them the writer's)", c, 200*10000/4000.0)
	}
	if math.Abs(cal.PredictedCPP-700) > 1e-9 {
		t.Errorf("predicted %v cycles per packet, want the measured 700", cal.PredictedCPP)
	}
	x.WriterWake[datapath.Sched] = 0 // a graph whose writer is never woken
	if cal, err = Calibrate(r, cnt, &x, ProfileOptions{}); err != nil {
		t.Fatal(err)
	}
	if c, _, _ := cal.Profile.Cost(datapath.Sched, "", "", ""); math.Abs(c-200*10000/3000.0) > 1e-9 {
		t.Errorf("no writer's step: sched %v cycles per wake-up, want %v (the reader's 3000)", c, 200*10000/3000.0)
	}
}
