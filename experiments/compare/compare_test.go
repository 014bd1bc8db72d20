package compare

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
)

// sweep2 is a 2 x 3 sweep: cni.mode slowest, fabric.oversubscription fastest.
const sweep2 = `name = "pairs"
replications = 3
[sweep]
"cni.mode" = ["vxlan", "host-gw"]
"fabric.oversubscription" = [1.0, 2.0, 3]
`

func load(t testing.TB, text string) *scenario.Plan {
	t.Helper()
	p, err := scenario.Load("pairs.toml", []byte(text), scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func override(t testing.TB, s string) scenario.Override {
	t.Helper()
	o, err := scenario.ParseSet(s)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// Each point is paired with the point that has its values on the other
// axes and the baseline's on the fixed ones.
func TestBaselineOf(t *testing.T) {
	p := load(t, sweep2)
	for _, tc := range []struct {
		base []string
		want []int // Of(i) for points 0..5
	}{
		// points: (vxlan,1) (vxlan,2) (vxlan,3) (host-gw,1) (host-gw,2) (host-gw,3)
		{[]string{"cni.mode=host-gw"}, []int{3, 4, 5, 3, 4, 5}},
		{[]string{"cni.mode=vxlan"}, []int{0, 1, 2, 0, 1, 2}},
		{[]string{"fabric.oversubscription=1"}, []int{0, 0, 0, 3, 3, 3}}, // 1 names 1.0
		{[]string{"fabric.oversubscription=3.0", "cni.mode=host-gw"}, []int{5, 5, 5, 5, 5, 5}},
	} {
		var os []scenario.Override
		for _, s := range tc.base {
			os = append(os, override(t, s))
		}
		b, err := NewBaseline(p, os)
		if err != nil {
			t.Fatalf("%v: %v", tc.base, err)
		}
		for i, want := range tc.want {
			if got := b.Of(i); got != want {
				t.Errorf("%v: Of(%d) = %d, want %d", tc.base, i, got, want)
			}
		}
	}
}

// A baseline off the sweep is refused with what is allowed.
func TestBaselineErrors(t *testing.T) {
	p := load(t, sweep2)
	for _, tc := range []struct {
		base []string
		want string
	}{
		{nil, "at least one"},
		{[]string{"cluster.mtu=1500"}, "cluster.mtu: not a swept key (swept: cni.mode, fabric.oversubscription)"},
		{[]string{"cni.mode=ipip"}, `cni.mode = "ipip": not one of the swept values ("vxlan", "host-gw")`},
		{[]string{"fabric.oversubscription=4"}, "not one of the swept values (1.0, 2.0, 3.0)"},
		{[]string{"cni.mode=vxlan", "cni.mode=host-gw"}, "cni.mode: given twice"},
	} {
		var os []scenario.Override
		for _, s := range tc.base {
			os = append(os, override(t, s))
		}
		_, err := NewBaseline(p, os)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want it to contain %q", tc.base, err, tc.want)
		}
	}
	unswept := load(t, "name = \"x\"\n")
	_, err := NewBaseline(unswept, []scenario.Override{override(t, "cni.mode=vxlan")})
	if err == nil || !strings.Contains(err.Error(), "the scenario sweeps nothing") {
		t.Errorf("no sweep: %v", err)
	}
}

func unit(point, rep int, v float64) run.UnitResult {
	var s run.Sample
	s.Set("throughput_mbps", v)
	return run.UnitResult{Unit: run.Unit{Point: point, Rep: rep}, Sample: s}
}

// The paired interval is the Student-t interval of the differences; the
// unpaired one Welch's; both against hand arithmetic.
func TestPairedClosedForm(t *testing.T) {
	p := load(t, "name = \"x\"\nreplications = 3\n[sweep]\n\"cni.mode\" = [\"vxlan\", \"host-gw\"]\n")
	b, err := NewBaseline(p, []scenario.Override{override(t, "cni.mode=host-gw")})
	if err != nil {
		t.Fatal(err)
	}
	c := NewCollector(b)
	var us []run.UnitResult
	base := []float64{10, 20, 30}  // baseline point 1
	diff := []float64{1.9, 2, 2.1} // vxlan = baseline + diff
	for r := range 3 {
		us = append(us, unit(1, r, base[r]), unit(0, r, base[r]+diff[r]))
	}
	for _, u := range us {
		c.Add(u)
	}
	got := c.Comparisons()
	if len(got.Points) != 1 || len(got.Points[0].Metrics) != 1 {
		t.Fatalf("comparisons %+v: want one point with one metric", got)
	}
	d := got.Points[0].Metrics[0]
	// differences 1.9, 2, 2.1: mean 2, sd 0.1, t(0.975, 2) = 4.302653
	want := results.Diff{Name: "throughput_mbps", N: 3, Base: 20, Value: 22, Diff: 2, StdDev: 0.1, CI95: 4.302653 * 0.1 / math.Sqrt(3)}
	// as two independent samples of sd 10 and 10.1 (n 3): se^2 = (100 +
	// 102.01)/3, Welch's df = se^4 / ((100/3)^2/2 + (102.01/3)^2/2) =
	// 3.99960, t(0.975, 3.99960) = 2.776554 (the t density integrated
	// numerically): the pairs' interval is 91 times narrower
	se := math.Sqrt((100.0 + 102.01) / 3)
	want.CI95Unpaired = 2.776554 * se
	for _, f := range []struct {
		name      string
		got, want float64
	}{
		{"base", d.Base, want.Base}, {"value", d.Value, want.Value}, {"diff", d.Diff, want.Diff},
		{"stddev", d.StdDev, want.StdDev}, {"ci95", d.CI95, want.CI95}, {"ci95_unpaired", d.CI95Unpaired, want.CI95Unpaired},
	} {
		if math.Abs(f.got-f.want) > 1e-4*math.Max(1, math.Abs(f.want)) {
			t.Errorf("%s = %.6g, want %.6g", f.name, f.got, f.want)
		}
	}
	if d.N != 3 || !d.Significant() {
		t.Errorf("n %d, significant %v: want 3, true (2 ± 0.25)", d.N, d.Significant())
	}
	if pct, ok := d.ChangePct(); !ok || math.Abs(pct-10) > 1e-9 {
		t.Errorf("change %v%% (%v), want 10%%", pct, ok)
	}
	// --until's measure with a baseline: the paired interval over the
	// baseline's mean
	w, where := WidestDifference([]scenario.Override{override(t, "cni.mode=host-gw")}, "throughput_mbps")(p, us)
	if math.Abs(w-want.CI95/20) > 1e-9 || where != `{cni.mode="vxlan"} against {cni.mode="host-gw"}` {
		t.Errorf("WidestDifference = %v at %s, want %v", w, where, want.CI95/20)
	}
	if w, where := WidestDifference([]scenario.Override{override(t, "cni.mode=host-gw")}, "fct_us")(p, us); !math.IsInf(w, 1) || where != "not reported" {
		t.Errorf("a metric not reported: %v at %s", w, where)
	}
}

// Only replications both points reported are paired; a point whose
// baseline did not run, and the baseline itself, are left out.
func TestPairsMissing(t *testing.T) {
	p := load(t, sweep2)
	b, err := NewBaseline(p, []scenario.Override{override(t, "cni.mode=host-gw")})
	if err != nil {
		t.Fatal(err)
	}
	c := NewCollector(b)
	c.Add(unit(0, 0, 5))
	c.Add(unit(0, 2, 7))
	c.Add(unit(3, 1, 1))
	c.Add(unit(3, 2, 4))
	c.Add(unit(1, 0, 9)) // its baseline, point 4, never ran
	c.Add(unit(3, 7, 1)) // not a replication of this plan: ignored
	got := c.Comparisons()
	if len(got.Points) != 1 {
		t.Fatalf("%d comparisons, want 1 (point 0 against 3)", len(got.Points))
	}
	d := got.Points[0].Metrics[0]
	if d.N != 1 || d.Diff != 3 || d.Spread() || d.Significant() {
		t.Errorf("%+v: want one pair (replication 2: 7 - 4), no spread", d)
	}
}

// The order the units arrive in changes nothing.
func TestPairsOrderIndependent(t *testing.T) {
	p := load(t, sweep2)
	b, err := NewBaseline(p, []scenario.Override{override(t, "fabric.oversubscription=2")})
	if err != nil {
		t.Fatal(err)
	}
	var us []run.UnitResult
	rng := rand.New(rand.NewPCG(1, 2))
	for pt := range p.Len() {
		for r := range 3 {
			u := unit(pt, r, rng.NormFloat64())
			u.Sample.Dists = map[string][]float64{"fct_us": {rng.Float64(), rng.Float64()}}
			u.Sample.Groups = map[string]map[string]float64{"port_utilisation": {"to_spine_mean": rng.Float64(), "leaf0.spine1": rng.Float64()}}
			us = append(us, u)
		}
	}
	collect := func(us []run.UnitResult) *results.Comparisons {
		c := NewCollector(b)
		for _, u := range us {
			c.Add(u)
		}
		return c.Comparisons()
	}
	var want strings.Builder
	if err := collect(us).WriteJSON(&want); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		rng.Shuffle(len(us), func(i, j int) { us[i], us[j] = us[j], us[i] })
		var got strings.Builder
		if err := collect(us).WriteJSON(&got); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Fatalf("shuffled units gave other comparisons:\n%s\n---\n%s", got.String(), want.String())
		}
	}
	// four compared points (two modes x the two other oversubscriptions),
	// each with its three metrics in the results' order, the distribution
	// with each replication's quantiles after its mean
	cs := collect(us)
	if len(cs.Points) != 4 {
		t.Fatalf("%d compared points, want 4", len(cs.Points))
	}
	var names []string
	for _, d := range cs.Points[0].Metrics {
		names = append(names, d.Name)
	}
	if got := strings.Join(names, " "); got != "throughput_mbps port_utilisation.leaf0.spine1 port_utilisation.to_spine_mean fct_us fct_us.p50 fct_us.p90 fct_us.p99" {
		t.Errorf("metric order %q", got)
	}
}

// A point compared with itself in every replication differs by exactly 0.
func TestPairsIdentical(t *testing.T) {
	p := load(t, sweep2)
	b, _ := NewBaseline(p, []scenario.Override{override(t, "cni.mode=vxlan")})
	c := NewCollector(b)
	for r := range 3 {
		v := float64(r*r) + 0.1
		c.Add(unit(1, r, v))
		c.Add(unit(4, r, v))
	}
	d := c.Comparisons().Points[0].Metrics[0]
	if d.Diff != 0 || d.StdDev != 0 || d.CI95 != 0 || d.Significant() || d.CI95Unpaired == 0 {
		t.Errorf("%+v: want a zero difference with a zero paired interval and a positive unpaired one", d)
	}
}
