package testbed

import (
	"math"
	"strings"
	"testing"
)

// synthetic builds points from known per-unit costs: a model that is
// exactly additive, so leave-one-out must predict every point exactly.
func synthetic() (map[string]float64, []Point) {
	cost := map[string]float64{"veth": 900, "fib": 1100, "bridge": 1200, "tcp": 4000, "socket_copy": 0.6, "ebpf": 700}
	nf := map[string][2]float64{"iptables-legacy": {300, 20}, "nftables": {250, 30}, "none": {500, 0}}
	mk := func(name, engine string, rules int, units map[string]float64) Point {
		p := Point{Name: name, Engine: engine, Rules: rules, Stages: map[string]Use{}}
		for k, u := range units {
			c := cost[k]
			if k == netfilterStage {
				c = nf[engine][0] + nf[engine][1]*float64(rules)
			}
			p.Stages[k] = Use{Cycles: c * u, Units: u, PerByte: k == "socket_copy"}
			p.CPP += c * u
		}
		return p
	}
	routed := func(name, eng string, n int) Point {
		return mk(name, eng, n, map[string]float64{"veth": 2.02, "fib": 1.01, "netfilter": 1.01, "tcp": 2.02, "socket_copy": 2960})
	}
	return cost, []Point{
		routed("routed", "none", 0),
		mk("bridge", "none", 0, map[string]float64{"veth": 2.05, "bridge": 1.02, "netfilter": 1.02, "tcp": 2.04, "socket_copy": 2961}),
		mk("bridge-nf0", "none", 0, map[string]float64{"veth": 2.01, "bridge": 1.0, "netfilter": 1.0, "tcp": 2.01, "socket_copy": 2950}),
		mk("ebpf-peer", "none", 0, map[string]float64{"veth": 2, "ebpf": 2, "tcp": 2, "socket_copy": 2950}),
		mk("ebpf-egress", "none", 0, map[string]float64{"veth": 2.1, "ebpf": 2.1, "tcp": 2.1, "socket_copy": 2970}),
		routed("ipt-legacy-0", "iptables-legacy", 0), routed("ipt-legacy-100", "iptables-legacy", 100), routed("ipt-legacy-1000", "iptables-legacy", 1000),
		routed("nft-0", "nftables", 0), routed("nft-1000", "nftables", 1000), routed("nft-5000", "nftables", 5000),
		mk("vxlan", "none", 0, map[string]float64{"vxlan": 2, "tcp": 2, "socket_copy": 2950}),
	}
}

func TestLeaveOneOutExact(t *testing.T) {
	_, pts := synthetic()
	loo := LeaveOneOut(pts)
	for _, p := range loo {
		if p.Name == "vxlan" {
			if p.Predictable() || len(p.Missing) != 1 || p.Missing[0] != "vxlan" || !math.IsNaN(p.ErrPct) {
				t.Errorf("vxlan: %+v, want unpredicted for its own stage", p)
			}
			continue
		}
		if !p.Predictable() || math.Abs(p.ErrPct) > 1e-9 {
			t.Errorf("%s: %+v, want exact", p.Name, p)
		}
	}
	s := Summarize(loo)
	if s.N != len(pts)-1 || s.MaxAbs > 1e-9 {
		t.Errorf("summary %+v", s)
	}
}

// A point that is 10% dearer in one stage than the others shows up as the
// pooled cost's closed form: held out, it is predicted with the others'
// cost only.
func TestLeaveOneOutClosedForm(t *testing.T) {
	a := Point{Name: "a", Engine: "none", CPP: 1000, Stages: map[string]Use{"tcp": {Cycles: 1000, Units: 1}}}
	b := Point{Name: "b", Engine: "none", CPP: 2200, Stages: map[string]Use{"tcp": {Cycles: 2200, Units: 2}}}
	c := Point{Name: "c", Engine: "none", CPP: 3000, Stages: map[string]Use{"tcp": {Cycles: 3000, Units: 3}}}
	loo := LeaveOneOut([]Point{a, b, c})
	// a from b and c: (2200 + 3000) / (2 + 3) = 1040 per unit -> +4%
	if math.Abs(loo[0].Predicted-1040) > 1e-9 || math.Abs(loo[0].ErrPct-4) > 1e-9 {
		t.Errorf("a: %+v", loo[0])
	}
	// b from a and c: 4000 / 4 = 1000 x 2 = 2000 -> -9.0909%
	if math.Abs(loo[1].ErrPct-(-100.0/11)) > 1e-9 {
		t.Errorf("b: %+v", loo[1])
	}
	// c from a and b: 3200 / 3 x 3 = 3200 -> +6.667%: median of 4, 9.09, 6.67
	if math.Abs(loo[2].ErrPct-20.0/3) > 1e-9 {
		t.Errorf("c: %+v", loo[2])
	}
	s := Summarize(loo)
	if s.N != 3 || math.Abs(s.MedianAbs-20.0/3) > 1e-9 || math.Abs(s.MaxAbs-100.0/11) > 1e-9 {
		t.Errorf("summary %+v", s)
	}
}

func TestLineFit(t *testing.T) {
	a, b := lineFit([]float64{0, 100, 1000}, []float64{300, 2300, 20300})
	if math.Abs(a-300) > 1e-6 || math.Abs(b-20) > 1e-9 {
		t.Errorf("line %v + %v x", a, b)
	}
	a, b = lineFit([]float64{5, 5}, []float64{10, 20})
	if a != 15 || b != 0 {
		t.Errorf("one x: %v %v", a, b)
	}
	if _, ok := StageCost(nil, "netfilter", "nftables", 10); ok {
		t.Error("cost from nothing")
	}
}

// A two-CPU point is predicted from the one-CPU points and prices nothing:
// doubling its every cost moves no other prediction nor the profile, and
// its own prediction is the one-CPU costs' (exact here, -50% against its
// doubled measurement).
func TestTwoCPUPointsPriceNothing(t *testing.T) {
	_, pts := synthetic()
	base := LeaveOneOut(pts)
	two := pts[0] // routed
	two.Name, two.CPUs, two.CPP, two.Stages = "routed-2cpu", 2, 2*two.CPP, map[string]Use{}
	for k, u := range pts[0].Stages {
		u.Cycles *= 2
		two.Stages[k] = u
	}
	with := LeaveOneOut(append(append([]Point(nil), pts...), two))
	for i := range base {
		if base[i].Predicted != with[i].Predicted && !(math.IsNaN(base[i].Predicted) && math.IsNaN(with[i].Predicted)) {
			t.Errorf("%s: %v with a two-CPU point, %v without", base[i].Name, with[i].Predicted, base[i].Predicted)
		}
	}
	if got := with[len(with)-1]; math.Abs(got.ErrPct+50) > 1e-9 {
		t.Errorf("routed-2cpu: %+v, want -50%% (the one-CPU costs)", got)
	}
	r := &Run{CPUGHz: 2.6}
	p1, err := Profile(r, pts, "a")
	if err != nil {
		t.Fatal(err)
	}
	p2, err := Profile(r, append(append([]Point(nil), pts...), two), "a")
	if err != nil {
		t.Fatal(err)
	}
	for i := range p1.Costs {
		if p1.Costs[i].Cycles != p2.Costs[i].Cycles || p1.Costs[i].CyclesPerByte != p2.Costs[i].CyclesPerByte {
			t.Errorf("%s: %v with a two-CPU point, %v without", p1.Costs[i].Stage, p2.Costs[i], p1.Costs[i])
		}
	}
	rep := &Report{Rows: []Row{{Name: "routed", LOO: base[0]}, {Name: "routed-2cpu", CPUs: 2, LOO: with[len(with)-1]}}}
	rep.Rows[0].MbpsErr, rep.Rows[1].MbpsErr = 1, 50
	rep.summarize()
	if rep.CPP.N != 1 || rep.Mbps.N != 1 || rep.Mbps.MaxAbs != 1 || rep.TwoCPU.N != 1 || math.Abs(rep.TwoCPU.MaxAbs-50) > 1e-9 {
		t.Errorf("summaries: one CPU %+v %+v, two %+v", rep.CPP, rep.Mbps, rep.TwoCPU)
	}
}

// The stage breakdown of a prediction adds up to it, names the stage that
// makes the error, and validate's table lists the worst row's stages.
func TestPredictionStages(t *testing.T) {
	a := Point{Name: "a", Engine: "none", CPP: 1500, Stages: map[string]Use{"tcp": {Cycles: 1000, Units: 1}, "veth": {Cycles: 500, Units: 1}}}
	b := Point{Name: "b", Engine: "none", CPP: 2400, Stages: map[string]Use{"tcp": {Cycles: 2000, Units: 2}, "veth": {Cycles: 400, Units: 2}}}
	pr := Predict([]Point{b}, a)
	sum := 0.0
	for _, s := range pr.Stages {
		sum += s.Predicted
	}
	if len(pr.Stages) != 2 || math.Abs(sum-pr.Predicted) > 1e-9 || pr.Stages[0].Stage != "tcp" || pr.Stages[1].Stage != "veth" {
		t.Fatalf("stages %+v, predicted %v", pr.Stages, pr.Predicted)
	}
	// veth: a measured 500, b prices it 200 per unit -> 200; tcp exact.
	if s := pr.Stages[1]; s.Measured != 500 || math.Abs(s.Predicted-200) > 1e-9 {
		t.Errorf("veth %+v", s)
	}
	if miss := Predict(nil, a); miss.Stages != nil {
		t.Errorf("an unpredicted row has stages %+v", miss.Stages)
	}
	var sb strings.Builder
	writeWorstStages(&sb, []Row{{Name: "a", LOO: pr}, {Name: "b", LOO: Predict([]Point{a}, b)}}, 1, 1)
	// b from a: tcp exact, veth 500 per unit x 2 = 1000 against 400: +25%, the worst.
	if want := "- b +25.0%: veth 400 -> 1000 (+600)\n"; !strings.HasSuffix(sb.String(), want) {
		t.Errorf("worst stages:\n%s\nwant the line %q", sb.String(), want)
	}
}
