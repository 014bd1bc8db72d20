package testbed

import (
	"math"
	"testing"

	"github.com/cnisim/cnisim/calibration/perf"
)

// splitCalls recovers a known per-call cost, per-wake-up cost and
// per-packet work from a stream and an RR measurement made from them, and
// keeps the stream's cycles per packet (the moved part goes to tcp).
func TestSplitCallsClosedForm(t *testing.T) {
	const (
		perCall, sysPerPkt   = 600.0, 250.0  // syscall: per call, per packet
		perWake, schedPerPkt = 1100.0, 300.0 // sched: per switch, per packet
		tcpCycles            = 1400.0        // per stream data packet
		D, W, R, K           = 100000, 1100, 1100, 2300
		T, switches          = 200000, 400000
	)
	c, err := ParseConfig("routed")
	if err != nil {
		t.Fatal(err)
	}
	m := &Measurement{Config: c, DataPackets: D, Writes: W, Reads: R, Wakeups: K}
	// The routed intra-host graph: one send call and one read call per
	// message, one wake-up (Crossings: Write, Read, Wake of 1).
	streamSys := sysPerPkt + perCall*float64(W+R)/D
	streamSched := schedPerPkt + perWake*float64(K)/D
	stage := func(name string, cyclesPerPkt float64, pkts float64, calls float64) perf.StageCost {
		return perf.StageCost{Stage: name, Measured: cyclesPerPkt * pkts, Crossings: pkts, CallCrossings: calls}
	}
	cal := &perf.Calibration{Counters: perf.Counters{Packets: D}, MeasuredCPP: streamSys + streamSched + tcpCycles,
		Stages: []perf.StageCost{stage("tcp", tcpCycles, D, 0), stage("sched", streamSched, D, 1), stage("syscall", streamSys, D, 2)}}
	cal.Stages[0].DataCrossings = 2
	rrPkts := 2.0 * T
	rrSys := sysPerPkt + perCall*4*T/rrPkts
	rrSched := schedPerPkt + perWake*switches/rrPkts
	rr := &perf.Calibration{Counters: perf.Counters{Packets: 2 * T, Writes: 2 * T, Reads: 2 * T, Wakeups: switches},
		Stages: []perf.StageCost{stage("tcp", 999, rrPkts, 0), stage("sched", rrSched, rrPkts, 1), stage("syscall", rrSys, rrPkts, 2)}}
	x, err := Crossings(c)
	if err != nil {
		t.Fatal(err)
	}
	p := Calibrated{M: m, Cal: cal, RR: rr, X: x}.Point()
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
			t.Errorf("%s = %.6f, want %.6f", what, got, want)
		}
	}
	near("syscall per call", p.Calls["syscall"].PerEvent, perCall)
	near("syscall per packet", p.Calls["syscall"].PerPacket, sysPerPkt)
	near("sched per switch", p.Calls["sched"].PerEvent, perWake)
	near("sched per packet", p.Calls["sched"].PerPacket, schedPerPkt)
	near("syscall units", p.Stages["syscall"].Units, float64(W+R)/D)
	near("sched units", p.Stages["sched"].Units, float64(K)/D)
	near("tcp cycles", p.Stages["tcp"].Cycles, tcpCycles+sysPerPkt+schedPerPkt)
	var sum float64
	for _, u := range p.Stages {
		sum += u.Cycles
	}
	near("cycles per packet (conserved)", sum, cal.MeasuredCPP)
	near("pooled syscall cost", must(StageCost([]Point{p}, "syscall", "none", 0)), perCall)

	// Without the RR run (or the stream's call counts) nothing is split.
	if q := (Calibrated{M: m, Cal: cal, X: x}).Point(); q.Calls != nil || q.Stages["syscall"].Cycles != streamSys {
		t.Errorf("no RR: %+v", q)
	}
}

func must(v float64, ok bool) float64 {
	if !ok {
		return math.NaN()
	}
	return v
}
