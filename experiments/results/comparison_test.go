package results

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"testing"

	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/internal/golden"
)

// comparisons is a fixed set: two points against host-gw at two
// oversubscriptions, with a significant difference, one that is not, a
// metric equal in every pair, one pair only and a zero baseline.
func comparisons() *Comparisons {
	p := func(mode string, over float64) []scenario.Param {
		return []scenario.Param{{Key: "cni.mode", Value: mode}, {Key: "fabric.oversubscription", Value: over}}
	}
	return &Comparisons{
		Baseline: []scenario.Param{{Key: "cni.mode", Value: "host-gw"}},
		Points: []Comparison{
			{Point: p("vxlan", 1), Baseline: p("host-gw", 1), Metrics: []Diff{
				{Name: "throughput_mbps", N: 3, Base: 209982, Value: 188260, Diff: -21722, StdDev: 8291.5, CI95: 20598, CI95Unpaired: 42133},
				{Name: "cpu_cores_used", N: 3, Base: 2.677, Value: 4.86, Diff: 2.183, StdDev: 0.1163, CI95: 0.289, CI95Unpaired: 0.9194},
				{Name: "drops_by_place.conntrack", N: 3},
				{Name: "port_drops.to_node", N: 3, Base: 0, Value: 12, Diff: 12, StdDev: 20.8, CI95: 51.6, CI95Unpaired: 51.6},
			}},
			{Point: p("vxlan", 3), Baseline: p("host-gw", 3), Metrics: []Diff{
				{Name: "throughput_mbps", N: 1, Base: 100000, Value: 90000, Diff: -10000},
			}},
		},
	}
}

func TestComparisonGolden(t *testing.T) {
	c := comparisons()
	for _, f := range []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"testdata/comparison.json", func(b *bytes.Buffer) error { return c.WriteJSON(b) }},
		{"testdata/comparison.csv", func(b *bytes.Buffer) error { return c.WriteCSV(b) }},
		{"testdata/comparison.txt", func(b *bytes.Buffer) error { return c.WriteTable(b) }},
	} {
		var b bytes.Buffer
		if err := f.write(&b); err != nil {
			t.Fatal(err)
		}
		golden.Check(t, f.file, b.Bytes())
	}
}

// The JSON parses, null where a statistic is undefined; the CSV is
// rectangular with one row per point and metric.
func TestComparisonFormats(t *testing.T) {
	c := comparisons()
	var js bytes.Buffer
	if err := c.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Baseline    map[string]any
		Comparisons []struct {
			Params, Baseline map[string]any
			Metrics          map[string]map[string]*float64
		}
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatalf("comparison.json does not parse: %v\n%s", err, js.String())
	}
	if len(doc.Comparisons) != 2 || doc.Baseline["cni.mode"] != "host-gw" {
		t.Fatalf("parsed %+v", doc)
	}
	one := doc.Comparisons[1].Metrics["throughput_mbps"]
	if one["ci95"] != nil || one["stddev"] != nil || *one["diff"] != -10000 || *one["change_pct"] != -10 {
		t.Errorf("one pair: %v: want no spread, diff -10000, change -10%%", one)
	}
	if z := doc.Comparisons[0].Metrics["port_drops.to_node"]; z["change_pct"] != nil {
		t.Errorf("zero baseline: change_pct %v, want null", *z["change_pct"])
	}
	var cs bytes.Buffer
	if err := c.WriteCSV(&cs); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&cs).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+4+1 {
		t.Errorf("%d CSV rows, want a header and 5", len(rows))
	}
	if d := (Diff{Base: -4, Diff: 2}); func() float64 { v, _ := d.ChangePct(); return v }() != 50 {
		t.Error("change against a negative baseline: want +50% (relative to its magnitude)")
	}
	if d := (Diff{N: 2, Diff: math.Inf(1), CI95: 1}); !d.Significant() {
		t.Error("an infinite difference is significant")
	}
}

// The sensitivity writers, pinned: one point with a significant, an
// unresolved and a one-replication elasticity.
func TestSensitivityGolden(t *testing.T) {
	s := &Sensitivity{Step: 0.2, Metrics: []string{"throughput_mbps", "cpu_cores_used"}, Points: []SensitivityPoint{{
		Params: []scenario.Param{{Key: "cni.mode", Value: "vxlan"}},
		Stages: []StageSensitivity{
			{Stage: "vxlan", Provenance: "quoted", Elasticities: []Elasticity{{Metric: "throughput_mbps", N: 3, Base: 4500, Mean: -0.42, CI95: 0.05}, {Metric: "cpu_cores_used", N: 3, Base: 1.9, Mean: 0.31, CI95: 0.4}}},
			{Stage: "veth", Elasticities: []Elasticity{{Metric: "throughput_mbps", N: 1, Base: 4500, Mean: -0.01}, {Metric: "cpu_cores_used", N: 0}}},
		},
	}}}
	for _, f := range []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"testdata/sensitivity.json", func(b *bytes.Buffer) error { return s.WriteJSON(b) }},
		{"testdata/sensitivity.csv", func(b *bytes.Buffer) error { return s.WriteCSV(b) }},
		{"testdata/sensitivity.txt", func(b *bytes.Buffer) error { return s.WriteTable(b) }},
	} {
		var b bytes.Buffer
		if err := f.write(&b); err != nil {
			t.Fatal(err)
		}
		if f.file == "testdata/sensitivity.json" {
			var doc map[string]any
			if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
				t.Errorf("sensitivity.json does not parse: %v", err)
			}
		}
		golden.Check(t, f.file, b.Bytes())
	}
}
