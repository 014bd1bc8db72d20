package shard

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/cnisim/cnisim/experiments/run"
)

// Floats survive the file bit for bit, including the awkward ones.
func TestPartialRoundTripExact(t *testing.T) {
	t.Parallel()
	odd := []float64{0.1 + 0.2, 1e-300, math.SmallestNonzeroFloat64, math.MaxFloat64, -math.MaxFloat64, 1.0 / 3, 123456789.123456789, 0}
	urs := []run.UnitResult{
		{Unit: run.Unit{Point: 0, Rep: 1}, Seed: math.MaxUint64,
			Sample: run.Sample{
				Scalars: map[string]float64{"a": odd[0], "b": odd[1], "neg_zero": math.Copysign(0, -1)},
				Dists:   map[string][]float64{"d": odd, "empty": {}},
				Groups:  map[string]map[string]float64{"g": {"veth": odd[2], "x": odd[3]}},
			}},
		{Unit: run.Unit{Point: 3, Rep: 0}, Seed: 1},
	}
	p := New("v1", "name = \"x\"\n<&>\n", Spec{1, 3}, urs)
	data, err := Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	q, err := Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	back := q.UnitResults()
	if len(back) != 2 || back[0].Seed != math.MaxUint64 {
		t.Fatalf("units %+v", back)
	}
	for i, v := range back[0].Sample.Dists["d"] {
		if math.Float64bits(v) != math.Float64bits(odd[i]) {
			t.Errorf("dist value %d: %v, want %v", i, v, odd[i])
		}
	}
	if nz := back[0].Sample.Scalars["neg_zero"]; !math.Signbit(nz) {
		t.Error("-0 lost its sign")
	}
	if _, ok := back[0].Sample.Dists["empty"]; !ok {
		t.Error("an empty distribution must stay named (it is still a metric)")
	}
	if !reflect.DeepEqual(back[0].Sample.Groups, urs[0].Sample.Groups) || q.Scenario != p.Scenario || q.Shard != 1 || q.Shards != 3 || q.Version != "v1" {
		t.Errorf("round trip lost data: %+v", q)
	}
	again, _ := Marshal(q)
	if !bytes.Equal(again, data) {
		t.Error("re-marshalling a decoded partial changes its bytes")
	}
}

// Every truncation and every flipped byte is detected.
func TestPartialCorruptionDetected(t *testing.T) {
	t.Parallel()
	urs := []run.UnitResult{{Unit: run.Unit{Point: 0, Rep: 0}, Seed: 9,
		Sample: run.Sample{Scalars: map[string]float64{"throughput_mbps": 9412.5}}}}
	data, err := Marshal(New("v1", "seed = 1\n", Spec{0, 1}, urs))
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(data) - 1 { // the trailing newline is not payload
		if _, err := Unmarshal(data[:n]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated to %d bytes: error %v", n, err)
		}
	}
	for i := range data {
		bad := bytes.Clone(data)
		bad[i] ^= 0x01
		if _, err := Unmarshal(bad); err == nil && !bytes.Equal(bytes.TrimSpace(bad), bytes.TrimSpace(data)) {
			t.Fatalf("byte %d (%q) flipped: accepted", i, data[i])
		}
	}
}
